import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { analyzeJson, combinedLine, CORPUS, makeCase, ROOT, runCli, tempDir } from '../helpers.js';

interface RoutesJson {
  schema_version: number;
  access_requests: number;
  shapes_total: number;
  case_routes: { route: string; requests: number | null }[];
  shapes: {
    shape: string;
    requests: number;
    share_2xx: number;
    candidates: { segment: number | null; query_parameter: string | null; distinct_values: number; owners_match_share: number | null; route: string | null }[];
  }[];
}

function routesJson(casePath: string, extra: readonly string[] = []): RoutesJson {
  const r = runCli(['routes', casePath, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as RoutesJson;
}

const SHOP_LOG = path.join(CORPUS, 'combined-plus', 'lnav__logfile_shop_access_log.0');

/** A shop case whose route matches nothing, as a responder might first write it. */
function shopCase(owners?: string): string {
  const log = readFileSync(SHOP_LOG);
  return makeCase(
    `case: shop\nsources:\n  - name: web\n    path: access.log\n    format: combined\ndocuments:\n  routes: ["/products/{doc}"]\n${owners ? '  owners: owners.csv\n' : ''}`,
    { 'access.log': log, ...(owners ? { 'owners.csv': owners } : {}) },
  );
}

describe('routes on a real shop log (lnav shop_access_log.0, 1,000 requests)', { skip: existsSync(SHOP_LOG) ? false : 'no ../shared/corpus/real-logs beside this checkout' }, () => {
  // Counted off the file:
  //   awk '$7 ~ /^\/product\/[0-9]+\/[0-9]+\/[^\/?]+$/ && $7 !~ /\/[0-9]+$/' access.log | wc -l     -> 55 requests
  //   ... | awk '{print $9}' | sort | uniq -c                                                         -> 52 x 200, 2 x 302, 1 x 404
  //   ... | awk '{split($7,a,"/"); print a[3]}' | sort -u | wc -l                                    -> 52 distinct product ids
  //   awk '$7 ~ /^\/image\/[0-9]+\/productModel\/[^\/?]+$/' access.log | wc -l                       -> 228 requests
  // (one /product/4057/47/78306 ends in an id, not a slug: it is another shape)
  const productLines = (existsSync(SHOP_LOG) ? readFileSync(SHOP_LOG, 'utf8') : '')
    .split('\n')
    .map((l) => /"GET (\/product\/(\d+)\/\d+\/[^/?\s]+) HTTP/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !/\/\d+$/.test(m[1]!));

  test('when the case route matches nothing then routes says so and lists the shapes with most distinct ids first', () => {
    const j = routesJson(shopCase());
    assert.equal(j.schema_version, 1);
    assert.equal(j.access_requests, 1000);
    assert.deepEqual(j.case_routes, [{ route: '/products/{doc}', requests: 0 }]);
    assert.equal(j.shapes[0]!.shape, '/image/{id}/productModel/{id}');
    assert.equal(j.shapes[0]!.requests, 228);
    assert.equal(j.shapes[1]!.shape, '/product/{id}/{id}/{slug}');
    assert.equal(j.shapes[1]!.requests, 55);
    assert.equal(j.shapes[1]!.share_2xx, 52 / 55);
    assert.deepEqual(
      j.shapes[1]!.candidates.map((c) => [c.segment, c.distinct_values, c.owners_match_share, c.route]),
      [
        [2, 52, null, '/product/{doc}/*/*'],
        [3, 52, null, '/product/*/{doc}/*'],
      ],
    );
    assert.equal(productLines.length, 55, 'the test reads the file as the comment says');
  });

  test('when the owners file lists the product ids then the product shape ranks first with share 1 and its line matches its 55 requests', () => {
    const ids = [...new Set(productLines.map((m) => m[2]!))];
    assert.equal(ids.length, 52);
    const casePath = shopCase(`document_id,owner_account\n${ids.map((id) => `${id},seller-${id}`).join('\n')}\n`);
    const j = routesJson(casePath, ['--top', '3']);
    assert.equal(j.shapes.length, 3);
    const first = j.shapes[0]!;
    assert.equal(first.shape, '/product/{id}/{id}/{slug}');
    assert.equal(first.requests, 55);
    assert.deepEqual(first.candidates[0], { segment: 2, query_parameter: null, distinct_values: 52, owners_match_share: 1, route: '/product/{doc}/*/*' });
    assert.equal(first.candidates[1]!.route, '/product/*/{doc}/*');
    assert.equal(first.candidates[1]!.owners_match_share, 0);

    // Pasting the line: it names a document in those 55 requests, and in /product/4057/47/78306 too
    // (a route's * is any segment).
    const pasted = readFileSync(casePath, 'utf8').replace('routes: ["/products/{doc}"]', 'routes: ["/product/{doc}/*/*"]');
    writeFileSync(casePath, pasted);
    assert.deepEqual(routesJson(casePath, ['--top', '1']).case_routes, [{ route: '/product/{doc}/*/*', requests: 56 }]);
  });

  test('when printed for a person then each shape shows its counts and quoted lines to paste', () => {
    const r = runCli(['routes', shopCase(), '--top', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^1,000 access requests in \d+ path shape\(s\), \d+ with id-like positions \(no owners file/);
    assert.match(r.stdout, /^ {2}2\. \/product\/\{id\}\/\{id\}\/\{slug\}\n {5}55 requests, 94\.5% 2xx\n/m);
    assert.match(r.stdout, /^ {7}segment 2 +52 +- +"\/product\/\{doc\}\/\*\/\*"$/m);
    assert.match(r.stdout, /^ {2}"\/products\/\{doc\}" {2}0 access requests$/m);
  });
});

describe('routes on the ticketviewer sample', () => {
  test('when its routes are wrong then the two real routes come first, near-all owners, and pasting them gives 235', () => {
    const dir = path.join(tempDir(), 'ticketviewer');
    cpSync(path.join(ROOT, 'sample-logs', 'ticketviewer'), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
    const casePath = path.join(dir, 'case.yaml');
    const original = readFileSync(casePath, 'utf8');
    const wrong = original.replace(/ {2}routes:\n(?: {4}- .*\n)+/, '  routes: ["/ticket/{doc}"]\n');
    assert.notEqual(wrong, original);
    writeFileSync(casePath, wrong);

    const j = routesJson(casePath);
    assert.deepEqual(j.case_routes, [{ route: '/ticket/{doc}', requests: 0 }]);
    const [evidence, tickets] = j.shapes;
    // Both real routes, ranked by owners-match share then distinct ids (evidence.aspx has more).
    assert.equal(evidence!.shape, '/evidence.aspx?pcn={id}');
    assert.equal(evidence!.candidates[0]!.route, '/evidence.aspx?pcn={doc}');
    assert.equal(tickets!.shape, '/tickets/{id}/image');
    // zcat -f logs/access.log* | grep -c ' /tickets/[^/ ]*/image HTTP'  -> 316 (GET, HEAD, OPTIONS)
    assert.equal(tickets!.requests, 316);
    assert.equal(tickets!.candidates[0]!.route, '/tickets/{doc}/image');
    for (const s of [evidence!, tickets!]) {
      const share = s.candidates[0]!.owners_match_share!;
      // A few requests guess ids that are not in the owners file.
      assert.ok(share >= 0.95 && share < 1, `${s.shape}: ${share}`);
    }

    writeFileSync(casePath, wrong.replace('  routes: ["/ticket/{doc}"]', `  routes:\n    - ${JSON.stringify(tickets!.candidates[0]!.route)}\n    - ${JSON.stringify(evidence!.candidates[0]!.route)}`));
    const a = analyzeJson(casePath);
    assert.equal(a.summary.unauthorized_accesses, 235);
    assert.equal(a.summary.documents, 119);
    assert.equal(a.summary.unique_ips, 36);
    assert.equal(a.summary.affected_subjects, 71);
  });
});

describe('routes with hostile paths', () => {
  const time = '16/Mar/2015:10:00:00 +0000';
  const lines = [
    // Apache writes a quote in the request as \" ; the reader decodes it.
    combinedLine({ time, path: `/x/it's\\"q/12345678` }),
    combinedLine({ time, path: `/dl?');DROP/**/TABLE/**/events;--=12345678` }),
    combinedLine({ time, path: `/q/');DROP/**/TABLE/**/events;--/87654321` }),
    combinedLine({ time, path: '/t/\x1b]0;owned\x07/\x1b[2J/87654321' }),
    combinedLine({ time, path: '/r/\u202eevil/12345678' }),
  ];
  const hostileCase = () =>
    makeCase('case: hostile\nsources:\n  - name: web\n    path: access.log\n    format: combined\ndocuments:\n  routes: ["/x/{doc}"]\n', { 'access.log': `${lines.join('\n')}\n` });

  test('when paths hold quotes, SQL and control characters then the SQL holds, and the terminal sees escapes', () => {
    const casePath = hostileCase();
    const r = runCli(['routes', casePath, '--top', '10']);
    assert.equal(r.code, 0, r.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /[\x00-\x09\x0b-\x1f\x7f\u202e]/);
    assert.match(r.stdout, /\/t\/\\x1b\]0;owned\\x07\/\\x1b\[2J\/\{id\}/);
    assert.match(r.stdout, /\/r\/\\u202eevil\/\{id\}/);
    assert.match(r.stdout, /\/dl\?'\);DROP\/\*\*\/TABLE\/\*\*\/events;--=\{id\}/);

    const j = routesJson(casePath, ['--top', '10']);
    assert.equal(j.access_requests, 5);
    const byShape = new Map(j.shapes.map((s) => [s.shape, s]));
    assert.equal(byShape.get(`/x/it's"q/{id}`)?.candidates[0]?.route, `/x/it's"q/{doc}`);
    // The hostile parameter name is a valid route line; used as a route, it still only counts.
    const line = byShape.get(`/dl?');DROP/**/TABLE/**/events;--={id}`)?.candidates[0]?.route;
    assert.equal(line, `/dl?');DROP/**/TABLE/**/events;--={doc}`);
    writeFileSync(casePath, readFileSync(casePath, 'utf8').replace('routes: ["/x/{doc}"]', `routes:\n    - ${JSON.stringify(line)}`));
    assert.deepEqual(routesJson(casePath).case_routes, [{ route: line, requests: 1 }]);
    // The store is intact: every line is still an event.
    assert.equal(analyzeJson(casePath).ingest.events, 5);
  });

  test('when --top is not a whole number of 1 or more then the usage error exits 2', () => {
    for (const bad of ['0', '-3', 'ten', '2.5']) {
      const r = runCli(['routes', hostileCase(), '--top', bad]);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /not a whole number of at least 1/);
    }
  });
});
