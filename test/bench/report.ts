// The results table and the pass/fail targets, from measurements only: a target whose
// inputs were not measured says NOT MEASURED, never PASS.

export interface Row {
  /** The fixture the row measured (`today`, `high`). */
  readonly fixture: string;
  readonly tool: string;
  readonly step: string;
  /** Undefined when the run did not produce a usable measurement. */
  readonly seconds: number | undefined;
  readonly peakRssBytes: number | undefined;
  /** Why there is no measurement, or what to know about it. */
  readonly note: string | undefined;
}

/** What every row of one fixture is divided by; undefined when that run was not measured. */
export interface Baselines {
  readonly lines: number;
  /** The floor: DuckDB read_csv into a table, every field parsed. */
  readonly floorSeconds: number | undefined;
  /** lnav `SELECT count(*), count(distinct c_ip)`. */
  readonly lnavDistinctIpSeconds: number | undefined;
  readonly fullAnalyzeSeconds: number | undefined;
}

export type Verdict = 'PASS' | 'FAIL' | 'NOT MEASURED';

export interface TargetResult {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
}

/*
 * Issue 14's targets (2 cores, ratios from one run): on the high-cardinality fixture, full analyze
 * within 3x the floor and a quarter of lnav count(*), count(distinct c_ip); today's fixture at
 * 500,000 lines/s end to end; each general-reader format at 200,000 lines/s; peak RSS under 1 GiB.
 */
export const TARGET_FLOOR_RATIO = 3;
export const TARGET_LNAV_FRACTION = 0.25;
export const TARGET_TODAY_LINES_PER_SECOND = 500_000;
export const TARGET_FORMAT_LINES_PER_SECOND = 200_000;
export const TARGET_MAX_RSS_BYTES = 1024 ** 3;

const MIB = 1024 * 1024;

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function pad(text: string, width: number, right: boolean): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function ratio(seconds: number | undefined, base: number | undefined): string {
  return seconds === undefined || base === undefined ? '-' : `${(seconds / base).toFixed(2)}x`;
}

