// `npm run bench:engines -- [--fixture today|high|both] [--lines N]`: analyze time of the same
// ingested case with --engine duckdb and with --engine clickhouse (chdb in-process, over the Parquet
// set written from the store), and whether the two give the same figures. Needs chdb
// (npm run setup:clickhouse). Wall time of each analyze of an already-ingested store; the
// ClickHouse time includes writing the Parquet set from the store.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureFixture, FIXTURE_NAMES, type FixtureName } from './generate-fixture.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const CLI = join(resolve(BENCH_DIR, '..', '..'), 'dist', 'src', 'cli', 'main.js');
const { values } = parseArgs({ options: { fixture: { type: 'string', default: 'both' }, lines: { type: 'string', default: '2000000' } } });
const lines = Number(values.lines);
const fixtures: FixtureName[] = values.fixture === 'both' ? [...FIXTURE_NAMES] : [values.fixture as FixtureName];

function analyze(casePath: string, db: string, engine: string): { seconds: number; json: Record<string, unknown> } {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [CLI, 'analyze', casePath, '--db', db, '--json', '--engine', engine], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, json: JSON.parse(out) as Record<string, unknown> };
}

const same = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  ['summary', 'context', 'top'].every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k])) &&
  JSON.stringify((a.detectors as { findings: number }[]).map((d) => d.findings)) === JSON.stringify((b.detectors as { findings: number }[]).map((d) => d.findings));

process.stdout.write(`fixture   lines       duckdb s   clickhouse s   same figures\n`);
for (const name of fixtures) {
  const fixture = ensureFixture(join(BENCH_DIR, '.cache'), lines, name);
  const db = join(BENCH_DIR, '.cache', `engines-${name}-${lines}`);
  rmSync(db, { recursive: true, force: true });
  execFileSync(process.execPath, [CLI, 'ingest', fixture.casePath, '--db', db], { stdio: 'ignore' });
  const duck = analyze(fixture.casePath, db, 'duckdb');
  const ch = analyze(fixture.casePath, db, 'clickhouse');
  process.stdout.write(`${name.padEnd(9)} ${String(lines).padEnd(11)} ${duck.seconds.toFixed(1).padStart(8)}   ${ch.seconds.toFixed(1).padStart(12)}   ${same(duck.json, ch.json) ? 'yes' : 'NO'}\n`);
  rmSync(db, { recursive: true, force: true });
}
