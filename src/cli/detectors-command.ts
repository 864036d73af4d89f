import { Store } from '../db/store.js';
import { parseCheck } from '../analyze/detectors.js';
import { loadDetectors } from '../case/detector-catalog.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { packagePath } from './json-output.js';
import { clickhouseGaps, rewriteForClickHouse } from '../analyze/engine/clickhouse-dialect.js';
import type { Detector } from '../case/detector-catalog.js';

/** The engines a detector runs on: DuckDB always; ClickHouse when the dialect layer maps all it uses. */
function engines(d: Detector): { engines: string[]; clickhouse_gaps: string[] } {
  const gaps = clickhouseGaps(rewriteForClickHouse(d.sql, Object.fromEntries(d.params.map((p) => [p.name, p.default]))));
  return { engines: gaps.length === 0 ? ['duckdb', 'clickhouse'] : ['duckdb'], clickhouse_gaps: gaps };
}

export async function detectorsCommand(o: { json?: boolean }): Promise<void> {
  const loaded = loadDetectors();
  const store = await Store.memory();
  const unparsable = await parseCheck(store, loaded.detectors).finally(() => store.close());
  const broken = [...loaded.broken, ...unparsable];
  const detectors = loaded.detectors.filter((d) => !unparsable.some((b) => b.id === d.id));
  if (o.json) {
    const json = { detectors: detectors.map(({ sql: _sql, ...d }) => ({ ...d, file: packagePath(d.file), ...engines({ sql: _sql, ...d }) })), broken: broken.map((b) => ({ ...b, file: packagePath(b.file) })) };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const out: string[] = [];
  for (const d of detectors) {
    out.push(`${d.id}  [${d.countsAs}, ${d.level}, ${d.status}]`, `  ${d.title}: ${d.description}`);
    if (d.tags.length) out.push(`  tags: ${d.tags.join(', ')}`);
    for (const p of d.params) out.push(`  param ${p.name} = ${p.default}  (${p.description})`);
    if (d.falsepositive) out.push(`  false positives: ${d.falsepositive}`);
    const e = engines(d);
    out.push(`  engines: ${e.engines.join(', ')}${e.clickhouse_gaps.length ? ` (not clickhouse: uses ${e.clickhouse_gaps.join(', ')})` : ''}`);
    out.push('');
  }
  for (const b of broken) out.push(`BROKEN ${b.id}  ${b.file}${b.line ? `:${b.line}` : ''}: ${terminalSafe(b.error)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
