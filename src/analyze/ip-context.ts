import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { UserError } from '../util/user-error.js';
import { parsedIpSql } from './ip-sql.js';

/*
 * Offline IP context (`enrichment:` in the case file), looked up in SQL: the iptoasn TSVs and the
 * named address lists become ranges of address numbers (as ip-sql.ts parses addresses), and the
 * distinct client IPs of the document requests are joined to them by range (two inequalities, which
 * DuckDB runs as an inequality join), never one address at a time in JavaScript.
 * `ip_context` (client_ip, asn, as_org, country, lists) holds one row per client IP with any context.
 */

const V6_MAX = '340282366920938463463374607431768211455';

/** read_csv of a tab-separated file without a header, every column text; a short line is padded. */
const tsv = (columns: readonly string[]) =>
  `read_csv($file, delim = '\t', header = false, quote = '', escape = '', comment = '', auto_detect = false, null_padding = true,
     strict_mode = false, columns = {${columns.map((c) => `'${c}': 'VARCHAR'`).join(', ')}})`;

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const QUAD = `${OCTET}(\\.${OCTET}){3}`;
const quadNumber = (col: string) => `(${[1, 2, 3, 4].map((i) => `(split_part(${col}, '.', ${i})::UHUGEINT << ${32 - 8 * i})`).join(' | ')})`;

/**
 * The ranges of an iptoasn file as (fam, lo, hi, ...its data): fam 4 compares IPv4 numbers, 6
 * IPv6. The file is numbered once into a table (a CTE read three times could number it three
 * ways); dotted quads, nearly every line, are turned into numbers directly, the rest by ip-sql.
 */
async function loadRanges(store: Store, table: string, file: string, columns: readonly string[]): Promise<void> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ip_range_text AS
     SELECT row_number() OVER () AS n, * REPLACE (trim(lo) AS lo, trim(hi) AS hi),
       regexp_full_match(trim(lo), '${QUAD}') AND regexp_full_match(trim(hi), '${QUAD}') AS quads
     FROM ${tsv(columns)}`,
    { file },
  );
  const data = columns.filter((c) => c !== 'lo' && c !== 'hi').map((c) => `t.${c}`).join(', ');
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${table} AS
     WITH lo AS (${parsedIpSql('(SELECT n, lo AS raw FROM ip_range_text WHERE NOT quads)')}),
     hi AS (${parsedIpSql('(SELECT n, hi AS raw FROM ip_range_text WHERE NOT quads)')})
     SELECT 4 AS fam, ${quadNumber('t.lo')} AS lo, ${quadNumber('t.hi')} AS hi, ${data} FROM ip_range_text t WHERE quads
     UNION ALL
     SELECT CASE WHEN lo.v4 IS NOT NULL THEN 4 ELSE 6 END, coalesce(lo.v4::UHUGEINT, lo.v6), coalesce(hi.v4::UHUGEINT, hi.v6), ${data}
     FROM ip_range_text t JOIN lo USING (n) JOIN hi USING (n)
     WHERE (lo.v4 IS NOT NULL AND hi.v4 IS NOT NULL) OR (lo.v6 IS NOT NULL AND hi.v6 IS NOT NULL)`,
  );
  await store.run('DROP TABLE ip_range_text');
  const { n } = await store.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  if (n === 0) {
    throw new UserError({
      what: `no address range could be read from ${file}`,
      why: 'an iptoasn file has one range a line: range_start, range_end, then its data, separated by tabs',
      help: 'pass the ip2asn-v4.tsv / ip2asn-combined.tsv (asn) or ip2country-v4.tsv (country) file as downloaded, decompressed or .gz',
    });
  }
}

