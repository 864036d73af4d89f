import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { Store } from '../../src/db/store.js';
import { arrowSchema, packedSql, writeArrowFile } from '../../src/report/evidence-arrow.js';
import { tempDir } from '../helpers.js';

/** Text columns are cut out of one packed BLOB per row: lengths are bytes, NULL is not ''. */
describe('evidence.arrow writer', () => {
  test("when text columns hold NULL, '', multi-byte UTF-8 and quotes over several chunks then every value reads back exactly", async () => {
    const store = await Store.memory();
    const file = path.join(tempDir(), 'e.arrow');
    const texts = ['é', '', "a'b\"c", '日本語🔥', 'x'.repeat(300), null];
    try {
      await store.run(`CREATE TABLE t AS SELECT i AS line, (i * 7) % 500 AS status,
        CASE i % 6 WHEN 0 THEN 'é' WHEN 1 THEN '' WHEN 2 THEN 'a''b"c' WHEN 3 THEN '日本語🔥' WHEN 4 THEN repeat('x', 300) ELSE NULL END AS a,
        CASE WHEN i % 3 = 0 THEN NULL ELSE 'r' || i END AS b,
        TIMESTAMPTZ '2024-01-02 03:04:05.678+00' + to_seconds(i) AS sort_time
        FROM range(4099) r(i)`);
      const schema = arrowSchema(['event_time', 'a', 'line', 'b', 'status']);
      const column = (c: string) => (c === 'event_time' ? "epoch_ms(date_trunc('second', sort_time))" : c);
      await writeArrowFile(store, packedSql(schema, column, 'FROM t ORDER BY line'), schema, file);
    } finally {
      store.close();
    }
    const table = tableFromIPC(readFileSync(file));
    assert.equal(table.numRows, 4099);
    assert.ok(table.batches.length > 1);
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['event_time', 'a', 'line', 'b', 'status']);
    for (let i = 0; i < 4099; i++) {
      const row = table.get(i)!;
      assert.equal(row.a, texts[i % 6], `a at ${i}`);
      assert.equal(row.b, i % 3 === 0 ? null : `r${i}`, `b at ${i}`);
      assert.equal(row.line, BigInt(i));
      assert.equal(row.status, (i * 7) % 500);
      assert.equal(Number(row.event_time), Date.UTC(2024, 0, 2, 3, 4, 5) + i * 1000);
    }
  });
});
