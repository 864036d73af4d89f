import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Store } from '../../src/db/store.js';
import { formatSql } from '../../src/formats/format.js';
import { jsonl } from '../../src/formats/jsonl.js';
import { caddy, cloudflare, traefikJson } from '../../src/formats/proxies.js';
import { hideEscapes, hostOf, replaceIf, xffList } from '../../src/formats/sql-pieces.js';

/** The shortcuts that keep a reader cheap must give what the plain SQL gives, value for value. */
describe('sql pieces', () => {
  let store: Store;
  before(async () => {
    store = await Store.memory();
  });
  after(() => store.close());

  const VALUES = ['', 'plain', 'a, b, c', String.raw`a \"q\" \\ b`, String.raw`\\`, String.raw`end\"`, '[2001:db8::1]:443', '10.0.0.1:80', '2001:db8::1', '10.0.0.1', 'a:b:c', ':', 'x\u0003y'];

  async function both(fast: (x: string) => string, plain: (x: string) => string): Promise<{ v: string | null; fast: string | null; plain: string | null }[]> {
    return store.all(`SELECT v, ${fast('v')} AS fast, ${plain('v')} AS plain FROM (SELECT unnest($values::VARCHAR[]) AS v UNION ALL SELECT NULL)`, { values: VALUES });
  }

  test('when a value holds the text to replace or not then replaceIf gives what replace gives', async () => {
    for (const r of await both((x) => replaceIf(x, "', '", "','"), (x) => `replace(${x}, ', ', ',')`)) assert.equal(r.fast, r.plain, String(r.v));
    for (const r of await both((x) => replaceIf(x, 'chr(3)', `'"'`), (x) => `replace(${x}, chr(3), '"')`)) assert.equal(r.fast, r.plain, String(r.v));
    const rows = await both((x) => xffList(x), (x) => `nullif(replace(${x}, ', ', ','), '')`);
    assert.equal(rows.find((r) => r.v === 'a, b, c')?.fast, 'a,b,c');
    for (const r of rows) assert.equal(r.fast, r.plain, String(r.v));
  });

  test('when a line has Apache escapes or none then hideEscapes swaps \\\\ and \\" for 0x02 and 0x03 as the two replaces do', async () => {
    const rows = await both((x) => hideEscapes(x), (x) => `replace(replace(${x}, '\\\\', chr(2)), '\\"', chr(3))`);
    assert.equal(rows.find((r) => r.v === String.raw`a \"q\" \\ b`)?.fast, 'a \u0003q\u0003 \u0002 b');
    for (const r of rows) assert.equal(r.fast, r.plain, String(r.v));
  });

  test('when an address has no colon, one, or several then hostOf drops a port only after the single colon of v4:port', async () => {
    const rows = await both(
      (x) => hostOf(x),
      (x) => `CASE WHEN starts_with(${x}, '[') THEN split_part(substr(${x}, 2), ']', 1) WHEN length(${x}) - length(replace(${x}, ':', '')) = 1 THEN split_part(${x}, ':', 1) ELSE ${x} END`,
    );
    assert.equal(rows.find((r) => r.v === '10.0.0.1:80')?.fast, '10.0.0.1');
    assert.equal(rows.find((r) => r.v === '2001:db8::1')?.fast, '2001:db8::1');
    for (const r of rows) assert.equal(r.fast, r.plain, String(r.v));
  });

  test('when the longest line is known to be short then the JSON readers leave out the string-cutting regex, and keep it when unknown or long', () => {
    for (const format of [jsonl, caddy, traefikJson, cloudflare]) {
      const sql = (longestLine: number | undefined) => formatSql(format, { timezone: 'UTC', fields: {}, longestLine });
      assert.doesNotMatch(sql(10_000), /regexp_replace\(line/, format.name);
      assert.match(sql(undefined), /regexp_replace\(line/, format.name);
      // A sanitised copy may write three bytes for one: 400 KB may become 1.2 MB.
      assert.match(sql(400_000), /regexp_replace\(line/, format.name);
    }
  });
});
