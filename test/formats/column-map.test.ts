import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENT_VALUE_COLUMNS, PARSED_COLUMNS } from '../../src/db/schema.js';
import { Store } from '../../src/db/store.js';
import { selectSql, type ColumnMap } from '../../src/formats/column-map.js';
import { FORMAT_NAMES, FORMATS } from '../../src/formats/registry.js';

let store: Store;
before(async () => {
  store = await Store.memory();
  await store.run("CREATE TEMP TABLE lines AS SELECT * FROM (VALUES (1, 'a 200'), (2, 'b x'), (3, 'c')) t(line_no, line)");
});
after(() => store.close());

const map: ColumnMap = {
  ctes: "s AS (SELECT line_no, line, string_split(line, ' ') AS f FROM lines)",
  from: 's',
  columns: { client_ip: 'f[1]', status: 'try_cast(f[2] AS INTEGER)' },
  rejectWhen: [
    ['len(f) < 2', "'only ' || len(f) || ' field'"],
    ['try_cast(f[2] AS INTEGER) IS NULL', "'status ' || f[2] || ' is not a number'"],
    [`f[2] = 'x'`, "'never: an earlier reject matched'"],
  ],
};

describe('column maps', () => {
  test('when a map fills two columns then the SELECT returns every event column in schema order, the rest typed NULLs', async () => {
    const rows = await store.all(`DESCRIBE ${selectSql(map)}`);
    assert.deepEqual(
      rows.map((r) => r.column_name),
      ['line_no', 'line', ...PARSED_COLUMNS],
    );
    const types = Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
    assert.equal(types.time, 'TIMESTAMP WITH TIME ZONE');
    assert.equal(types.bytes, 'BIGINT');
    assert.equal(types.status, 'INTEGER');
    assert.equal(types.document, 'VARCHAR');
    assert.equal(EVENT_VALUE_COLUMNS.length + 3, rows.length);
  });

  test('when several rejects match a line then the first one listed is its reason, and a parsed line has none', async () => {
    const rows = await store.all(`SELECT line_no, client_ip, status, reject_reason FROM (${selectSql(map)}) ORDER BY line_no`);
    assert.deepEqual(rows, [
      { line_no: 1, client_ip: 'a', status: 200, reject_reason: null },
      { line_no: 2, client_ip: 'b', status: null, reject_reason: 'status x is not a number' },
      { line_no: 3, client_ip: 'c', status: null, reject_reason: 'only 1 field' },
    ]);
  });

  test('when the fast path builds its SELECT then the raw line is left out', async () => {
    const rows = await store.all(`DESCRIBE ${selectSql(map, false)}`);
    assert.equal(rows.some((r) => r.column_name === 'line'), false);
  });
});

describe('format names', () => {
  test('when the registry lists its readers then every name a case file may give is unique and auto comes first', () => {
    assert.equal(FORMAT_NAMES[0], 'auto');
    assert.equal(FORMAT_NAMES.length, FORMATS.length + 1);
    assert.equal(new Set(FORMAT_NAMES).size, FORMAT_NAMES.length);
    assert.ok(FORMAT_NAMES.includes('haproxy') && FORMAT_NAMES.includes('w3c'));
  });
});
