import { EVENT_COLUMNS, EVENT_VALUE_COLUMNS, type EventColumn } from '../db/schema.js';

/** A DuckDB SQL expression or fragment. */
export type Sql = string;

/** The event columns a format fills (provenance columns are ingest's). */
export type ValueColumn = { [K in EventColumn]: (typeof EVENT_COLUMNS)[K]['kind'] extends 'provenance' ? never : K }[EventColumn];

/**
 * A reader as data: CTEs that take `lines(line_no, line)` apart, the relation the row is read from,
 * the SQL for each event column it fills, and the conditions that reject a line, first match wins.
 * selectSql turns it into the one SELECT every reader returns.
 */
export interface ColumnMap {
  /** `name AS (...)` entries, comma-separated, without the WITH; the first reads `lines`. */
  readonly ctes?: Sql;
  /** The relation the SELECT reads: the last CTE, or `lines`. */
  readonly from: string;
  readonly columns: Readonly<Partial<Record<ValueColumn, Sql>>>;
  /** [condition, reason] pairs: the reason is an SQL text expression, the sentence a rejected line gets. */
  readonly rejectWhen: readonly (readonly [when: Sql, reason: Sql])[];
}

/**
 * The SELECT of a column map: `line_no`, the raw `line` (unless `withLine` is false: the fast path
 * reads it apart), every event value column in schema order (a typed NULL where the map has none)
 * and `reject_reason`, NULL for a parsed line.
 */
export function selectSql(map: ColumnMap, withLine = true): Sql {
  const values = EVENT_VALUE_COLUMNS.map((c) => `  ${map.columns[c as ValueColumn] ?? `NULL::${EVENT_COLUMNS[c].type}`} AS ${c}`);
  const reject = map.rejectWhen.length === 0 ? 'NULL::VARCHAR' : `CASE\n${map.rejectWhen.map(([when, why]) => `    WHEN ${when} THEN ${why}`).join('\n')}\n  END`;
  return `${map.ctes ? `\nWITH ${map.ctes}` : ''}
SELECT
  line_no,${withLine ? '\n  line,' : ''}
${values.join(',\n')},
  ${reject} AS reject_reason
FROM ${map.from}`;
}
