// `npm run bench`: breachscope against the floor (SHA-256 and DuckDB read_csv of the same file),
// lnav and GoAccess, on one or two generated Apache combined logs. See README.md beside this file
// for what is measured and why it is fair.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BREACHSCOPE_STEPS, cliStatus, runStep, type BreachscopeStep, type CliStatus, type StepResult } from './breachscope-steps.js';
import { FLOOR_LABEL, FLOOR_STEPS, runFloor, type FloorResult, type FloorStep } from './floor.js';
import { ensureFixture, FIXTURE_NAMES, generatorVersion, type Fixture, type FixtureName } from './generate-fixture.js';
import { benchFormats, renderFormatSpeeds } from './formats.js';
import { hasGnuTime, type Measurement } from './measure.js';
import { LNAV_COUNT_SQL, LNAV_DISTINCT_IP_SQL, LNAV_FIELDS_SQL, PEER_NAMES, peerInstalled, runPeer, type PeerName, type PeerResult } from './peers.js';
import { evaluateFormatTargets, evaluateTargets, formatInt, renderTable, renderTargets, type Baselines, type Row, type TargetResult } from './report.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(BENCH_DIR, '..', '..');
const CACHE_DIR = join(BENCH_DIR, '.cache');
const DEFAULT_CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

/** Exit codes, also in README.md. */
const EXIT = { pass: 0, targetMissed: 1, notRun: 2 } as const;

const USAGE = `usage: npm run bench -- [--fixture today|high|both] [--lines N] [--format-lines N] [--runs N] [--peers LIST|none] [--peer-timeout SECONDS] [--timeout SECONDS] [--cli PATH]

  --fixture NAME         today (a few thousand clients), high (640k client addresses and 200k documents at 2M lines), or both (default)
  --lines N              log size in lines, for each fixture (default 2000000)
  --format-lines N       lines per format for the per-format ingest speeds (default 200000; 0 skips them)
  --runs N               run every measurement N times and report the median (default 1)
  --peers LIST           peers to run, comma-separated (default: all of ${PEER_NAMES.join(',')}); 'none' for none
  --peer-timeout S       per peer run (default: 600, or 60 per million lines if more)
  --timeout S            per breachscope run (default: the same as --peer-timeout)
  --cli PATH             breachscope entry point to measure (default: dist/src/cli/main.js of this checkout)`;

