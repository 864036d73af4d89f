// `npm run bench`: breachscope against lnav and GoAccess on one generated Apache combined
// log. See README.md beside this file for what is measured and why it is fair.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BREACHSCOPE_STEPS, cliStatus, runStep, type BreachscopeStep, type StepResult } from './breachscope-steps.js';
import { ensureFixture, GENERATOR_VERSION, type Fixture } from './generate-fixture.js';
import { benchFormats, renderFormatSpeeds } from './formats.js';
import { hasGnuTime } from './measure.js';
import { LNAV_COUNT_SQL, LNAV_FIELDS_SQL, PEER_NAMES, peerInstalled, runPeer, type PeerName, type PeerResult } from './peers.js';
import { evaluateTargets, formatInt, renderTable, renderTargets, type Row } from './report.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(BENCH_DIR, '..', '..');
const CACHE_DIR = join(BENCH_DIR, '.cache');
const DEFAULT_CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

/** Exit codes, also in README.md. */
const EXIT = { pass: 0, targetMissed: 1, notRun: 2 } as const;

const USAGE = `usage: npm run bench -- [--lines N] [--format-lines N] [--runs N] [--peers lnav,lnav-fields,goaccess|none] [--peer-timeout SECONDS] [--timeout SECONDS] [--cli PATH]

  --lines N              log size in lines (default 2000000)
  --format-lines N       lines per format for the per-format ingest speeds (default 200000; 0 skips them)
  --runs N               run every measurement N times and report the median (default 1)
  --peers LIST           peers to run, comma-separated (default: all of ${PEER_NAMES.join(',')}); 'none' for none
  --peer-timeout S       per peer run (default: 600, or 60 per million lines if more)
  --timeout S            per breachscope run (default: the same as --peer-timeout)
  --cli PATH             breachscope entry point to measure (default: dist/src/cli/main.js of this checkout)`;