/** Each list's lines as ranges (name, fam, lo, hi); a line that is not an address or a block is an error naming it. */
async function loadLists(store: Store, lists: CaseFile['enrichment']['lists']): Promise<void> {
  await store.run('CREATE OR REPLACE TEMP TABLE ip_list_ranges (name VARCHAR, fam INTEGER, lo UHUGEINT, hi UHUGEINT)');
  for (const list of lists) {
    await refuseBadListLines(store, list.path);
    await store.run(
      `INSERT INTO ip_list_ranges
       WITH lines AS (
         SELECT generate_subscripts(l, 1) AS line, trim(regexp_replace(unnest(l), '#.*$', '')) AS text
         FROM (SELECT string_split(replace(content, chr(13), ''), chr(10)) AS l FROM read_text($file))
       ), e AS (
         SELECT line, text, split_part(text, '/', 1) AS raw, CASE WHEN contains(text, '/') THEN try_cast(split_part(text, '/', 2) AS INTEGER) END AS p,
           contains(text, '/') AS has_prefix FROM lines WHERE text <> ''
       ), a AS (${parsedIpSql('e')}),
       r AS (
         SELECT *, CASE WHEN v4 IS NOT NULL THEN 4 WHEN v6 IS NOT NULL THEN 6 END AS fam,
           CASE WHEN v4 IS NOT NULL THEN 32 ELSE 128 END - coalesce(p, CASE WHEN v4 IS NOT NULL THEN 32 ELSE 128 END) AS bits
         FROM a
       )
       SELECT $name, fam, lo, lo | CASE WHEN bits = 128 THEN ${V6_MAX}::UHUGEINT ELSE (1::UHUGEINT << bits::UHUGEINT) - 1 END
       FROM (SELECT fam, bits, CASE WHEN bits >= 128 THEN 0::UHUGEINT ELSE (coalesce(v4::UHUGEINT, v6) >> bits::UHUGEINT) << bits::UHUGEINT END AS lo FROM r
             WHERE fam IS NOT NULL AND (NOT has_prefix OR (p IS NOT NULL AND bits BETWEEN 0 AND CASE fam WHEN 4 THEN 32 ELSE 128 END)))`,
      { file: list.path, name: list.name },
    );
  }
}

async function refuseBadListLines(store: Store, file: string): Promise<void> {
  const bad = await store.all<{ line: number; text: string }>(
    `WITH lines AS (
       SELECT generate_subscripts(l, 1) AS line, trim(regexp_replace(unnest(l), '#.*$', '')) AS text
       FROM (SELECT string_split(replace(content, chr(13), ''), chr(10)) AS l FROM read_text($file))
     ), e AS (SELECT line, text, split_part(text, '/', 1) AS raw, split_part(text, '/', 2) AS p, contains(text, '/') AS has_prefix FROM lines WHERE text <> ''),
     a AS (${parsedIpSql('e')})
     SELECT line, text FROM a
     WHERE ip IS NULL OR (has_prefix AND coalesce(NOT regexp_full_match(p, '[0-9]{1,3}') OR p::INTEGER > CASE WHEN v4 IS NOT NULL THEN 32 ELSE 128 END, true))
     ORDER BY line LIMIT 5`,
    { file },
  );
  if (bad.length === 0) return;
  throw new UserError(
    bad.map((b) => ({
      what: `not an IP address or a CIDR block: ${JSON.stringify(b.text)}`,
      where: `${file}:${b.line}`,
      help: 'an address list holds one IP address or CIDR block (192.0.2.0/24, 2001:db8::/32) a line; # starts a comment',
    })),
  );
}

/**
 * The client IPs of `ip_client` inside a range of `ranges`, with `columns` of the range. Ranges of
 * one `part` (a list's name; the whole table when none) must not overlap: each address takes the
 * range starting nearest below it (an ASOF join, one sorted pass) and keeps it when it ends at or
 * after it. Two inequalities alone were planned as a nested-loop or piecewise merge join that
 * compares every address with every range.
 */
function inRanges(ranges: string, columns: string, part = "''"): string {
  return ([['4', 'v4::UHUGEINT', 'v4'], ['6', 'v6', 'v6']] as const)
    .map(([fam, number, column]) =>
      `SELECT c.raw, ${columns}
       FROM (SELECT raw, ${number} AS n, p.part FROM ip_client, (SELECT DISTINCT ${part} AS part FROM ${ranges}) p WHERE ${column} IS NOT NULL) c
       ASOF JOIN (SELECT *, ${part} AS part FROM ${ranges} WHERE fam = ${fam}) r ON c.part = r.part AND c.n >= r.lo
       WHERE c.n <= r.hi`)
    .join(' UNION ALL ');
}