export function renderTable(rows: readonly Row[], baselines: ReadonlyMap<string, Baselines>): string {
  const header = ['fixture', 'tool', 'step', 'seconds', 'lines/s', 'peak RSS MiB', 'vs floor', 'vs lnav ips', 'vs full analyze'];
  const body = rows.map((r) => {
    const b = baselines.get(r.fixture);
    return [
      r.fixture,
      r.tool,
      r.step,
      r.seconds === undefined ? '-' : r.seconds.toFixed(2),
      r.seconds === undefined || b === undefined ? '-' : formatInt(b.lines / r.seconds),
      r.peakRssBytes === undefined ? '-' : formatInt(r.peakRssBytes / MIB),
      ratio(r.seconds, b?.floorSeconds),
      ratio(r.seconds, b?.lnavDistinctIpSeconds),
      ratio(r.seconds, b?.fullAnalyzeSeconds),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const rightAligned = [false, false, false, true, true, true, true, true, true];
  const line = (cells: readonly string[]): string => cells.map((c, i) => pad(c, widths[i] ?? 0, rightAligned[i] ?? false)).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  const legend = [
    '',
    'vs floor: seconds / the same fixture\'s DuckDB read_csv -> table (the floor); vs lnav ips: seconds / lnav',
    "count(*), count(distinct c_ip); vs full analyze: seconds / breachscope's full analyze. Below 1.00x is faster.",
  ];
  const notes = rows.filter((r) => r.note !== undefined).map((r) => `  [${r.fixture}] ${r.tool} ${r.step}: ${r.note ?? ''}`);
  return [...out, ...legend, ...(notes.length > 0 ? ['', 'notes:', ...notes] : [])].join('\n');
}

export interface TargetInputs {
  readonly fixture: string;
  readonly lines: number;
  readonly fullAnalyzeSeconds: number | undefined;
  readonly floorSeconds: number | undefined;
  readonly lnavDistinctIpSeconds: number | undefined;
  /** Largest RSS over all breachscope runs, self-reported or measured outside, whichever is larger. */
  readonly breachscopePeakRssBytes: number | undefined;
}

const notMeasured = (name: string, target: string, missing: readonly (string | false)[]): TargetResult => ({
  name,
  target,
  measured: `${missing.filter((m) => m !== false).join(' and ')} not measured`,
  verdict: 'NOT MEASURED',
});

/** Full analyze as a multiple of the floor (high fixture). */
function floorTarget(t: TargetInputs): TargetResult {
  const name = 'full analyze vs the floor';
  const target = `<= ${TARGET_FLOOR_RATIO}x DuckDB read_csv -> table`;
  if (t.fullAnalyzeSeconds === undefined || t.floorSeconds === undefined) return notMeasured(name, target, [t.fullAnalyzeSeconds === undefined && 'full analyze', t.floorSeconds === undefined && 'floor']);
  const r = t.fullAnalyzeSeconds / t.floorSeconds;
  return { name, target, measured: `${t.fullAnalyzeSeconds.toFixed(2)} s vs ${t.floorSeconds.toFixed(2)} s = ${r.toFixed(2)}x`, verdict: r <= TARGET_FLOOR_RATIO ? 'PASS' : 'FAIL' };
}

/** Full analyze as a fraction of lnav's count(*), count(distinct c_ip) (high fixture). */
function lnavTarget(t: TargetInputs): TargetResult {
  const name = 'full analyze vs lnav count(distinct c_ip)';
  const target = `<= 1/4 of lnav's time`;
  if (t.fullAnalyzeSeconds === undefined || t.lnavDistinctIpSeconds === undefined) return notMeasured(name, target, [t.fullAnalyzeSeconds === undefined && 'full analyze', t.lnavDistinctIpSeconds === undefined && 'lnav-ips']);
  const f = t.fullAnalyzeSeconds / t.lnavDistinctIpSeconds;
  return {
    name,
    target: `${target} (<= ${(t.lnavDistinctIpSeconds * TARGET_LNAV_FRACTION).toFixed(2)} s)`,
    measured: `${t.fullAnalyzeSeconds.toFixed(2)} s vs lnav ${t.lnavDistinctIpSeconds.toFixed(2)} s = ${f.toFixed(2)} of lnav's time`,
    verdict: f <= TARGET_LNAV_FRACTION ? 'PASS' : 'FAIL',
  };
}

/** End-to-end lines per second (today's fixture). */
function throughputTarget(t: TargetInputs): TargetResult {
  const name = 'full analyze throughput';
  const target = `>= ${formatInt(TARGET_TODAY_LINES_PER_SECOND)} lines/s`;
  if (t.fullAnalyzeSeconds === undefined) return notMeasured(name, target, ['full analyze']);
  const rate = t.lines / t.fullAnalyzeSeconds;
  return { name, target, measured: `${formatInt(rate)} lines/s (${t.fullAnalyzeSeconds.toFixed(2)} s for ${formatInt(t.lines)} lines)`, verdict: rate >= TARGET_TODAY_LINES_PER_SECOND ? 'PASS' : 'FAIL' };
}

function rssTarget(t: TargetInputs): TargetResult {
  const name = 'peak RSS';
  const target = '< 1024 MiB';
  if (t.breachscopePeakRssBytes === undefined) return notMeasured(name, target, ['some breachscope step']);
  return { name, target, measured: `${formatInt(t.breachscopePeakRssBytes / MIB)} MiB (largest of all breachscope runs)`, verdict: t.breachscopePeakRssBytes < TARGET_MAX_RSS_BYTES ? 'PASS' : 'FAIL' };
}

/** The targets that apply to one fixture: the ratios on `high`, throughput on `today`, memory on both. */
export function evaluateTargets(t: TargetInputs): TargetResult[] {
  return t.fixture === 'high' ? [floorTarget(t), lnavTarget(t), rssTarget(t)] : [throughputTarget(t), rssTarget(t)];
}

/** The per-format target: each general reader at 200,000 lines/s (startup included). */
export function evaluateFormatTargets(rows: readonly { format: string; lines: number; seconds: number | undefined }[]): TargetResult[] {
  return rows.map((r) => {
    const name = `ingest, format ${r.format}`;
    const target = `>= ${formatInt(TARGET_FORMAT_LINES_PER_SECOND)} lines/s`;
    if (r.seconds === undefined) return notMeasured(name, target, ['the ingest']);
    const rate = r.lines / r.seconds;
    return { name, target, measured: `${formatInt(rate)} lines/s`, verdict: rate >= TARGET_FORMAT_LINES_PER_SECOND ? 'PASS' : 'FAIL' };
  });
}

export function renderTargets(results: readonly TargetResult[]): string {
  const nameWidth = Math.max(...results.map((r) => r.name.length));
  return results.map((r) => `${r.verdict.padEnd(12)} ${r.name.padEnd(nameWidth)}  target ${r.target}; measured ${r.measured}`).join('\n');
}
