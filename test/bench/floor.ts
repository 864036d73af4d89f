// The floor: what reading the same log costs with no tool's logic in it, measured in the same run
// and the same way as every tool (wall time around the process, peak RSS by GNU time), so that each
// breachscope step can be given as a multiple of it. The two programs are plain .mjs files beside
// this one, so they can be run by hand (see README.md).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { measure, tail, type Measurement } from './measure.js';

/**
 * `duckdb`: DuckDB's read_csv into a table of a new .duckdb file, every field parsed. This is the
 * floor the ratios divide by. `sha256`: the SHA-256 of the log, shown on its own row.
 */
export const FLOOR_STEPS = ['sha256', 'duckdb'] as const;
export type FloorStep = (typeof FLOOR_STEPS)[number];

export const FLOOR_LABEL: Readonly<Record<FloorStep, string>> = {
  sha256: 'SHA-256 of the log (node crypto)',
  duckdb: 'DuckDB read_csv -> table',
};

export type FloorResult =
  | { readonly kind: 'measured'; readonly step: FloorStep; readonly measurement: Measurement }
  | { readonly kind: 'failed'; readonly step: FloorStep; readonly message: string; readonly measurement: Measurement | undefined };

export interface FloorContext {
  readonly benchDir: string;
  /** Where `@duckdb/node-api` resolves from. */
  readonly repoRoot: string;
  readonly logPath: string;
  readonly lines: number;
  readonly bytes: number;
  readonly workDir: string;
  readonly timeoutSeconds: number;
}

/** The program's one JSON line on stdout, or undefined. */
function lastJson(path: string): Record<string, unknown> | undefined {
  const line = readFileSync(path, 'utf8').trim().split('\n').pop() ?? '';
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function runFloor(step: FloorStep, ctx: FloorContext): Promise<FloorResult> {
  const database = join(ctx.workDir, 'floor.duckdb');
  const removeDatabase = (): void => {
    rmSync(database, { force: true });
    rmSync(`${database}.wal`, { force: true });
  };
  const command =
    step === 'sha256'
      ? [process.execPath, join(ctx.benchDir, 'floor-sha256.mjs'), ctx.logPath]
      : [process.execPath, join(ctx.benchDir, 'floor-duckdb.mjs'), ctx.logPath, database];
  removeDatabase(); // a fresh file every time: an existing table would make CREATE TABLE fail
  let m: Measurement;
  try {
    m = await measure(command, { cwd: ctx.repoRoot, env: process.env, timeoutSeconds: ctx.timeoutSeconds, outPrefix: join(ctx.workDir, `floor-${step}`) });
  } finally {
    removeDatabase(); // at 20M lines the table takes hundreds of MiB
  }
  if (m.timedOut) return { kind: 'failed', step, measurement: m, message: `did not finish within ${ctx.timeoutSeconds} s` };
  if (m.exitCode !== 0) return { kind: 'failed', step, measurement: m, message: `exited with ${String(m.exitCode)}: ${tail(m.stderrPath, 800)}` };
  // Like the peers, the floor must show it read everything: a partial read would be a low floor.
  const out = lastJson(m.stdoutPath);
  if (step === 'sha256' && out?.['bytes'] !== ctx.bytes) {
    return { kind: 'failed', step, measurement: m, message: `hashed ${String(out?.['bytes'])} bytes of a ${ctx.bytes}-byte log` };
  }
  if (step === 'duckdb' && (out?.['rows'] !== ctx.lines || out['rows_with_time'] !== ctx.lines)) {
    return { kind: 'failed', step, measurement: m, message: `stored ${String(out?.['rows'])} rows (${String(out?.['rows_with_time'])} with a time) of a ${ctx.lines}-line log` };
  }
  return { kind: 'measured', step, measurement: m };
}
