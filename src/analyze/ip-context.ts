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

/** The ranges of an iptoasn file as (fam, lo, hi, asn, country, org): fam 4 compares v4 numbers, 6 v6. */
async function loadRanges(store: Store, table: string, file: string, columns: readonly string[]): Promise<void> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${table} AS
     WITH t AS (SELECT row_number() OVER () AS n, * FROM ${tsv(columns)}),
     lo AS (${parsedIpSql('(SELECT n, trim(lo) AS raw FROM t)')}),
     hi AS (${parsedIpSql('(SELECT n, trim(hi) AS raw FROM t)')})
     SELECT CASE WHEN lo.v4 IS NOT NULL THEN 4 ELSE 6 END AS fam,
       coalesce(lo.v4::UHUGEINT, lo.v6) AS lo, coalesce(hi.v4::UHUGEINT, hi.v6) AS hi, t.* EXCLUDE (n, lo, hi)
     FROM t JOIN lo USING (n) JOIN hi USING (n)
     WHERE (lo.v4 IS NOT NULL AND hi.v4 IS NOT NULL) OR (lo.v6 IS NOT NULL AND hi.v6 IS NOT NULL)`,
    { file },
  );
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
  const number = `coalesce(c.v4::UHUGEINT, c.v6)`;
  const fam = `CASE WHEN c.v4 IS NOT NULL THEN 4 ELSE 6 END`;
  // The narrowest range wins where ranges nest; iptoasn's "Not routed" rows (AS 0, country None) say nothing.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ip_context AS
     WITH asn AS (
       SELECT c.raw, arg_min(r.asn, r.hi - r.lo) AS asn, arg_min(r.org, r.hi - r.lo) AS org, arg_min(r.country, r.hi - r.lo) AS country
       FROM ip_client c JOIN ip_asn r ON ${number} >= r.lo AND ${number} <= r.hi AND r.fam = ${fam}
       WHERE r.asn NOT IN ('0', '') GROUP BY c.raw
     ), ctry AS (
       SELECT c.raw, arg_min(r.country, r.hi - r.lo) AS country
       FROM ip_client c JOIN ip_country r ON ${number} >= r.lo AND ${number} <= r.hi AND r.fam = ${fam}
       WHERE r.country NOT IN ('None', '') GROUP BY c.raw
     ), lists AS (
       SELECT c.raw, list(DISTINCT r.name ORDER BY r.name) AS lists
       FROM ip_client c JOIN ip_list_ranges r ON ${number} >= r.lo AND ${number} <= r.hi AND r.fam = ${fam}
       GROUP BY c.raw
     ), any_ip AS (SELECT raw FROM asn UNION SELECT raw FROM ctry UNION SELECT raw FROM lists)
     SELECT i.raw AS client_ip, 'AS' || asn.asn AS asn, nullif(asn.org, '') AS as_org,
       coalesce(ctry.country, CASE WHEN asn.country NOT IN ('None', '') THEN asn.country END) AS country,
       coalesce(lists.lists, []::VARCHAR[]) AS lists
     FROM any_ip i LEFT JOIN asn USING (raw) LEFT JOIN ctry USING (raw) LEFT JOIN lists USING (raw)`,
  );
  await store.run('DROP TABLE ip_client; DROP TABLE ip_asn; DROP TABLE ip_country; DROP TABLE ip_list_ranges');
}

/** Whether the case names any IP context: renderers show its columns only then. */
export const hasIpContext = (caseFile: CaseFile): boolean =>
  caseFile.enrichment.asn !== undefined || caseFile.enrichment.country !== undefined || caseFile.enrichment.lists.length > 0;
