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

export const TARGET_LINES_PER_SECOND = 1_500_000;
export const TARGET_LNAV_FRACTION = 0.25;
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
  readonly lines: number;
  readonly fullAnalyzeSeconds: number | undefined;
  readonly lnavCountSeconds: number | undefined;
  /** Largest RSS over all breachscope runs, self-reported or measured outside, whichever is larger. */
  readonly breachscopePeakRssBytes: number | undefined;
}

export function evaluateTargets(t: TargetInputs): TargetResult[] {
  const results: TargetResult[] = [];
  if (t.fullAnalyzeSeconds === undefined) {
    results.push({ name: 'breachscope full analyze throughput', target: `>= ${formatInt(TARGET_LINES_PER_SECOND)} lines/s`, measured: 'full analyze not measured', verdict: 'NOT MEASURED' });
  } else {
    const rate = t.lines / t.fullAnalyzeSeconds;
    results.push({
      name: 'breachscope full analyze throughput',
      target: `>= ${formatInt(TARGET_LINES_PER_SECOND)} lines/s`,
      measured: `${formatInt(rate)} lines/s (${t.fullAnalyzeSeconds.toFixed(2)} s for ${formatInt(t.lines)} lines)`,
      verdict: rate >= TARGET_LINES_PER_SECOND ? 'PASS' : 'FAIL',
    });
  }
  if (t.fullAnalyzeSeconds === undefined || t.lnavCountSeconds === undefined) {
    const missing = [t.fullAnalyzeSeconds === undefined ? 'full analyze' : '', t.lnavCountSeconds === undefined ? 'lnav count(*)' : ''].filter((s) => s !== '').join(' and ');
    results.push({ name: 'breachscope full analyze vs lnav count(*)', target: `<= 1/4 of lnav's time`, measured: `${missing} not measured`, verdict: 'NOT MEASURED' });
  } else {
    const fraction = t.fullAnalyzeSeconds / t.lnavCountSeconds;
    results.push({
      name: 'breachscope full analyze vs lnav count(*)',
      target: `<= 1/4 of lnav's time (<= ${(t.lnavCountSeconds * TARGET_LNAV_FRACTION).toFixed(2)} s)`,
      measured: `${t.fullAnalyzeSeconds.toFixed(2)} s vs lnav ${t.lnavCountSeconds.toFixed(2)} s = ${fraction.toFixed(2)} of lnav's time`,
      verdict: fraction <= TARGET_LNAV_FRACTION ? 'PASS' : 'FAIL',
    });
  }
  if (t.breachscopePeakRssBytes === undefined) {
    results.push({ name: 'breachscope peak RSS', target: '< 1024 MiB', measured: 'not measured', verdict: 'NOT MEASURED' });
  } else {
    results.push({
      name: 'breachscope peak RSS',
      target: '< 1024 MiB',
      measured: `${formatInt(t.breachscopePeakRssBytes / MIB)} MiB (largest of all breachscope runs)`,
      verdict: t.breachscopePeakRssBytes < TARGET_MAX_RSS_BYTES ? 'PASS' : 'FAIL',
    });
  }
  return results;
}

export function renderTargets(results: readonly TargetResult[]): string {
  const nameWidth = Math.max(...results.map((r) => r.name.length));
  return results.map((r) => `${r.verdict.padEnd(12)} ${r.name.padEnd(nameWidth)}  target ${r.target}; measured ${r.measured}`).join('\n');
}
