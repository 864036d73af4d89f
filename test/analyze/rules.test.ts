import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeJson, combinedLine, makeCase, type AnalyzeJson } from '../helpers.js';

/*
 * The counting rules, one small case each, through `analyze --json`. Every case is built so that
 * breaking its rule changes a number asserted here.
 */

interface TopRow {
  key: string;
  accesses: number;
  documents: number;
  ips: number;
  accounts: number;
  subjects: number;
  first: string | null;
  last: string | null;
}
type Analysis = AnalyzeJson & {
  top: { ips: TopRow[]; accounts: TopRow[]; documents: TopRow[] };
  context: { document_requests: number; attempts: number; unknown_document_disclosures: number; authorized_disclosures: number };
};

const WINDOW = 'window: {from: 2015-03-16T00:00:00Z, to: 2015-04-13T00:00:00Z}';
const TICKETS = 'routes: ["/tickets/{doc}/image"]';

function analyze(yaml: string, files: Record<string, string>): Analysis {
  return analyzeJson(makeCase(yaml, files)) as Analysis;
}

/** Runs the case the first time a test asks for it; the tests of one describe share it. */
function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const jsonl = (...objs: object[]) => lines(...objs.map((o) => JSON.stringify(o)));
const owners = (...rows: [doc: string, owner: string][]) => lines('document_id,owner_account', ...rows.map((r) => r.join(',')));
const findings = (a: AnalyzeJson, id: string) => {
  const d = a.detectors.find((x) => x.id === id);
  assert.ok(d, `detector ${id} ran`);
  assert.equal(d.error, null, `detector ${id} failed: ${d.error}`);
  return d.findings;
};
const keys = (rows: TopRow[]) => rows.map((r) => r.key).sort();

/** A combined-log access on 16 March 2015 at 10:MM, anonymous unless a user is given. */
const get = (doc: string, o: { minute?: number; ip?: string; user?: string; method?: string; status?: number; path?: string } = {}) =>
  combinedLine({
    time: `16/Mar/2015:10:${String(o.minute ?? 0).padStart(2, '0')}:00 +0000`,
    path: o.path ?? `/tickets/${doc}/image`,
    ...(o.ip ? { ip: o.ip } : {}),
    ...(o.user ? { user: o.user } : {}),
    ...(o.method ? { method: o.method } : {}),
    ...(o.status ? { status: o.status } : {}),
  });

const combinedCase = (documents: string, extra = '') =>
  `case: t\n${WINDOW}\nsources: [{name: web, path: access.log, format: combined}]\ndocuments: {${documents}}\n${extra}`;

