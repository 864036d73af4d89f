import type { Store } from '../db/store.js';
import { quoteIdent } from '../db/sql.js';
import { stage } from '../util/trace.js';
import { LEADING_COLUMNS, loadDetectors, type BrokenDetector, type Detector } from '../case/detector-catalog.js';

export type DetectorRun =
  | { readonly ok: true; readonly detector: Detector; readonly findings: number; readonly params: Readonly<Record<string, number | string>> }
  | { readonly ok: false; readonly id: string; readonly file: string; readonly line: number | undefined; readonly error: string; readonly detector?: Detector };

/**
 * Parses every loaded detector without running it (DuckDB's statement extraction), so `detectors`
 * reports SQL syntax errors of all files at once, with their line, before any case is analysed.
 */
export async function parseCheck(store: Store, detectors: readonly Detector[]): Promise<BrokenDetector[]> {
  const broken: BrokenDetector[] = [];
  for (const d of detectors) {
    try {
      const count = await store.statementCount(d.sql);
      if (count !== 1) broken.push({ id: d.id, file: d.file, line: undefined, error: `holds ${count} statements; a detector is one SELECT` });
    } catch (e) {
      const message = (e as Error).message;
      broken.push({ id: d.id, file: d.file, line: errorLine(message, d.sql), error: message.split('\n')[0]! });
    }
  }
  return broken;
}

function errorLine(message: string, sql: string): number | undefined {
  const m = /LINE (\d+):/.exec(message);
  if (m) return Number(m[1]);
  void sql;
  return undefined;
}

/**
 * Runs every detector against `document_requests` and collects the leading columns of their rows
 * in `findings`. A detector that fails to prepare or run becomes an error entry; the rest go on.
 */
export async function runDetectors(
  store: Store,
  settings: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  { detectors, broken }: ReturnType<typeof loadDetectors> = loadDetectors(),
): Promise<DetectorRun[]> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE findings (detector VARCHAR, counts_as VARCHAR, level VARCHAR, event_id BIGINT, document VARCHAR,
       actor VARCHAR, client_ip VARCHAR, event_time TIMESTAMPTZ, reason VARCHAR)`,
  );
  const runs: DetectorRun[] = broken.map((b) => ({ ok: false, ...b }));
  for (const d of detectors) {
    runs.push(await runOne(store, d, settings[d.id] ?? {}));
    await stage('detector', d.id);
  }
  return runs.sort((a, b) => (a.ok ? a.detector.id : a.id).localeCompare(b.ok ? b.detector.id : b.id));
}

async function runOne(store: Store, d: Detector, overrides: Readonly<Record<string, unknown>>): Promise<DetectorRun> {
  const values: Record<string, number | string> = {};
  for (const p of d.params) values[p.name] = (overrides[p.name] as number | string | undefined) ?? p.default;
  let names: string[];
  try {
    names = await store.parameterNames(d.sql);
  } catch (e) {
    const message = (e as Error).message;
    return { ok: false, id: d.id, file: d.file, line: errorLine(message, d.sql), error: message.split('\n')[0]!, detector: d };
  }
  const used: Record<string, number | string> = {};
  for (const name of names) {
    if (!(name in values)) return { ok: false, id: d.id, file: d.file, line: undefined, error: `uses $${name}, which no '-- param:' header declares`, detector: d };
    used[name] = values[name]!;
  }
  const table = quoteIdent(`detector_${d.id}`);
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${d.sql.replace(/;\s*$/, '')}`, used);
    // Output columns are known only once parameters are bound, so they are checked on the result.
    const lead = (await store.all<{ column_name: string }>(`DESCRIBE ${table}`)).map((c) => c.column_name).slice(0, LEADING_COLUMNS.length);
    if (lead.join(',') !== LEADING_COLUMNS.join(',')) {
      return { ok: false, id: d.id, file: d.file, line: undefined, error: `the first columns must be ${LEADING_COLUMNS.join(', ')}; found ${lead.join(', ')}`, detector: d };
    }
    await store.run(
      `INSERT INTO findings SELECT $id, $counts_as, $level, event_id, document, actor, client_ip, event_time, reason FROM ${table}`,
      { id: d.id, counts_as: d.countsAs, level: d.level },
    );
    const { n } = await store.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    return { ok: true, detector: d, findings: n, params: values };
  } catch (e) {
    const message = (e as Error).message;
    return { ok: false, id: d.id, file: d.file, line: errorLine(message, d.sql), error: message.split('\n')[0]!, detector: d };
  }
}
