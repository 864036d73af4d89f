// The three timed breachscope runs: ingest, analyze of the ingested store, and the
// "full analyze" (one analyze on an empty store, which ingests first) that the targets use.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { measure, tail, type Measurement } from './measure.js';

export const BREACHSCOPE_STEPS = ['ingest', 'analyze', 'full-analyze'] as const;
export type BreachscopeStep = (typeof BREACHSCOPE_STEPS)[number];

/** What the CLI prints on stderr with --stats: `breachscope-stats {"wall_ms":..,"max_rss_bytes":..}`. */
export interface SelfReportedStats {
  readonly wallMs: number;
  readonly maxRssBytes: number;
}

export type StepResult =
  | { readonly kind: 'measured'; readonly step: BreachscopeStep; readonly measurement: Measurement; readonly stats: SelfReportedStats; readonly notes: readonly string[]; readonly summary: unknown }
  | { readonly kind: 'failed'; readonly step: BreachscopeStep; readonly message: string; readonly measurement: Measurement | undefined };

export type CliStatus =
  | { readonly kind: 'ready'; readonly mainJs: string; readonly staleFiles: readonly string[] }
  | { readonly kind: 'not-built'; readonly message: string };

const STATS_LINE = /^breachscope-stats (\{.*\})\s*$/m;

function newestSourceFiles(dir: string, newerThanMs: number, found: string[] = []): string[] {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newestSourceFiles(path, newerThanMs, found);
    else if (/\.tsx?$/.test(entry.name) && statSync(path).mtimeMs > newerThanMs) found.push(path);
  }
  return found;
}

/**
 * Whether `mainJs` exists. `sourceDir` is the TypeScript it was built from, when known: a
 * bench of an old build measures old code, so say so rather than guess.
 */
export function cliStatus(mainJs: string, sourceDir: string | undefined): CliStatus {
  if (!existsSync(mainJs)) {
    return {
      kind: 'not-built',
      message: `breachscope is not built: ${mainJs} does not exist. Run \`npm run build\`, then \`npm run bench\` again.`,
    };
  }
  const staleFiles = sourceDir === undefined ? [] : newestSourceFiles(sourceDir, statSync(mainJs).mtimeMs);
  return { kind: 'ready', mainJs, staleFiles };
}

export function parseStats(stderr: string): SelfReportedStats | string {
  const m = STATS_LINE.exec(stderr);
  if (m?.[1] === undefined) return 'no `breachscope-stats {...}` line on stderr (was --stats implemented?)';
  try {
    const v = JSON.parse(m[1]) as { wall_ms?: unknown; max_rss_bytes?: unknown };
    if (typeof v.wall_ms !== 'number' || typeof v.max_rss_bytes !== 'number') return `stats line lacks numeric wall_ms/max_rss_bytes: ${m[1]}`;
    return { wallMs: v.wall_ms, maxRssBytes: v.max_rss_bytes };
  } catch {
    return `stats line is not JSON: ${m[1]}`;
  }
}

/**
 * The analyze JSON must account for every generated line (`ingest.events`): a run that
 * stored only part of the file would be fast for the wrong reason, so that is a failure.
 * Detector errors are kept as notes: the run finished, but measured less work.
 */
function checkAnalyzeOutput(json: AnalyzeJson, lines: number): { readonly failure: string | undefined; readonly notes: readonly string[] } {
  const events = json.ingest?.events;
  const failure =
    typeof events !== 'number'
      ? 'analyze JSON has no numeric ingest.events, so the bench cannot check that every line was read'
      : events !== lines
        ? `breachscope stored ${events} events for a ${lines}-line log (ingest.rejected_lines ${String(json.ingest?.rejected_lines)}): it did not read the whole file, so its time is not comparable`
        : undefined;
  const notes = (json.detectors ?? []).filter((d) => d.error !== null && d.error !== undefined).map((d) => `detector ${String(d.id)} reported an error: ${String(d.error)}`);
  return { failure, notes };
}

interface AnalyzeJson {
  readonly summary?: unknown;
  readonly ingest?: { readonly events?: unknown; readonly rejected_lines?: unknown };
  readonly detectors?: readonly { readonly id?: unknown; readonly error?: unknown }[];
}

export interface StepContext {
  readonly repoRoot: string;
  readonly mainJs: string;
  readonly casePath: string;
  readonly lines: number;
  readonly storeDir: string;
  readonly workDir: string;
  readonly timeoutSeconds: number;
}

function argsFor(step: BreachscopeStep, ctx: StepContext): string[] {
  return step === 'ingest'
    ? [ctx.mainJs, 'ingest', ctx.casePath, '--db', ctx.storeDir, '--stats']
    : [ctx.mainJs, 'analyze', ctx.casePath, '--db', ctx.storeDir, '--json', '--stats'];
}

export async function runStep(step: BreachscopeStep, ctx: StepContext): Promise<StepResult> {
  // ingest and full-analyze start from nothing; analyze reuses what ingest just stored.
  if (step !== 'analyze') rmSync(ctx.storeDir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  const m = await measure([process.execPath, ...argsFor(step, ctx)], {
    cwd: ctx.repoRoot,
    env,
    timeoutSeconds: ctx.timeoutSeconds,
    outPrefix: join(ctx.workDir, `breachscope-${step}`),
  });
  if (m.timedOut) return { kind: 'failed', step, measurement: m, message: `did not finish within ${ctx.timeoutSeconds} s` };
  if (m.exitCode !== 0) return { kind: 'failed', step, measurement: m, message: `exited with ${String(m.exitCode)}: ${tail(m.stderrPath, 800)}` };
  const stats = parseStats(readFileSync(m.stderrPath, 'utf8'));
  if (typeof stats === 'string') return { kind: 'failed', step, measurement: m, message: `${stats}; stderr: ${tail(m.stderrPath, 800)}` };
  const notes: string[] = [];
  let summary: unknown;
  if (step !== 'ingest') {
    const out = readFileSync(m.stdoutPath, 'utf8');
    let json: AnalyzeJson;
    try {
      json = JSON.parse(out) as AnalyzeJson;
    } catch {
      return { kind: 'failed', step, measurement: m, message: `--json output is not JSON: ${out.slice(0, 300)}` };
    }
    const check = checkAnalyzeOutput(json, ctx.lines);
    if (check.failure !== undefined) return { kind: 'failed', step, measurement: m, message: check.failure };
    summary = json.summary;
    notes.push(...check.notes);
  }
  return { kind: 'measured', step, measurement: m, stats, notes, summary };
}
