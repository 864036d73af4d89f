import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Store } from '../../src/db/store.js';
import { tempDir } from '../helpers.js';

/** What the store offers in place of its DuckDB connection (which nothing outside src/db/ touches). */
describe('store operations', () => {
  test("when copyTo writes to a path with quotes and backslashes then the file is there with every row, and the row count is returned", async () => {
    const store = await Store.memory();
    try {
      const file = path.join(tempDir(), String.raw`it's a \'folder\'.csv`);
      const n = await store.copyTo("SELECT i, 'x''' || i AS t FROM range(3) r(i)", file, 'FORMAT csv, HEADER true');
      assert.equal(n, 3);
      assert.equal(readFileSync(file, 'utf8'), "i,t\n0,x'0\n1,x'1\n2,x'2\n");
    } finally {
      store.close();
    }
  });

  test('when a result spans several chunks then columnChunks gives every row once, column by column, BIGINT as number and NULL as null', async () => {
    const store = await Store.memory();
    try {
      const seen: number[] = [];
      let chunks = 0;
      for await (const c of store.columnChunks('SELECT i, CASE WHEN i % 2 = 0 THEN NULL ELSE i::VARCHAR END AS t FROM range(5000) r(i) ORDER BY i')) {
        chunks++;
        assert.equal(c.columns.length, 2);
        for (let r = 0; r < c.rows; r++) {
          const i = c.columns[0]![r] as number;
          assert.equal(typeof i, 'number');
          assert.equal(c.columns[1]![r], i % 2 === 0 ? null : String(i));
          seen.push(i);
        }
      }
      assert.ok(chunks > 1, `${chunks} chunk(s)`);
      assert.deepEqual(seen, Array.from({ length: 5000 }, (_, i) => i));
    } finally {
      store.close();
    }
  });

  test('when a store is created and opened again then its tables are there once and the events columns keep their comments', async () => {
    const dir = tempDir();
    const comments = async (store: Store) =>
      store.all<{ column_name: string; comment: string | null }>(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = current_database() AND table_name = 'events' ORDER BY column_index",
      );
    const first = await Store.open(dir);
    const created = await comments(first);
    first.close();
    const again = await Store.open(dir);
    try {
      assert.deepEqual(await comments(again), created);
      assert.equal(created.find((c) => c.column_name === 'event_id')?.comment, 'file_id * 1e12 + line: stable, and names its file and line');
      assert.ok(created.every((c) => typeof c.comment === 'string' && c.comment.length > 0), 'every events column has its comment');
      const tables = await again.all<{ table_name: string }>("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_name");
      assert.deepEqual(tables.map((t) => t.table_name), ['events', 'files', 'lines', 'meta', 'rejects']);
    } finally {
      again.close();
    }
  });

  test('when a statement is checked then statementCount counts statements and parameterNames lists its $names; a parse error throws with its line', async () => {
    const store = await Store.memory();
    try {
      assert.equal(await store.statementCount('SELECT 1; SELECT 2'), 2);
      assert.deepEqual(await store.parameterNames('SELECT $b + $a AS x'), ['b', 'a']);
      await assert.rejects(store.statementCount('SELECT\nFROM WHERE'), /LINE 2/);
      // Prepared statements are released: many in a row leave the store usable.
      for (let i = 0; i < 200; i++) await store.parameterNames(`SELECT $p${i}`);
      assert.equal((await store.one<{ x: number }>('SELECT 41 + 1 AS x')).x, 42);
    } finally {
      store.close();
    }
  });
});