describe('client IP', () => {
  const jsonlCase = (extra: string) =>
    `case: t\n${WINDOW}\nsources: [{name: web, path: access.jsonl, format: jsonl}]\nnetwork: {trusted_proxies: [10.0.0.0/24]}\ndocuments: {${TICKETS}, owners: owners.csv}\n${extra}`;
  const req = (doc: string, socket: string, xff: string | undefined) => ({
    time: '2015-03-20T10:00:00Z',
    remote_addr: socket,
    ...(xff !== undefined ? { forwarded_for: xff } : {}),
    request: `GET /tickets/${doc}/image HTTP/1.1`,
    status: 200,
  });

  test('when the left-most X-Forwarded-For entry is spoofed then the right-most untrusted entry is the client', () => {
    const a = analyze(jsonlCase('authorized: {networks: [192.0.2.0/24]}'), {
      'access.jsonl': jsonl(req('D1', '10.0.0.5', '192.0.2.50, 198.51.100.9'), req('D2', '10.0.0.6', '203.0.113.99, 198.51.100.9, 10.0.0.7')),
      'owners.csv': owners(['D1', 'alice'], ['D2', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 2);
    assert.equal(a.summary.unique_ips, 1);
    assert.deepEqual(keys(a.top.ips), ['198.51.100.9']);
  });

  test('when the staff network is seen through a trusted proxy then it is authorized, but not when the socket itself is untrusted', () => {
    const a = analyze(jsonlCase('authorized: {networks: [192.0.2.0/24]}'), {
      'access.jsonl': jsonl(
        req('D1', '10.0.0.5', '192.0.2.10'), // staff through the proxy: authorized
        req('D2', '198.51.100.20', '192.0.2.10'), // claims to be staff, but the socket is untrusted: the walk stops there
        req('D3', '192.0.2.11', undefined), // staff directly: authorized
      ),
      'owners.csv': owners(['D1', 'alice'], ['D2', 'alice'], ['D3', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.equal(a.summary.unique_ips, 1);
    assert.deepEqual(keys(a.top.ips), ['198.51.100.20']);
    assert.deepEqual(keys(a.top.documents), ['D2']);
    assert.equal(a.context.authorized_disclosures, 2);
  });

  test('when a client is logged as IPv4-mapped IPv6 and as IPv4 then it is one unique IP', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`), {
      'access.log': lines(get('D1', { ip: '::ffff:203.0.113.7' }), get('D2', { ip: '203.0.113.7' }), get('D3', { ip: '203.0.113.8' })),
      'owners.csv': owners(['D1', 'alice'], ['D2', 'alice'], ['D3', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 3);
    assert.equal(a.summary.unique_ips, 2);
    assert.deepEqual(a.top.ips.map((r) => [r.key, r.accesses]), [['203.0.113.7', 2], ['203.0.113.8', 1]]);
  });

  test('when one IPv6 client is written long and compressed then it is one unique IP, in compressed lower case', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`), {
      'access.log': lines(get('D1', { ip: '2001:DB8:0:0::1' }), get('D2', { ip: '2001:db8::1' }), get('D3', { ip: '2001:db8::2' })),
      'owners.csv': owners(['D1', 'alice'], ['D2', 'alice'], ['D3', 'alice']),
    });
    assert.equal(a.summary.unique_ips, 2);
    assert.deepEqual(a.top.ips.map((r) => [r.key, r.accesses]), [['2001:db8::1', 2], ['2001:db8::2', 1]]);
  });
});

describe('document routes', () => {
  test('when the id is percent-encoded then it is decoded, and %2F stays inside one segment', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`), {
      'access.log': lines(get('', { path: '/tickets/IT%31234/image' }), get('', { path: '/tickets/A%2FB/image' }), get('', { path: '/tickets/A/B/image' })),
      'owners.csv': owners(['IT1234', 'alice'], ['A/B', 'bob']),
    });
    assert.equal(a.summary.unauthorized_accesses, 2);
    assert.deepEqual(keys(a.top.documents), ['A/B', 'IT1234']);
    assert.equal(findings(a, 'unknown_document_access'), 0);
  });

  test('when the id is a query parameter then its position does not matter and a longer name does not match', () => {
    const a = analyze(combinedCase('routes: ["/evidence.aspx?pcn={doc}"], owners: owners.csv'), {
      'access.log': lines(
        get('', { path: '/evidence.aspx?a=1&pcn=X1' }),
        get('', { path: '/evidence.aspx?pcn=X2&a=1' }),
        get('', { path: '/evidence.aspx?pcn=X3' }),
        get('', { path: '/evidence.aspx?xpcn=X4' }),
        get('', { path: '/evidence.aspx?a=1&xpcn=X4&b=2' }),
      ),
      'owners.csv': owners(['X1', 'alice'], ['X2', 'alice'], ['X3', 'alice'], ['X4', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 3);
    assert.deepEqual(keys(a.top.documents), ['X1', 'X2', 'X3']);
  });

  test('when the path has extra segments before or after the route then it is not a document access', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`), {
      'access.log': lines(
        get('', { path: '/tickets/X/image/extra' }),
        get('', { path: '/prefix/tickets/X/image' }),
        get('', { path: '/tickets/X/image' }),
        get('', { path: '/tickets/X/image?size=2' }),
      ),
      'owners.csv': owners(['X', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 2);
    assert.equal(a.context.document_requests, 2);
  });

  test('when the route has * then it stands for exactly one segment', () => {
    const a = analyze(combinedCase('routes: ["/cases/*/documents/{doc}"], owners: owners.csv'), {
      'access.log': lines(
        get('', { path: '/cases/77/documents/D1' }),
        get('', { path: '/cases/77/88/documents/D2' }),
        get('', { path: '/cases/documents/D3' }),
      ),
      'owners.csv': owners(['D1', 'alice'], ['D2', 'alice'], ['D3', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.deepEqual(keys(a.top.documents), ['D1']);
  });

  test('when a route is written as regex: then its named group doc is the id', () => {
    const a = analyze(combinedCase(String.raw`routes: ['regex:^/api/v2/(?:docs|files)/(?<doc>[A-Z]+[0-9]+)(?:\?.*)?$'], owners: owners.csv`), {
      'access.log': lines(
        get('', { path: '/api/v2/docs/AB12' }),
        get('', { path: '/api/v2/files/CD34?dl=1' }),
        get('', { path: '/api/v2/other/EF56' }),
        get('', { path: '/api/v2/docs/ab12' }),
      ),
      'owners.csv': owners(['AB12', 'alice'], ['CD34', 'alice'], ['EF56', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 2);
    assert.deepEqual(keys(a.top.documents), ['AB12', 'CD34']);
  });

  test('when an audit-log source fills document itself then no route is needed', () => {
    const yaml = `case: t\n${WINDOW}\nsources: [{name: audit, path: audit.jsonl, format: jsonl}]\ndocuments: {owners: owners.csv}\n`;
    const a = analyze(yaml, {
      'audit.jsonl': jsonl(
        { ts: '2015-03-20T10:00:00Z', event: 'document.view', document: '401640', user: 'R0042', method: 'GET', status: 200 },
        { ts: '2015-03-20T10:01:00Z', event: 'document.view', document: '401641', user: 'R0001', method: 'GET', status: 200 },
      ),
      'owners.csv': owners(['401640', 'R0001'], ['401641', 'R0001']),
    });
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.deepEqual(keys(a.top.accounts), ['R0042']);
    assert.deepEqual(keys(a.top.documents), ['401640']);
  });

  test('when an audit-log view event has no HTTP method or status then it is still a disclosure', () => {
    // The line of the issue, as an application audit log writes it: a view shows the document.
    const yaml = `case: t\n${WINDOW}\nsources: [{name: audit, path: audit.jsonl, format: jsonl}]\ndocuments: {owners: owners.csv}\n`;
    const a = analyze(yaml, {
      'audit.jsonl': jsonl({ ts: '2015-03-20T10:00:00Z', event: 'document.view', document: '401640', user: 'R0042' }),
      'owners.csv': owners(['401640', 'R0001']),
    });
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.equal(a.summary.accounts, 1);
    assert.equal(a.summary.affected_subjects, 1);
  });
});

describe('malformed requests', () => {
  test('when a requested id is not valid UTF-8 once percent-decoded then the analysis still completes', () => {
    // Scanners send such paths (%c0%af, %ff) all the time; one of them must not stop a case.
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`), {
      'access.log': lines(get('D1'), get('', { path: '/tickets/%c0%af/image' }), get('', { path: '/tickets/%ff/image', minute: 1 })),
      'owners.csv': owners(['D1', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.deepEqual(keys(a.top.documents), ['D1']);
  });
});

describe('disclosure', () => {
  const result = lazy(() =>
    analyze(combinedCase(`${TICKETS}, owners: owners.csv`), {
      'access.log': lines(
        get('D200', { status: 200 }),
        get('D206', { status: 206 }),
        get('DHEAD', { method: 'HEAD', status: 200 }),
        get('DOPT', { method: 'OPTIONS', status: 200 }),
        get('D304', { status: 304 }),
        get('D401', { status: 401 }),
        get('D403', { status: 403 }),
        get('D404', { status: 404 }),
        get('D500', { status: 500 }),
      ),
      'owners.csv': owners(...['D200', 'D206', 'DHEAD', 'DOPT', 'D304', 'D401', 'D403', 'D404', 'D500'].map((d): [string, string] => [d, 'alice'])),
    }),
  );

  test('when a document is served 2xx to GET then it counts; HEAD, OPTIONS, 3xx, 4xx and 5xx do not', () => {
    const a = result();
    assert.equal(a.summary.unauthorized_accesses, 2);
    assert.deepEqual(keys(a.top.documents), ['D200', 'D206']);
  });

  test('when a document request is refused with 401, 403 or 404 then it is an attempt, not a disclosure', () => {
    const a = result();
    assert.equal(findings(a, 'document_access_attempts'), 3);
    assert.equal(a.context.attempts, 3);
  });

  test('when a served id is missing from the owners file then it is reported apart and not counted', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`), {
      'access.log': lines(get('D1'), get('D9'), get('D9', { minute: 1 })),
      'owners.csv': owners(['D1', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.equal(a.summary.documents, 1);
    assert.equal(findings(a, 'unknown_document_access'), 2);
    assert.equal(a.context.unknown_document_disclosures, 2);
  });
});

describe('window', () => {
  test('when times are logged with +0100 then the window compares instants: from inclusive, to exclusive', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`), {
      'access.log': lines(
        combinedLine({ time: '15/Mar/2015:23:59:59 +0000', path: '/tickets/BEFORE1/image' }),
        combinedLine({ time: '16/Mar/2015:00:59:59 +0100', path: '/tickets/BEFORE2/image' }), // 15 Mar 23:59:59Z
        combinedLine({ time: '16/Mar/2015:00:00:00 +0000', path: '/tickets/FIRST/image' }), // = from
        combinedLine({ time: '13/Apr/2015:00:59:59 +0100', path: '/tickets/LAST/image' }), // 12 Apr 23:59:59Z
        combinedLine({ time: '13/Apr/2015:01:00:00 +0100', path: '/tickets/AFTER1/image' }), // = to
        combinedLine({ time: '13/Apr/2015:00:00:00 +0000', path: '/tickets/AFTER2/image' }),
      ),
      'owners.csv': owners(...['BEFORE1', 'BEFORE2', 'FIRST', 'LAST', 'AFTER1', 'AFTER2'].map((d): [string, string] => [d, 'alice'])),
    });
    assert.equal(a.summary.unauthorized_accesses, 2);
    assert.deepEqual(keys(a.top.documents), ['FIRST', 'LAST']);
    assert.equal(a.summary.first_access, '2015-03-16T00:00:00Z');
    assert.equal(a.summary.last_access, '2015-04-12T23:59:59Z');
  });
});

describe('authorization', () => {
  test('when an account holds a grant for a document then its access is not counted, but others still are', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv, grants: grants.csv`), {
      'access.log': lines(
        get('D1', { user: 'alice' }), // owner
        get('D1', { user: 'bob' }), // granted D1
        get('D2', { user: 'bob' }), // not granted D2
        get('D1', { user: 'carol' }), // the grant is bob's, not hers
      ),
      'owners.csv': owners(['D1', 'alice'], ['D2', 'alice']),
      'grants.csv': lines('account,document_id', 'bob,D1'),
    });
    assert.equal(a.summary.unauthorized_accesses, 2);
    assert.deepEqual(a.top.accounts.map((r) => [r.key, r.documents]).sort(), [['bob', 1], ['carol', 1]]);
    assert.deepEqual(keys(a.top.documents), ['D1', 'D2']);
  });

  test('when authorized.accounts is a file path then the accounts listed in it are authorized', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`, 'authorized: {accounts: staff.txt}\n'), {
      'access.log': lines(get('D1', { user: 'staff.ahmed' }), get('D1', { user: 'staff.bea' }), get('D1', { user: 'bob' })),
      'owners.csv': owners(['D1', 'alice']),
      'staff.txt': lines('account', '# support desk', 'staff.ahmed', '', 'staff.bea'),
    });
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.deepEqual(keys(a.top.accounts), ['bob']);
  });
});

describe('account resolution', () => {
  const twoSources = (accessName: string, identityName: string) =>
    `case: t\n${WINDOW}\nsources:\n  - {name: web, path: ${accessName}, format: jsonl, role: access}\n  - {name: app, path: ${identityName}, format: jsonl, role: identity}\ndocuments: {${TICKETS}, owners: owners.csv}\n`;
  const access = (doc: string, time: string, extra: Record<string, string>) => ({
    time,
    remote_addr: '198.51.100.1',
    request: `GET /tickets/${doc}/image HTTP/1.1`,
    status: 200,
    ...extra,
  });

  test('when an identity record shares the request id then it gives the account: after the log\'s own, before the session', () => {
    const a = analyze(twoSources('access.jsonl', 'app.jsonl'), {
      'access.jsonl': jsonl(
        access('D1', '2015-03-20T10:00:00Z', { request_id: 'r1' }), // identity: alice, the owner
        access('D2', '2015-03-20T10:01:00Z', { request_id: 'r2' }), // identity: bob
        access('D3', '2015-03-20T10:02:00Z', { request_id: 'r3', user: 'bob' }), // own account bob; identity says alice
        access('D4', '2015-03-20T10:03:00Z', { request_id: 'r4', user: '-' }), // '-' is no account; identity: bob
        access('D5', '2015-03-20T10:04:00Z', { request_id: 'r5', session: 'S' }), // identity: bob; the session says alice
      ),
      'app.jsonl': jsonl(
        { ts: '2015-03-20T10:00:00Z', request_id: 'r1', user: 'alice' },
        { ts: '2015-03-20T10:01:00Z', request_id: 'r2', user: 'bob' },
        { ts: '2015-03-20T10:02:00Z', request_id: 'r3', user: 'alice' },
        { ts: '2015-03-20T10:03:00Z', request_id: 'r4', user: 'bob' },
        { ts: '2015-03-20T09:00:00Z', session: 'S', user: 'alice' },
        { ts: '2015-03-20T10:04:00Z', request_id: 'r5', user: 'bob' },
      ),
      'owners.csv': owners(['D1', 'alice'], ['D2', 'alice'], ['D3', 'alice'], ['D4', 'alice'], ['D5', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 4);
    assert.equal(a.summary.accounts, 1);
    assert.equal(a.summary.anonymous_accesses, 0);
    assert.deepEqual(keys(a.top.accounts), ['bob']);
    assert.deepEqual(keys(a.top.documents), ['D2', 'D3', 'D4', 'D5']);
    assert.equal(findings(a, 'cross_account_document_access'), 4);
    assert.equal(findings(a, 'anonymous_document_access'), 0);
  });

  test('when only the session links a request to an account then the latest identity record at or before it counts', () => {
    // Session S: account A from 10:10, account B from 10:30.
    const a = analyze(twoSources('access.jsonl', 'app.jsonl'), {
      'access.jsonl': jsonl(
        access('D0', '2015-03-20T10:00:00Z', { session: 'S' }), // before any identity record: anonymous
        access('D2', '2015-03-20T10:20:00Z', { session: 'S' }), // A
        access('D3', '2015-03-20T10:30:00Z', { session: 'S' }), // B (at the record's own time)
        access('D4', '2015-03-20T10:40:00Z', { session: 'S' }), // B
        access('D5', '2015-03-20T10:40:00Z', { session: 'T' }), // another session: anonymous
      ),
      'app.jsonl': jsonl(
        { ts: '2015-03-20T10:10:00Z', session: 'S', user: 'A' },
        { ts: '2015-03-20T10:30:00Z', session: 'S', user: 'B' },
      ),
      'owners.csv': owners(['D0', 'owner'], ['D2', 'owner'], ['D3', 'owner'], ['D4', 'owner'], ['D5', 'owner']),
    });
    assert.equal(a.summary.unauthorized_accesses, 5);
    assert.equal(a.summary.accounts, 2);
    assert.equal(a.summary.anonymous_accesses, 2);
    const byAccount = Object.fromEntries(a.top.accounts.map((r) => [r.key, [r.accesses, r.first, r.last]]));
    assert.deepEqual(byAccount, {
      A: [1, '2015-03-20T10:20:00Z', '2015-03-20T10:20:00Z'],
      B: [2, '2015-03-20T10:30:00Z', '2015-03-20T10:40:00Z'],
    });
  });

  test('when two identity records of a session share a time then the later line gives the account, for accesses at and after it only', () => {
    const a = analyze(twoSources('access.jsonl', 'app.jsonl'), {
      'access.jsonl': jsonl(
        access('D1', '2015-03-20T10:09:59Z', { session: 'S' }), // a second before: anonymous
        access('D2', '2015-03-20T10:10:00Z', { session: 'S' }), // C, the later line of the tie
        access('D3', '2015-03-20T11:00:00Z', { session: 'S' }), // C still
        access('D4', '2015-03-20T11:00:00Z', { session: 'U' }), // U's record comes after: anonymous
      ),
      'app.jsonl': jsonl(
        { ts: '2015-03-20T10:10:00Z', session: 'S', user: 'A' },
        { ts: '2015-03-20T10:10:00Z', session: 'S', user: 'C' },
        { ts: '2015-03-20T11:00:01Z', session: 'U', user: 'A' },
      ),
      'owners.csv': owners(['D1', 'owner'], ['D2', 'owner'], ['D3', 'owner'], ['D4', 'owner']),
    });
    assert.equal(a.summary.unauthorized_accesses, 4);
    assert.equal(a.summary.anonymous_accesses, 2);
    assert.deepEqual(Object.fromEntries(a.top.accounts.map((r) => [r.key, r.accesses])), { C: 2 });
  });

  test('when an identity source holds request-like lines then they are never counted as requests themselves', () => {
    const a = analyze(twoSources('access.jsonl', 'app.jsonl'), {
      'access.jsonl': jsonl(access('D1', '2015-03-20T10:00:00Z', { request_id: 'r1' })),
      'app.jsonl': jsonl(
        // The identity record of the access above, looking like an access itself.
        { ts: '2015-03-20T10:00:00Z', request_id: 'r1', user: 'bob', request: 'GET /tickets/D1/image HTTP/1.1', status: 200, document: 'D1' },
        // No access line for this one: the identity source alone does not make a request.
        { ts: '2015-03-20T10:05:00Z', request_id: 'r2', user: 'bob', request: 'GET /tickets/D2/image HTTP/1.1', status: 200, document: 'D2' },
      ),
      'owners.csv': owners(['D1', 'alice'], ['D2', 'alice']),
    });
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.equal(a.context.document_requests, 1);
    assert.deepEqual(keys(a.top.documents), ['D1']);
    assert.deepEqual(keys(a.top.accounts), ['bob']);
  });
});

describe('affected subjects', () => {
  // D1 has two owners and four subjects; D2 one owner and one subject shared with D1; D3 is not accessed.
  const files = {
    'access.log': lines(get('D1'), get('D1', { minute: 1 }), get('D2', { minute: 2 })),
    'owners.csv': owners(['D1', 'alice'], ['D1', 'dave'], ['D2', 'bob'], ['D3', 'carol']),
    'subjects.csv': lines('document_id,subject_id', 'D1,s1', 'D1,s2', 'D1,s3', 'D1,s4', 'D2,s4', 'D3,s5'),
  };

  test('when a subjects file is given then affected subjects are the distinct subjects of the accessed documents', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv, subjects: subjects.csv`), files);
    assert.equal(a.summary.unauthorized_accesses, 3);
    assert.equal(a.summary.affected_subjects, 4);
  });

  test('when there is no subjects file then affected subjects are the distinct owner accounts of the accessed documents', () => {
    const a = analyze(combinedCase(`${TICKETS}, owners: owners.csv`), files);
    assert.equal(a.summary.unauthorized_accesses, 3);
    assert.equal(a.summary.affected_subjects, 3);
  });
});