/** Each list's ranges with overlapping ones merged (a block inside a block, a listed address inside a listed block). */
const MERGED_LISTS = `CREATE OR REPLACE TEMP TABLE ip_list_merged AS
  SELECT name, fam, min(lo) AS lo, max(hi) AS hi FROM (
    SELECT *, sum(starts) OVER (PARTITION BY name, fam ORDER BY lo, hi ROWS UNBOUNDED PRECEDING) AS island FROM (
      SELECT *, coalesce(lo > max(hi) OVER (PARTITION BY name, fam ORDER BY lo, hi ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), true)::INTEGER AS starts
      FROM ip_list_ranges))
  GROUP BY name, fam, island`;

/** Builds `ip_context` for the client IPs of `document_requests` (empty when the case names no enrichment). */
export async function buildIpContext(store: Store, caseFile: CaseFile): Promise<void> {
  const e = caseFile.enrichment;
  if (!hasIpContext(caseFile)) {
    await store.run('CREATE OR REPLACE TEMP TABLE ip_context (client_ip VARCHAR, asn VARCHAR, as_org VARCHAR, country VARCHAR, lists VARCHAR[])');
    return;
  }
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ip_client AS ${parsedIpSql('(SELECT DISTINCT client_ip AS raw FROM document_requests WHERE client_ip IS NOT NULL)')}`,
  );
  await store.run("CREATE OR REPLACE TEMP TABLE ip_asn (fam INTEGER, lo UHUGEINT, hi UHUGEINT, asn VARCHAR, country VARCHAR, org VARCHAR)");
  await store.run("CREATE OR REPLACE TEMP TABLE ip_country (fam INTEGER, lo UHUGEINT, hi UHUGEINT, country VARCHAR)");
  if (e.asn) await loadRanges(store, 'ip_asn', e.asn, ['lo', 'hi', 'asn', 'country', 'org']);
  if (e.country) await loadRanges(store, 'ip_country', e.country, ['lo', 'hi', 'country']);
  await loadLists(store, e.lists);
  await store.run(MERGED_LISTS);
  // iptoasn's ranges do not overlap; its "Not routed" rows (AS 0, country None) say nothing.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ip_context AS
     WITH asn AS (
       SELECT raw, asn, org, country FROM (${inRanges('ip_asn', 'r.asn, r.org, r.country')}) WHERE asn NOT IN ('0', '')
     ), ctry AS (
       SELECT raw, country FROM (${inRanges('ip_country', 'r.country')}) WHERE country NOT IN ('None', '')
     ), lists AS (
       SELECT raw, list(DISTINCT name ORDER BY name) AS lists FROM (${inRanges('ip_list_merged', 'r.name', 'name')}) GROUP BY raw
     ), any_ip AS (SELECT raw FROM asn UNION SELECT raw FROM ctry UNION SELECT raw FROM lists)
     SELECT i.raw AS client_ip, 'AS' || asn.asn AS asn, nullif(asn.org, '') AS as_org,
       coalesce(ctry.country, CASE WHEN asn.country NOT IN ('None', '') THEN asn.country END) AS country,
       coalesce(lists.lists, []::VARCHAR[]) AS lists
     FROM any_ip i LEFT JOIN asn USING (raw) LEFT JOIN ctry USING (raw) LEFT JOIN lists USING (raw)`,
  );
  await store.run('DROP TABLE ip_client; DROP TABLE ip_asn; DROP TABLE ip_country; DROP TABLE ip_list_ranges; DROP TABLE ip_list_merged');
}

/** Whether the case names any IP context: renderers show its columns only then. */
export const hasIpContext = (caseFile: CaseFile): boolean =>
  caseFile.enrichment.asn !== undefined || caseFile.enrichment.country !== undefined || caseFile.enrichment.lists.length > 0;
