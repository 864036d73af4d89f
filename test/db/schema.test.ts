import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EVENT_COLUMNS, EVENT_FIELDS, PARSED_COLUMNS } from '../../src/db/schema.js';
import { Store } from '../../src/db/store.js';
import { tempDir } from '../helpers.js';

/** The event schema is written once; the store's table and comments come from it. */
describe('event schema', () => {
  test('when a store is opened then events has exactly the schema columns, in order, typed and commented', async () => {
    const store = await Store.open(tempDir());
    try {
      const rows = await store.all<{ name: string; type: string; comment: string | null }>(
        "SELECT column_name AS name, data_type AS type, comment FROM duckdb_columns() WHERE table_name = 'events' ORDER BY column_index",
      );
      assert.deepEqual(rows.map((r) => r.name), Object.keys(EVENT_COLUMNS));
      assert.deepEqual(rows.map((r) => r.type.replace('TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ')), Object.values(EVENT_COLUMNS).map((c) => c.type));
      assert.equal(rows.find((r) => r.name === 'path')?.comment, 'path and query as requested');
    } finally {
      store.close();
    }
  });

  test('when formats and case files name columns then they are the schema\'s: parsed values then reject_reason; fields a subset', () => {
    assert.equal(PARSED_COLUMNS[PARSED_COLUMNS.length - 1], 'reject_reason');
    assert.deepEqual(PARSED_COLUMNS.slice(0, 2), ['time', 'client_ip']);
    assert.ok(!PARSED_COLUMNS.includes('event_id' as never));
    assert.deepEqual([...EVENT_FIELDS].filter((f) => !PARSED_COLUMNS.includes(f)), []);
    assert.ok(!EVENT_FIELDS.includes('vhost' as never), 'vhost is parsed but not a fields: key');
  });
});