interface Options {
  readonly lines: number;
  readonly formatLines: number;
  readonly peers: readonly PeerName[];
  readonly peerTimeoutSeconds: number;
  readonly timeoutSeconds: number;
  readonly runs: number;
  readonly cli: string;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${USAGE}\n`);
  process.exit(EXIT.notRun);
}

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n <= 0) fail(`${flag} wants a positive whole number, got '${text}'`);
  return n;
}

function parseOptions(argv: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        lines: { type: 'string' },
        'format-lines': { type: 'string' },
        peers: { type: 'string' },
        'peer-timeout': { type: 'string' },
        timeout: { type: 'string' },
        runs: { type: 'string' },
        cli: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(EXIT.pass);
  }
  const lines = positiveInt('--lines', parsed.values.lines, 2_000_000);
  const formatLines = parsed.values['format-lines'] === '0' ? 0 : positiveInt('--format-lines', parsed.values['format-lines'], 200_000);
  const peersText = parsed.values.peers ?? PEER_NAMES.join(',');
  const peers: PeerName[] = [];
  if (peersText !== 'none') {
    for (const name of peersText.split(',').map((s) => s.trim())) {
      const known = PEER_NAMES.find((p) => p === name);
      if (known === undefined) fail(`unknown peer '${name}' in --peers; known: ${PEER_NAMES.join(', ')}`);
      peers.push(known);
    }
  }
  // GoAccess 1.7 needs 17-30 s per million lines on the 2-core dev machine; keep well above that.
  const defaultTimeout = Math.max(600, Math.ceil((60 * lines) / 1_000_000));
  const peerTimeoutSeconds = positiveInt('--peer-timeout', parsed.values['peer-timeout'], defaultTimeout);
  return {
    lines,
    formatLines,
    peers,
    peerTimeoutSeconds,
    timeoutSeconds: positiveInt('--timeout', parsed.values.timeout, peerTimeoutSeconds),
    runs: positiveInt('--runs', parsed.values.runs, 1),
    cli: parsed.values.cli === undefined ? DEFAULT_CLI : resolve(parsed.values.cli),
  };
}

/** Reads the log once so every tool starts with it in the page cache, none paying for the disk. */
function warmPageCache(path: string): number {
  const started = performance.now();
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(16 << 20);
    while (readSync(fd, buffer, 0, buffer.length, null) > 0) {
      // reading is the point
    }
  } finally {
    closeSync(fd);
  }
  return (performance.now() - started) / 1000;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined; // no commits yet, or not a git checkout
  }
}

const STEP_LABEL: Readonly<Record<BreachscopeStep, string>> = {
  ingest: 'ingest (empty store)',
  analyze: 'analyze (ingested store)',
  'full-analyze': 'full analyze (empty store)',
};

const MIB = 1024 * 1024;

/** Share of the machine's CPU used by other processes during a run above which its time is flagged. */
const CONTENTION_WARNING_SHARE = 0.1;

/** The middle sample by `key` (the lower middle for an even count). */
function medianBy<T>(items: readonly T[], key: (item: T) => number): T | undefined {
  const sorted = [...items].sort((x, y) => key(x) - key(y));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function runLabel(run: number, runs: number): string {
  return runs === 1 ? '' : ` [run ${run}/${runs}]`;
}

/** Command words as a person would retype them from the repo root. */
function displayArg(arg: string): string {
  if (arg === process.execPath) return 'node';
  if (isAbsolute(arg) && !relative(REPO_ROOT, arg).startsWith('..')) return relative(REPO_ROOT, arg);
  return arg;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(CACHE_DIR, { recursive: true });
  const rel = (p: string): string => relative(process.cwd(), p) || '.';

  process.stdout.write(`fixture: ${formatInt(options.lines)} lines of Apache combined log\n`);
  const fixture: Fixture = ensureFixture(CACHE_DIR, options.lines);
  process.stdout.write(
    `  ${rel(fixture.logPath)}: ${formatInt(fixture.bytes / MIB)} MiB, ${(fixture.bytes / fixture.lines).toFixed(0)} bytes/line, ` +
      (fixture.generatedNow ? `generated in ${fixture.generationSeconds.toFixed(1)} s\n` : 'cached\n'),
  );
  process.stdout.write(`  page cache warmed in ${warmPageCache(fixture.logPath).toFixed(1)} s\n`);
  if (!hasGnuTime()) process.stdout.write('  /usr/bin/time (GNU) not found: peak RSS is polled from /proc/<pid>/status VmHWM every 20 ms (apt-get install time for exact figures)\n');
  process.stdout.write('\n');

  const workDir = join(CACHE_DIR, 'runs');
  mkdirSync(workDir, { recursive: true });

  // breachscope
  const cli = options.cli === DEFAULT_CLI ? cliStatus(DEFAULT_CLI, join(REPO_ROOT, 'src')) : cliStatus(options.cli, undefined);
  const stepSamples = new Map<BreachscopeStep, StepResult[]>();
  if (cli.kind === 'not-built') {
    process.stdout.write(`${cli.message}\n`);
  } else {
    if (cli.staleFiles.length > 0) {
      process.stdout.write(`breachscope: warning: ${cli.staleFiles.length} file(s) under src/ are newer than the build (e.g. ${rel(cli.staleFiles[0] ?? '')}); \`npm run build\` to measure the current code\n`);
    }
    const ctx = { repoRoot: REPO_ROOT, mainJs: cli.mainJs, casePath: fixture.casePath, lines: fixture.lines, storeDir: join(CACHE_DIR, 'store'), workDir, timeoutSeconds: options.timeoutSeconds };
    const failed = (step: BreachscopeStep): boolean => (stepSamples.get(step) ?? []).some((r) => r.kind === 'failed');
    for (let run = 1; run <= options.runs; run++) {
      for (const step of BREACHSCOPE_STEPS) {
        // A failure is the result for that step; repeating it only costs time.
        if (failed(step) || (step === 'analyze' && failed('ingest'))) continue;
        process.stdout.write(`breachscope ${STEP_LABEL[step]}${runLabel(run, options.runs)} ... `);
        const result = await runStep(step, ctx);
        stepSamples.set(step, [...(stepSamples.get(step) ?? []), result]);
        process.stdout.write(result.kind === 'measured' ? `${result.measurement.wallSeconds.toFixed(2)} s\n` : `FAILED: ${result.message}\n`);
        if (result.kind === 'measured') for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
      }
    }
  }
  const steps: StepResult[] = BREACHSCOPE_STEPS.flatMap((step) => {
    const samples = stepSamples.get(step) ?? [];
    const failure = samples.find((r) => r.kind === 'failed');
    const chosen = failure ?? medianBy(samples, (r) => (r.kind === 'measured' ? r.measurement.wallSeconds : 0));
    return chosen === undefined ? [] : [chosen];
  });

  // peers
  const peerSamples = new Map<PeerName, PeerResult[]>();
  const notInstalledShown = new Set<string>(); // lnav and lnav-fields share one binary
  for (let run = 1; run <= options.runs; run++) {
    for (const name of options.peers) {
      const earlier = peerSamples.get(name) ?? [];
      if (earlier.some((r) => r.kind !== 'measured')) continue;
      if (peerInstalled(name)) process.stdout.write(`${name}${runLabel(run, options.runs)} ... `);
      const result = await runPeer(name, { logPath: fixture.logPath, lines: fixture.lines, workDir, timeoutSeconds: options.peerTimeoutSeconds });
      peerSamples.set(name, [...earlier, result]);
      if (result.kind === 'measured') process.stdout.write(`${result.measurement.wallSeconds.toFixed(2)} s, counted ${formatInt(result.countedLines)} lines\n`);
      else if (result.kind === 'failed') process.stdout.write(`FAILED: ${result.message}\n`);
      else if (!notInstalledShown.has(result.message)) process.stdout.write(`${result.message}\n`);
      if (result.kind === 'not-installed') notInstalledShown.add(result.message);
    }
  }
  const peers: PeerResult[] = options.peers.flatMap((name) => {
    const samples = peerSamples.get(name) ?? [];
    const chosen = samples.find((r) => r.kind !== 'measured') ?? medianBy(samples, (r) => (r.kind === 'measured' ? r.measurement.wallSeconds : 0));
    return chosen === undefined ? [] : [chosen];
  });

  // table
  const rows: Row[] = [];
  if (cli.kind === 'not-built') rows.push({ tool: 'breachscope', step: 'all', seconds: undefined, peakRssBytes: undefined, note: 'not built (npm run build)' });
  for (const s of steps) {
    if (s.kind === 'measured') {
      // Both figures are kept; the table shows the outside measurement, the same for every tool.
      const selfRss = s.stats.maxRssBytes;
      const outsideRss = s.measurement.peakRssBytes;
      const drift = outsideRss !== undefined && Math.abs(selfRss - outsideRss) > 0.1 * outsideRss ? `; self-reported max RSS ${formatInt(selfRss / MIB)} MiB differs by >10%` : '';
      rows.push({
        tool: 'breachscope',
        step: STEP_LABEL[s.step],
        seconds: s.measurement.wallSeconds,
        peakRssBytes: outsideRss ?? selfRss,
        note: `self-reported ${(s.stats.wallMs / 1000).toFixed(2)} s, ${formatInt(selfRss / MIB)} MiB${drift}`,
      });
    } else {
      rows.push({ tool: 'breachscope', step: STEP_LABEL[s.step], seconds: undefined, peakRssBytes: undefined, note: `failed: ${s.message.split('\n')[0] ?? ''}` });
    }
  }
  for (const p of peers) {
    if (p.kind === 'measured') rows.push({ tool: p.tool, step: p.step, seconds: p.measurement.wallSeconds, peakRssBytes: p.measurement.peakRssBytes, note: undefined });
    else rows.push({ tool: p.tool, step: p.step, seconds: undefined, peakRssBytes: undefined, note: p.kind === 'not-installed' ? p.message : `failed: ${p.message.split('\n')[0] ?? ''}` });
  }

  const full = steps.find((s) => s.step === 'full-analyze');
  const fullAnalyzeSeconds = full?.kind === 'measured' ? full.measurement.wallSeconds : undefined;
  const lnavCount = peers.find((p) => p.peer === 'lnav');
  const measuredSteps = steps.filter((s) => s.kind === 'measured');
  // Memory is judged on the worst of every run, self-reported or measured outside, and
  // only when every breachscope step was measured.
  const rssValues = [...stepSamples.values()].flat().flatMap((s) => (s.kind === 'measured' ? [s.stats.maxRssBytes, s.measurement.peakRssBytes ?? 0] : []));
  const allStepsMeasured = cli.kind === 'ready' && measuredSteps.length === BREACHSCOPE_STEPS.length;
  const targets = evaluateTargets({
    lines: fixture.lines,
    fullAnalyzeSeconds,
    lnavCountSeconds: lnavCount?.kind === 'measured' ? lnavCount.measurement.wallSeconds : undefined,
    breachscopePeakRssBytes: allStepsMeasured ? Math.max(...rssValues) : undefined,
  });

  process.stdout.write(`\n${formatInt(fixture.lines)} lines, ${formatInt(fixture.bytes / MIB)} MiB; wall time measured by this script around each process; peak RSS by ${hasGnuTime() ? 'GNU time (%M)' : '/proc VmHWM polling'}\n`);
  const cores = cpus().length;
  const labelled = [
    ...[...stepSamples.values()].flatMap((samples) => samples.map((r, i) => ({ r, label: `breachscope ${r.step}${runLabel(i + 1, options.runs)}` }))),
    ...[...peerSamples.values()].flatMap((samples) => samples.map((r, i) => ({ r, label: `${r.peer}${runLabel(i + 1, options.runs)}` }))),
  ];
  const contended = labelled.flatMap(({ r, label }) => {
    const m = r.kind === 'not-installed' ? undefined : r.measurement;
    if (m?.otherCpuSeconds === undefined) return [];
    const share = m.otherCpuSeconds / (m.wallSeconds * cores);
    return share > CONTENTION_WARNING_SHARE ? [`${label} (${(share * 100).toFixed(0)}%)`] : [];
  });
  if (contended.length > 0) {
    process.stdout.write(`warning: other processes used more than ${CONTENTION_WARNING_SHARE * 100}% of the ${cores} cores during: ${contended.join(', ')}; those times are inflated. Rerun on a quiet machine, or with --runs 3\n`);
  }
  process.stdout.write('\n');
  process.stdout.write(`${renderTable(rows, fixture.lines, fullAnalyzeSeconds)}\n\ntargets:\n${renderTargets(targets)}\n`);

  // per-format ingest speeds (each reader on its own sample lines)
  const formatSpeeds = cli.kind === 'ready' && options.formatLines > 0 ? await benchFormats(cli.mainJs, workDir, options.formatLines, options.timeoutSeconds) : [];
  if (formatSpeeds.length > 0) process.stdout.write(`\nper-format ingest (each reader's sample lines cycled to ${formatInt(options.formatLines)} lines, format set, empty store):\n${renderFormatSpeeds(formatSpeeds)}\n`);

  const resultPath = join(CACHE_DIR, 'last-run.json');
  const cpuList = cpus();
  const record = {
    schema: 1,
    finished_at: new Date().toISOString(),
    git_commit: gitCommit() ?? null,
    machine: { cpu: cpuList[0]?.model ?? 'unknown', cores: cpuList.length, memory_bytes: totalmem(), node: process.version, platform: `${process.platform}-${process.arch}` },
    fixture: { lines: fixture.lines, bytes: fixture.bytes, generator_version: GENERATOR_VERSION, log: relative(REPO_ROOT, fixture.logPath), case: relative(REPO_ROOT, fixture.casePath) },
    rss_method: hasGnuTime() ? 'gnu-time' : 'proc-vmhwm',
    runs: options.runs,
    choice: 'median wall time of the runs; peak RSS of that run (the RSS target uses the largest of all runs)',
    breachscope: {
      status: cli.kind,
      ...(cli.kind === 'not-built' ? { message: cli.message } : { stale_source_files: cli.staleFiles.map((f) => relative(REPO_ROOT, f)) }),
      steps: steps.map((s) =>
        s.kind === 'measured'
          ? {
              step: s.step,
              status: 'measured',
              command: s.measurement.command.map(displayArg),
              wall_seconds: s.measurement.wallSeconds,
              peak_rss_bytes: s.measurement.peakRssBytes ?? null,
              cpu_seconds: s.measurement.cpuSeconds ?? null,
              other_cpu_seconds: s.measurement.otherCpuSeconds ?? null,
              self_reported: { wall_ms: s.stats.wallMs, max_rss_bytes: s.stats.maxRssBytes },
              lines_per_second: fixture.lines / s.measurement.wallSeconds,
              notes: s.notes,
              summary: s.summary ?? null,
              samples: (stepSamples.get(s.step) ?? []).map((r) =>
                r.kind === 'measured' ? { wall_seconds: r.measurement.wallSeconds, peak_rss_bytes: r.measurement.peakRssBytes ?? null, cpu_seconds: r.measurement.cpuSeconds ?? null, other_cpu_seconds: r.measurement.otherCpuSeconds ?? null, self_reported: { wall_ms: r.stats.wallMs, max_rss_bytes: r.stats.maxRssBytes } } : { failed: r.message },
              ),
            }
          : { step: s.step, status: 'failed', message: s.message, wall_seconds: s.measurement?.wallSeconds ?? null },
      ),
    },
    peers: peers.map((p) =>
      p.kind === 'measured'
        ? {
            peer: p.peer,
            tool: p.tool,
            step: p.step,
            status: 'measured',
            version: p.version,
            command: p.measurement.command.map(displayArg),
            wall_seconds: p.measurement.wallSeconds,
            peak_rss_bytes: p.measurement.peakRssBytes ?? null,
            cpu_seconds: p.measurement.cpuSeconds ?? null,
            other_cpu_seconds: p.measurement.otherCpuSeconds ?? null,
            lines_per_second: fixture.lines / p.measurement.wallSeconds,
            counted_lines: p.countedLines,
            samples: (peerSamples.get(p.peer) ?? []).map((r) => (r.kind === 'measured' ? { wall_seconds: r.measurement.wallSeconds, peak_rss_bytes: r.measurement.peakRssBytes ?? null, cpu_seconds: r.measurement.cpuSeconds ?? null, other_cpu_seconds: r.measurement.otherCpuSeconds ?? null } : { failed: r.message })),
          }
        : { peer: p.peer, tool: p.tool, step: p.step, status: p.kind, message: p.message },
    ),
    targets: targets.map((t) => ({ name: t.name, target: t.target, measured: t.measured, verdict: t.verdict })),
    queries: { lnav_count: LNAV_COUNT_SQL, lnav_fields: LNAV_FIELDS_SQL },
  };
  writeFileSync(resultPath, `${JSON.stringify({ ...record, formats: formatSpeeds }, null, 2)}\n`);
  process.stdout.write(`\nresults: ${rel(resultPath)}\n`);

  // The store is only there to be measured; at 20M lines it takes gigabytes.
  rmSync(join(CACHE_DIR, 'store'), { recursive: true, force: true });

  if (cli.kind === 'not-built') {
    process.stdout.write(`\n${cli.message}\n`);
    return EXIT.notRun;
  }
  if (steps.some((s) => s.kind === 'failed')) return EXIT.notRun;
  return targets.every((t) => t.verdict === 'PASS') ? EXIT.pass : EXIT.targetMissed;
}

process.exitCode = await main();