interface Options {
  readonly lines: number;
  readonly fixtures: readonly FixtureName[];
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

function parseFixtures(text: string | undefined): readonly FixtureName[] {
  if (text === undefined || text === 'both') return FIXTURE_NAMES;
  const known = FIXTURE_NAMES.find((name) => name === text);
  if (known === undefined) fail(`--fixture wants ${FIXTURE_NAMES.join(', ')} or both, got '${text}'`);
  return [known];
}

function parseOptions(argv: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        lines: { type: 'string' },
        fixture: { type: 'string' },
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
  // GoAccess 1.7 needs 17-48 s per million lines on the 2-core dev machine, lnav's distinct count about 20
  // s per million lines on the high fixture; keep well above that.
  const defaultTimeout = Math.max(600, Math.ceil((60 * lines) / 1_000_000));
  const peerTimeoutSeconds = positiveInt('--peer-timeout', parsed.values['peer-timeout'], defaultTimeout);
  return {
    lines,
    fixtures: parseFixtures(parsed.values.fixture),
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

/** Runs `run` for each name `runs` times (a failure is not repeated) and keeps every sample. */
async function sampleEach<N extends string, R extends { readonly kind: string }>(
  names: readonly N[],
  runs: number,
  skip: (name: N, samples: ReadonlyMap<N, R[]>) => boolean,
  run: (name: N, runNumber: number) => Promise<R>,
): Promise<Map<N, R[]>> {
  const samples = new Map<N, R[]>();
  for (let runNumber = 1; runNumber <= runs; runNumber++) {
    for (const name of names) {
      const earlier = samples.get(name) ?? [];
      if (earlier.some((r) => r.kind !== 'measured') || skip(name, samples)) continue;
      samples.set(name, [...earlier, await run(name, runNumber)]);
    }
  }
  return samples;
}

/** The failure if there was one (it is the result), else the median run by wall time. */
function chosen<R extends { readonly kind: string; readonly measurement?: Measurement | undefined }>(samples: readonly R[]): R | undefined {
  return samples.find((r) => r.kind !== 'measured') ?? medianBy(samples, (r) => r.measurement?.wallSeconds ?? 0);
}

function secondsOf(r: { readonly kind: string; readonly measurement?: Measurement | undefined } | undefined): number | undefined {
  return r?.kind === 'measured' ? r.measurement?.wallSeconds : undefined;
}

function measurementJson(m: Measurement): Record<string, unknown> {
  return { wall_seconds: m.wallSeconds, peak_rss_bytes: m.peakRssBytes ?? null, cpu_seconds: m.cpuSeconds ?? null, other_cpu_seconds: m.otherCpuSeconds ?? null };
}

/** Everything measured on one fixture. */
interface FixtureRun {
  readonly fixture: Fixture;
  readonly floorSamples: ReadonlyMap<FloorStep, FloorResult[]>;
  readonly floor: readonly FloorResult[];
  readonly stepSamples: ReadonlyMap<BreachscopeStep, StepResult[]>;
  readonly steps: readonly StepResult[];
  readonly peerSamples: ReadonlyMap<PeerName, PeerResult[]>;
  readonly peers: readonly PeerResult[];
  readonly baselines: Baselines;
  readonly sha256Seconds: number | undefined;
  readonly rows: readonly Row[];
  readonly targets: readonly TargetResult[];
}

async function benchFixture(name: FixtureName, options: Options, cli: CliStatus, rel: (p: string) => string): Promise<FixtureRun> {
  process.stdout.write(`fixture ${name}: ${formatInt(options.lines)} lines of Apache combined log\n`);
  const fixture = ensureFixture(CACHE_DIR, options.lines, name);
  process.stdout.write(
    `  ${rel(fixture.logPath)}: ${formatInt(fixture.bytes / MIB)} MiB, ${(fixture.bytes / fixture.lines).toFixed(0)} bytes/line, ` +
      (fixture.generatedNow ? `generated in ${fixture.generationSeconds.toFixed(1)} s\n` : 'cached\n'),
  );
  if (fixture.facts !== undefined) {
    const f = fixture.facts;
    process.stdout.write(
      `  ${formatInt(f.distinctClientIps)} distinct client IPs; ${formatInt(f.documentRequests)} document requests for ${formatInt(f.distinctDocumentsRequested)} documents, ` +
        `${formatInt(f.unauthorizedDocumentRequests)} (${((100 * f.unauthorizedDocumentRequests) / Math.max(1, f.documentRequests)).toFixed(0)}%) by a non-owner or anonymous\n`,
    );
  }
  process.stdout.write(`  page cache warmed in ${warmPageCache(fixture.logPath).toFixed(1)} s\n\n`);

  const workDir = join(CACHE_DIR, 'runs');
  mkdirSync(workDir, { recursive: true });

  // the floor
  const floorCtx = { benchDir: BENCH_DIR, repoRoot: REPO_ROOT, logPath: fixture.logPath, lines: fixture.lines, bytes: fixture.bytes, workDir, timeoutSeconds: options.timeoutSeconds };
  const floorSamples = await sampleEach<FloorStep, FloorResult>(FLOOR_STEPS, options.runs, () => false, async (step, runNumber) => {
    process.stdout.write(`floor: ${FLOOR_LABEL[step]}${runLabel(runNumber, options.runs)} ... `);
    const result = await runFloor(step, floorCtx);
    process.stdout.write(result.kind === 'measured' ? `${result.measurement.wallSeconds.toFixed(2)} s\n` : `FAILED: ${result.message}\n`);
    return result;
  });
  const floor = FLOOR_STEPS.flatMap((step) => {
    const c = chosen(floorSamples.get(step) ?? []);
    return c === undefined ? [] : [c];
  });

  // breachscope
  let stepSamples = new Map<BreachscopeStep, StepResult[]>();
  if (cli.kind === 'ready') {
    const ctx = { repoRoot: REPO_ROOT, mainJs: cli.mainJs, casePath: fixture.casePath, lines: fixture.lines, storeDir: join(CACHE_DIR, 'store'), workDir, timeoutSeconds: options.timeoutSeconds };
    // A failure is the result for that step; repeating it only costs time. analyze needs ingest.
    const ingestFailed = (samples: ReadonlyMap<BreachscopeStep, StepResult[]>): boolean => (samples.get('ingest') ?? []).some((r) => r.kind === 'failed');
    stepSamples = await sampleEach<BreachscopeStep, StepResult>(BREACHSCOPE_STEPS, options.runs, (step, samples) => step === 'analyze' && ingestFailed(samples), async (step, runNumber) => {
      process.stdout.write(`breachscope ${STEP_LABEL[step]}${runLabel(runNumber, options.runs)} ... `);
      const result = await runStep(step, ctx);
      process.stdout.write(result.kind === 'measured' ? `${result.measurement.wallSeconds.toFixed(2)} s\n` : `FAILED: ${result.message}\n`);
      if (result.kind === 'measured') for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
      return result;
    });
  }
  const steps = BREACHSCOPE_STEPS.flatMap((step) => {
    const c = chosen(stepSamples.get(step) ?? []);
    return c === undefined ? [] : [c];
  });

  // peers
  const notInstalledShown = new Set<string>(); // lnav's three queries share one binary
  const peerSamples = await sampleEach<PeerName, PeerResult>(options.peers, options.runs, () => false, async (peer, runNumber) => {
    if (peerInstalled(peer)) process.stdout.write(`${peer}${runLabel(runNumber, options.runs)} ... `);
    const result = await runPeer(peer, { logPath: fixture.logPath, lines: fixture.lines, workDir, timeoutSeconds: options.peerTimeoutSeconds });
    if (result.kind === 'measured') process.stdout.write(`${result.measurement.wallSeconds.toFixed(2)} s, counted ${formatInt(result.countedLines)} lines\n`);
    else if (result.kind === 'failed') process.stdout.write(`FAILED: ${result.message}\n`);
    else if (!notInstalledShown.has(result.message)) process.stdout.write(`${result.message}\n`);
    if (result.kind === 'not-installed') notInstalledShown.add(result.message);
    return result;
  });
  const peers = options.peers.flatMap((peer) => {
    const c = chosen(peerSamples.get(peer) ?? []);
    return c === undefined ? [] : [c];
  });
  // lnav's distinct count is an outside check of the generator's: each client number one address.
  const lnavIps = peers.find((p) => p.peer === 'lnav-ips');
  const lnavDistinct = lnavIps?.kind === 'measured' ? Number(lnavIps.resultRow?.split(/\s+/)[1]) : undefined;
  if (fixture.facts !== undefined && lnavDistinct !== undefined && lnavDistinct !== fixture.facts.distinctClientIps) {
    process.stdout.write(`warning: lnav counted ${formatInt(lnavDistinct)} distinct client IPs, the generator wrote ${formatInt(fixture.facts.distinctClientIps)}\n`);
  }
  process.stdout.write('\n');

  // rows
  const rows: Row[] = [];
  for (const f of floor) {
    const m = f.kind === 'measured' ? f.measurement : undefined;
    rows.push({ fixture: name, tool: 'floor', step: FLOOR_LABEL[f.step], seconds: m?.wallSeconds, peakRssBytes: m?.peakRssBytes, note: f.kind === 'failed' ? `failed: ${f.message.split('\n')[0] ?? ''}` : undefined });
  }
  if (cli.kind === 'not-built') rows.push({ fixture: name, tool: 'breachscope', step: 'all', seconds: undefined, peakRssBytes: undefined, note: 'not built (npm run build)' });
  for (const s of steps) {
    if (s.kind === 'measured') {
      // Both figures are kept; the table shows the outside measurement, the same for every tool.
      const selfRss = s.stats.maxRssBytes;
      const outsideRss = s.measurement.peakRssBytes;
      const drift = outsideRss !== undefined && Math.abs(selfRss - outsideRss) > 0.1 * outsideRss ? `; self-reported max RSS ${formatInt(selfRss / MIB)} MiB differs by >10%` : '';
      rows.push({
        fixture: name,
        tool: 'breachscope',
        step: STEP_LABEL[s.step],
        seconds: s.measurement.wallSeconds,
        peakRssBytes: outsideRss ?? selfRss,
        note: `self-reported ${(s.stats.wallMs / 1000).toFixed(2)} s, ${formatInt(selfRss / MIB)} MiB${drift}`,
      });
    } else {
      rows.push({ fixture: name, tool: 'breachscope', step: STEP_LABEL[s.step], seconds: undefined, peakRssBytes: undefined, note: `failed: ${s.message.split('\n')[0] ?? ''}` });
    }
  }
  for (const p of peers) {
    if (p.kind === 'measured') rows.push({ fixture: name, tool: p.tool, step: p.step, seconds: p.measurement.wallSeconds, peakRssBytes: p.measurement.peakRssBytes, note: undefined });
    else rows.push({ fixture: name, tool: p.tool, step: p.step, seconds: undefined, peakRssBytes: undefined, note: p.kind === 'not-installed' ? p.message : `failed: ${p.message.split('\n')[0] ?? ''}` });
  }

  const fullAnalyzeSeconds = secondsOf(steps.find((s) => s.step === 'full-analyze'));
  const baselines: Baselines = {
    lines: fixture.lines,
    floorSeconds: secondsOf(floor.find((f) => f.step === 'duckdb')),
    lnavDistinctIpSeconds: secondsOf(peers.find((p) => p.peer === 'lnav-ips')),
    fullAnalyzeSeconds,
  };
  // Memory is judged on the worst of every run, self-reported or measured outside, and
  // only when every breachscope step was measured.
  const rssValues = [...stepSamples.values()].flat().flatMap((s) => (s.kind === 'measured' ? [s.stats.maxRssBytes, s.measurement.peakRssBytes ?? 0] : []));
  const allStepsMeasured = cli.kind === 'ready' && steps.filter((s) => s.kind === 'measured').length === BREACHSCOPE_STEPS.length;
  const targets = evaluateTargets({
    fixture: name,
    lines: fixture.lines,
    fullAnalyzeSeconds,
    floorSeconds: baselines.floorSeconds,
    lnavDistinctIpSeconds: baselines.lnavDistinctIpSeconds,
    breachscopePeakRssBytes: allStepsMeasured ? Math.max(...rssValues) : undefined,
  });
  return { fixture, floorSamples, floor, stepSamples, steps, peerSamples, peers, baselines, sha256Seconds: secondsOf(floor.find((f) => f.step === 'sha256')), rows, targets };
}

/** Runs in which the rest of the machine used more than CONTENTION_WARNING_SHARE of the cores. */
function contendedRuns(run: FixtureRun, runs: number): string[] {
  const cores = cpus().length;
  const labelled = [
    ...[...run.floorSamples.values()].flatMap((samples) => samples.map((r, i) => ({ m: r.measurement, label: `floor ${r.step}${runLabel(i + 1, runs)}` }))),
    ...[...run.stepSamples.values()].flatMap((samples) => samples.map((r, i) => ({ m: r.measurement, label: `breachscope ${r.step}${runLabel(i + 1, runs)}` }))),
    ...[...run.peerSamples.values()].flatMap((samples) => samples.map((r, i) => ({ m: r.kind === 'not-installed' ? undefined : r.measurement, label: `${r.peer}${runLabel(i + 1, runs)}` }))),
  ];
  return labelled.flatMap(({ m, label }) => {
    if (m?.otherCpuSeconds === undefined) return [];
    const share = m.otherCpuSeconds / (m.wallSeconds * cores);
    return share > CONTENTION_WARNING_SHARE ? [`[${run.fixture.name}] ${label} (${(share * 100).toFixed(0)}%)`] : [];
  });
}

function ratioOrNull(seconds: number, base: number | undefined): number | null {
  return base === undefined ? null : seconds / base;
}

function fixtureJson(run: FixtureRun): Record<string, unknown> {
  const { fixture, baselines } = run;
  const ratios = (seconds: number): Record<string, number | null> => ({
    vs_floor: ratioOrNull(seconds, baselines.floorSeconds),
    vs_sha256: ratioOrNull(seconds, run.sha256Seconds),
    vs_lnav_distinct_ip: ratioOrNull(seconds, baselines.lnavDistinctIpSeconds),
  });
  return {
    name: fixture.name,
    lines: fixture.lines,
    bytes: fixture.bytes,
    generator_version: generatorVersion(fixture.name),
    log: relative(REPO_ROOT, fixture.logPath),
    case: relative(REPO_ROOT, fixture.casePath),
    facts: fixture.facts === undefined
      ? null
      : {
          distinct_client_ips: fixture.facts.distinctClientIps,
          document_requests: fixture.facts.documentRequests,
          unauthorized_document_requests: fixture.facts.unauthorizedDocumentRequests,
          distinct_documents_requested: fixture.facts.distinctDocumentsRequested,
        },
    baselines: {
      floor_seconds: baselines.floorSeconds ?? null,
      sha256_seconds: run.sha256Seconds ?? null,
      lnav_distinct_ip_seconds: baselines.lnavDistinctIpSeconds ?? null,
      full_analyze_seconds: baselines.fullAnalyzeSeconds ?? null,
    },
    floor: run.floor.map((f) =>
      f.kind === 'measured'
        ? {
            step: f.step,
            label: FLOOR_LABEL[f.step],
            status: 'measured',
            command: f.measurement.command.map(displayArg),
            ...measurementJson(f.measurement),
            lines_per_second: fixture.lines / f.measurement.wallSeconds,
            samples: (run.floorSamples.get(f.step) ?? []).map((r) => (r.kind === 'measured' ? measurementJson(r.measurement) : { failed: r.message })),
          }
        : { step: f.step, label: FLOOR_LABEL[f.step], status: 'failed', message: f.message, wall_seconds: f.measurement?.wallSeconds ?? null },
    ),
    breachscope: run.steps.map((s) =>
      s.kind === 'measured'
        ? {
            step: s.step,
            status: 'measured',
            command: s.measurement.command.map(displayArg),
            ...measurementJson(s.measurement),
            self_reported: { wall_ms: s.stats.wallMs, max_rss_bytes: s.stats.maxRssBytes },
            lines_per_second: fixture.lines / s.measurement.wallSeconds,
            ...ratios(s.measurement.wallSeconds),
            notes: s.notes,
            summary: s.summary ?? null,
            samples: (run.stepSamples.get(s.step) ?? []).map((r) =>
              r.kind === 'measured' ? { ...measurementJson(r.measurement), self_reported: { wall_ms: r.stats.wallMs, max_rss_bytes: r.stats.maxRssBytes } } : { failed: r.message },
            ),
          }
        : { step: s.step, status: 'failed', message: s.message, wall_seconds: s.measurement?.wallSeconds ?? null },
    ),
    peers: run.peers.map((p) =>
      p.kind === 'measured'
        ? {
            peer: p.peer,
            tool: p.tool,
            step: p.step,
            status: 'measured',
            version: p.version,
            command: p.measurement.command.map(displayArg),
            ...measurementJson(p.measurement),
            lines_per_second: fixture.lines / p.measurement.wallSeconds,
            ...ratios(p.measurement.wallSeconds),
            counted_lines: p.countedLines,
            result_row: p.resultRow ?? null,
            samples: (run.peerSamples.get(p.peer) ?? []).map((r) => (r.kind === 'measured' ? measurementJson(r.measurement) : { failed: r.message })),
          }
        : { peer: p.peer, tool: p.tool, step: p.step, status: p.kind, message: p.message },
    ),
    targets: run.targets.map((t) => ({ name: t.name, target: t.target, measured: t.measured, verdict: t.verdict })),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(CACHE_DIR, { recursive: true });
  const rel = (p: string): string => relative(process.cwd(), p) || '.';

  if (!hasGnuTime()) process.stdout.write('/usr/bin/time (GNU) not found: peak RSS is polled from /proc/<pid>/status VmHWM every 20 ms (apt-get install time for exact figures)\n');
  const cli = options.cli === DEFAULT_CLI ? cliStatus(DEFAULT_CLI, join(REPO_ROOT, 'src')) : cliStatus(options.cli, undefined);
  if (cli.kind === 'not-built') {
    process.stdout.write(`${cli.message}\n`);
  } else if (cli.staleFiles.length > 0) {
    process.stdout.write(`breachscope: warning: ${cli.staleFiles.length} file(s) under src/ are newer than the build (e.g. ${rel(cli.staleFiles[0] ?? '')}); \`npm run build\` to measure the current code\n`);
  }

  const runs: FixtureRun[] = [];
  for (const name of options.fixtures) runs.push(await benchFixture(name, options, cli, rel));
  // The store is only there to be measured; at 20M lines it takes gigabytes.
  rmSync(join(CACHE_DIR, 'store'), { recursive: true, force: true });

  process.stdout.write(
    `${runs.map((r) => `${r.fixture.name}: ${formatInt(r.fixture.lines)} lines, ${formatInt(r.fixture.bytes / MIB)} MiB`).join('; ')}. ` +
      `Wall time measured by this script around each process; peak RSS by ${hasGnuTime() ? 'GNU time (%M)' : '/proc VmHWM polling'}\n`,
  );
  const contended = runs.flatMap((r) => contendedRuns(r, options.runs));
  if (contended.length > 0) {
    process.stdout.write(
      `warning: other processes used more than ${CONTENTION_WARNING_SHARE * 100}% of the ${cpus().length} cores during: ${contended.join(', ')}; ` +
        'those times are inflated (the ratios less so: floor, tools and peers ran under the same load). Rerun on a quiet machine, or with --runs 3\n',
    );
  }
  process.stdout.write(`\n${renderTable(runs.flatMap((r) => r.rows), new Map(runs.map((r) => [r.fixture.name, r.baselines])))}\n`);
  for (const r of runs) process.stdout.write(`\ntargets, fixture ${r.fixture.name}:\n${renderTargets(r.targets)}\n`);

  // per-format ingest speeds (each reader on its own sample lines)
  const workDir = join(CACHE_DIR, 'runs');
  const formatSpeeds = cli.kind === 'ready' && options.formatLines > 0 ? await benchFormats(cli.mainJs, workDir, options.formatLines, options.timeoutSeconds) : [];
  const formatTargets = evaluateFormatTargets(formatSpeeds);
  if (formatSpeeds.length > 0) {
    process.stdout.write(`\nper-format ingest (each reader's sample lines cycled to ${formatInt(options.formatLines)} lines, format set, empty store):\n${renderFormatSpeeds(formatSpeeds)}\n`);
    process.stdout.write(`\ntargets, per format:\n${renderTargets(formatTargets)}\n`);
  }

  const resultPath = join(CACHE_DIR, 'last-run.json');
  const cpuList = cpus();
  const record = {
    schema: 2,
    finished_at: new Date().toISOString(),
    git_commit: gitCommit() ?? null,
    machine: { cpu: cpuList[0]?.model ?? 'unknown', cores: cpuList.length, memory_bytes: totalmem(), node: process.version, platform: `${process.platform}-${process.arch}` },
    rss_method: hasGnuTime() ? 'gnu-time' : 'proc-vmhwm',
    runs: options.runs,
    choice: 'median wall time of the runs; peak RSS of that run (the RSS target uses the largest of all runs)',
    ratios:
      "vs_floor: wall seconds / the same fixture's floor (floor-duckdb.mjs: DuckDB read_csv into a table of a new .duckdb file, every field parsed); " +
      'vs_sha256: / the SHA-256 of the log (floor-sha256.mjs); vs_lnav_distinct_ip: / lnav count(*), count(distinct c_ip)',
    breachscope: { status: cli.kind, ...(cli.kind === 'not-built' ? { message: cli.message } : { stale_source_files: cli.staleFiles.map((f) => relative(REPO_ROOT, f)) }) },
    fixtures: runs.map(fixtureJson),
    queries: { lnav_count: LNAV_COUNT_SQL, lnav_distinct_ip: LNAV_DISTINCT_IP_SQL, lnav_fields: LNAV_FIELDS_SQL },
    formats: formatSpeeds,
    format_targets: formatTargets,
  };
  writeFileSync(resultPath, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`\nresults: ${rel(resultPath)}\n`);

  if (cli.kind === 'not-built') {
    process.stdout.write(`\n${cli.message}\n`);
    return EXIT.notRun;
  }
  if (runs.some((r) => r.steps.some((s) => s.kind === 'failed') || r.floor.some((f) => f.kind === 'failed'))) return EXIT.notRun;
  return runs.every((r) => r.targets.every((t) => t.verdict === 'PASS')) && formatTargets.every((t) => t.verdict === 'PASS') ? EXIT.pass : EXIT.targetMissed;
}

process.exitCode = await main();
