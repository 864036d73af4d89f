import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { chQuote, clickhouseGaps, MACROS, rewriteForClickHouse } from '../../src/analyze/engine/clickhouse-dialect.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

describe('rewriteForClickHouse', () => {
  test('when a detector binds $name then the declared value is written in, numbers bare and text quoted', () => {
    assert.equal(rewriteForClickHouse('SELECT $a + 1, $b, $c', { a: 10, b: "O'Brien \\ x" }), "SELECT 10 + 1, 'O\\'Brien \\\\ x', $c");
  });

  test('when try_cast wraps a nested expression then it becomes accurateCastOrNull with the ClickHouse type', () => {
    assert.equal(
      rewriteForClickHouse("try_cast(regexp_extract(document, '([0-9]{1,30})$', 1) AS HUGEINT) AS n"),
      "accurateCastOrNull(regexp_extract(document, '([0-9]{1,30})$', 1), 'Int128') AS n",
    );
  });

  test('when DuckDB casts with :: or CAST AS then the type names are ClickHouse\'s', () => {
    assert.equal(rewriteForClickHouse('status::VARCHAR, NULL::VARCHAR, CAST($m AS BIGINT)', { m: 5 }), 'status::String, NULL::String, CAST(5 AS Int64)');
  });

  test('when regexp_replace or to_minutes is called then the DuckDB meaning is kept under another name', () => {
    // ClickHouse's own regexp_replace replaces every match and its to_days is a day number.
    assert.equal(rewriteForClickHouse("regexp_replace(d, '[0-9]+$', ''), to_minutes(3), to_days(1)"), "replaceRegexpOne(d, '[0-9]+$', ''), breachscope_to_minutes(3), breachscope_to_days(1)");
    assert.equal(MACROS.to_minutes, '(x) -> x * 60000000');
  });

  test('when a macro is called then the call names the prefixed function, and the same words inside a string literal are left as written', () => {
    assert.equal(
      rewriteForClickHouse("SELECT contains(path, 'x'), try(url_decode(p)), 'try(contains(a)) it''s' AS reason"),
      "SELECT breachscope_contains(path, 'x'), breachscope_try(breachscope_url_decode(p)), 'try(contains(a)) it''s' AS reason",
    );
    assert.equal(
      rewriteForClickHouse("-- the owner's document\nSELECT contains(a, 'b') -- it's contains(\nFROM t"),
      "-- the owner's document\nSELECT breachscope_contains(a, 'b') -- it's contains(\nFROM t",
      'an apostrophe in a comment opens no literal',
    );
  });

  test('when a window is a RANGE over a timestamp then it is ordered by its microseconds', () => {
    assert.equal(
      rewriteForClickHouse('count(*) OVER (PARTITION BY a ORDER BY time RANGE BETWEEN to_minutes(10) PRECEDING AND CURRENT ROW)'),
      'count(*) OVER (PARTITION BY a ORDER BY toUnixTimestamp64Micro(time) RANGE BETWEEN breachscope_to_minutes(10) PRECEDING AND CURRENT ROW)',
    );
  });
});

describe('chQuote', () => {
  test('when text holds quotes and backslashes then both are escaped (backslash is an escape in ClickHouse literals)', () => {
    assert.equal(chQuote("a'b\\c"), "'a\\'b\\\\c'");
    assert.throws(() => chQuote('a\0b'));
  });
});

describe('clickhouseGaps', () => {
  test('when every detector of queries/ is rewritten with its defaults then none uses a construct the layer cannot map', () => {
    const dir = path.join(ROOT, 'queries');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql'))) {
      const sql = readFileSync(path.join(dir, f), 'utf8');
      const params = Object.fromEntries([...sql.matchAll(/^-- param: (\w+) \([^)]*\) = (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
      assert.deepEqual(clickhouseGaps(rewriteForClickHouse(sql, params)), [], f);
    }
  });

  test('when a detector uses QUALIFY, list lambdas or an undeclared parameter then each is named', () => {
    assert.deepEqual(clickhouseGaps('SELECT list_filter(x, lambda e: e) FROM t QUALIFY row_number() OVER () = 1 AND $p'), ['QUALIFY', 'list lambdas', 'lambdas', 'an undeclared parameter']);
    assert.deepEqual(clickhouseGaps("SELECT 'QUALIFY $x' -- QUALIFY"), [], 'words in strings and comments are not code');
  });
});

describe('breachscope detectors', () => {
  test('when a detector uses a DuckDB construct the layer cannot map then it is listed as DuckDB-only, naming the construct', () => {
    const dir = tempDir();
    for (const f of readdirSync(path.join(ROOT, 'queries')).filter((n) => n.endsWith('.sql'))) copyFileSync(path.join(ROOT, 'queries', f), path.join(dir, f));
    writeFileSync(
      path.join(dir, 'first_request_per_document.sql'),
      readFileSync(path.join(ROOT, 'queries', 'unknown_document_access.sql'), 'utf8').replace(/\s*$/, '\nQUALIFY row_number() OVER (PARTITION BY document ORDER BY time) = 1\n'),
    );
    const r = runCli(['detectors', '--json'], { env: { BREACHSCOPE_QUERIES: dir } });
    assert.equal(r.code, 0, r.stderr);
    const list = (JSON.parse(r.stdout) as { detectors: { id: string; engines: string[]; clickhouse_gaps: string[] }[] }).detectors;
    const odd = list.find((d) => d.id === 'first_request_per_document');
    assert.deepEqual(odd && [odd.engines, odd.clickhouse_gaps], [['duckdb'], ['QUALIFY']]);
    assert.deepEqual(list.find((d) => d.id === 'document_id_enumeration')?.engines, ['duckdb', 'clickhouse']);
    assert.match(runCli(['detectors'], { env: { BREACHSCOPE_QUERIES: dir } }).stdout, /engines: duckdb \(not clickhouse: uses QUALIFY\)/);
  });
});
