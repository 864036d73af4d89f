import { LEADING_COLUMNS, type Detector, type loadDetectors } from '../../case/detector-catalog.js';
import type { DetectorRun } from '../detectors.js';
import { stage } from '../../util/trace.js';
import { chQuote, clickhouseGaps, rewriteForClickHouse } from './clickhouse-dialect.js';
import type { ClickHouse } from './clickhouse.js';

/**
 * Runs every detector of queries/ against ClickHouse's `document_requests`, through the dialect
 * layer, and collects the leading columns of their rows in `findings`: runDetectors (detectors.ts)
 * on the other engine. A detector that cannot run becomes an error entry; the rest go on.
 */
export async function runDetectorsOnClickHouse(
  ch: ClickHouse,
  settings: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  { detectors, broken }: ReturnType<typeof loadDetectors>,
): Promise<DetectorRun[]> {
  await ch.run(
    `CREATE TABLE findings (detector String, counts_as String, level String, event_id Int64, document Nullable(String),
       actor Nullable(String), client_ip Nullable(String), event_time Nullable(DateTime64(6, 'UTC')), reason Nullable(String))
     ENGINE = MergeTree ORDER BY tuple()`,
  );
  const runs: DetectorRun[] = broken.map((b) => ({ ok: false, ...b }));
  for (const d of detectors) {
    runs.push(await runOne(ch, d, settings[d.id] ?? {}));
    await stage('detector', d.id);
  }
  return runs.sort((a, b) => (a.ok ? a.detector.id : a.id).localeCompare(b.ok ? b.detector.id : b.id));
}

async function runOne(ch: ClickHouse, d: Detector, overrides: Readonly<Record<string, unknown>>): Promise<DetectorRun> {
  const values: Record<string, number | string> = {};
  for (const p of d.params) values[p.name] = (overrides[p.name] as number | string | undefined) ?? p.default;
  const sql = rewriteForClickHouse(d.sql, values);
  const fail = (error: string): DetectorRun => ({ ok: false, id: d.id, file: d.file, line: undefined, error, detector: d });
  const gaps = clickhouseGaps(sql);
  if (gaps.length > 0) return fail(`cannot run on ClickHouse: uses ${gaps.join(', ')}`);
  const table = `detector_${d.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
  try {
    await ch.run(`CREATE TABLE ${table} ENGINE = MergeTree ORDER BY tuple() AS ${sql}`);
    const lead = (await ch.all<{ name: string }>(`DESCRIBE TABLE ${table}`)).map((c) => c.name).slice(0, LEADING_COLUMNS.length);
    if (lead.join(',') !== LEADING_COLUMNS.join(',')) return fail(`the first columns must be ${LEADING_COLUMNS.join(', ')}; found ${lead.join(', ')}`);
    await ch.run(
      `INSERT INTO findings SELECT ${chQuote(d.id)}, ${chQuote(d.countsAs)}, ${chQuote(d.level)}, event_id, document, actor, client_ip, event_time, reason FROM ${table}`,
    );
    const { n } = await ch.one<{ n: number }>(`SELECT count() AS n FROM ${table}`);
    return { ok: true, detector: d, findings: n, params: values };
  } catch (e) {
    return fail(`on ClickHouse: ${(e as Error).message.split('\n')[0]!.slice(0, 400)}`);
  }
}
