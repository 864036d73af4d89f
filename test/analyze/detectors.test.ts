import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadCaseFile } from '../../src/case/case-file.js';
import { COUNTS_AS, DETECTOR_LEVELS, DETECTOR_STATUSES } from '../../src/case/vocabulary.js';
import { Store } from '../../src/db/store.js';
import { analyzeCase, type Analysis } from '../../src/analyze/analysis.js';
import { ingestCase } from '../../src/ingest/ingest.js';
import { analyzeJson, combinedLine, makeCase, ROOT, runCli, tempDir } from '../helpers.js';

/*
 * Every detector in queries/ has a log that must trigger it and one that must not. The cases run
 * in-process so that the rows of `findings` (which actor, which document, the burst flag) can be
 * read; the case-file and detector-file errors go through the CLI for their exit codes.
 */

const QUERIES = path.join(ROOT, 'queries');
const DETECTOR_IDS = readdirSync(QUERIES)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.slice(0, -4))
  .sort();

interface Finding {
  detector: string;
  document: string;
  actor: string | null;
  client_ip: string | null;
  reason: string;
  [k: string]: string | null;
}

interface Run {
  analysis: Analysis;
  findings: Finding[];
  /** The rows of document_access_attempts, with its `burst` column. */
  attempts: { document: string; actor: string; burst: boolean; reason: string }[];
}

async function runCase(yaml: string, files: Record<string, string>): Promise<Run> {
  const caseFile = loadCaseFile(makeCase(yaml, files));
  const store = await Store.open(tempDir());
  try {
    await ingestCase(store, caseFile);
    const analysis = await analyzeCase(store, caseFile);
    const findings = await store.all<Finding>('SELECT detector, document, actor, client_ip, reason FROM findings ORDER BY detector, event_id');
    const attempts = await store.all<Run['attempts'][number] & Record<string, string | boolean>>(
      'SELECT document, actor, burst, reason FROM "detector_document_access_attempts" ORDER BY event_id',
    );
    return { analysis, findings, attempts };
  } finally {
    store.close();
  }
}

function lazyRun(yaml: string, files: () => Record<string, string>): () => Promise<Run> {
  let p: Promise<Run> | undefined;
  return () => (p ??= runCase(yaml, files()));
}

const countOf = (a: { detectors: readonly { id: string; findings: number | null; error: string | null }[] }, id: string): number | null => {
  const d = a.detectors.find((x) => x.id === id);
  assert.ok(d, `detector ${id} ran`);
  assert.equal(d.error, null, `detector ${id} failed: ${d.error}`);
  return d.findings;
};
const rowsOf = (r: Run, id: string) => r.findings.filter((f) => f.detector === id);
/** document ids found by a detector, per actor. */
const byActor = (r: Run, id: string): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const f of rowsOf(r, id)) (out[f.actor ?? '(none)'] ??= []).push(f.document);
  return out;
};

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const ownersOf = (docs: readonly string[], owner = 'alice') => lines('document_id,owner_account', ...docs.map((d) => `${d},${owner}`));

/** 16 March 2015 at HH:MM UTC. */
const at = (hhmm: string) => `16/Mar/2015:${hhmm}:00 +0000`;
const req = (doc: string, hhmm: string, o: { ip?: string; user?: string; status?: number; method?: string } = {}) =>
  combinedLine({ time: at(hhmm), path: `/tickets/${doc}/image`, ip: o.ip ?? '198.51.100.99', ...(o.user ? { user: o.user } : {}), ...(o.status ? { status: o.status } : {}), ...(o.method ? { method: o.method } : {}) });

const caseYaml = (extra = '') => `case: detectors
window: {from: 2015-03-16T00:00:00Z, to: 2015-04-13T00:00:00Z}
sources: [{name: web, path: access.log, format: combined}]
documents: {routes: ["/tickets/{doc}/image"], owners: owners.csv, grants: grants.csv}
authorized: {accounts: [staff.ahmed], networks: [192.0.2.0/24]}
${extra}`;

const triggerRun = lazyRun(caseYaml(), () => ({
  'access.log': lines(
    req('D1', '10:00', { user: 'bob' }), // cross-account
    req('D2', '10:01', { ip: '198.51.100.1' }), // anonymous
    req('D3', '10:02', { user: 'mallory', status: 403 }), // attempt
    req('D4', '10:03', { ip: '198.51.100.2', status: 404 }), // attempt
    req('D99', '10:04', { ip: '198.51.100.3' }), // not in the owners file
  ),
  'owners.csv': ownersOf(['D1', 'D2', 'D3', 'D4']),
  'grants.csv': lines('account,document_id'),
}));

describe('detectors on a log that must trigger them', () => {
  const run = triggerRun;

  test('when an account receives a document another account owns then cross_account_document_access finds it', async () => {
    const r = await run();
    assert.equal(countOf(r.analysis, 'cross_account_document_access'), 1);
    const [f] = rowsOf(r, 'cross_account_document_access');
    assert.deepEqual([f!.document, f!.actor, f!.client_ip], ['D1', 'bob', '198.51.100.99']);
    assert.match(f!.reason, /^Account bob received document D1, owned by alice \(GET 200\) from 198\.51\.100\.99 at 2015-03-16T10:00:00Z; account from log\.$/);
  });

  test('when a request without an account receives a document then anonymous_document_access finds it', async () => {
    const r = await run();
    assert.equal(countOf(r.analysis, 'anonymous_document_access'), 1);
    const [f] = rowsOf(r, 'anonymous_document_access');
    assert.deepEqual([f!.document, f!.actor], ['D2', '198.51.100.1']);
    assert.match(f!.reason, /^An anonymous request from 198\.51\.100\.1 received document D2, owned by alice/);
  });

  test('when document requests are refused then document_access_attempts finds each, without a burst', async () => {
    const r = await run();
    assert.equal(countOf(r.analysis, 'document_access_attempts'), 2);
    assert.deepEqual(
      r.attempts.map((a) => [a.document, a.actor, a.burst]),
      [
        ['D3', 'mallory', false],
        ['D4', '198.51.100.2', false],
      ],
    );
  });

  test('when a document missing from the owners file is served then unknown_document_access finds it', async () => {
    const r = await run();
    assert.equal(countOf(r.analysis, 'unknown_document_access'), 1);
    assert.deepEqual(rowsOf(r, 'unknown_document_access').map((f) => f.document), ['D99']);
    assert.equal(r.analysis.summary.unauthorized_accesses, 2);
  });
});

const quietRun = lazyRun(caseYaml(), () => ({
  'access.log': lines(
    req('D1', '10:00', { user: 'alice' }), // the owner
    req('D2', '10:01', { user: 'bob' }), // bob holds a grant for D2
    req('D1', '10:02', { user: 'staff.ahmed' }), // an authorized account
    req('D1', '10:03', { ip: '192.0.2.5' }), // anonymous, from the authorized network
    req('D1', '10:04', { user: 'bob', method: 'HEAD' }),
    req('D1', '10:05', { user: 'bob', method: 'OPTIONS' }),
    req('D1', '10:06', { user: 'bob', status: 304 }),
    req('D1', '10:07', { ip: '198.51.100.1', status: 500 }),
    combinedLine({ time: '15/Mar/2015:23:59:59 +0000', path: '/tickets/D1/image', user: 'bob' }), // before the window
    combinedLine({ time: '13/Apr/2015:00:00:00 +0000', path: '/tickets/D9/image', status: 403 }), // refused, after the window
    combinedLine({ time: at('10:08'), path: '/tickets/D9/thumbnail' }), // not a document route
    req('D9', '10:09', { status: 404 }), // not in the owners file, but refused
  ),
  'owners.csv': ownersOf(['D1', 'D2']),
  'grants.csv': lines('account,document_id', 'bob,D2'),
}));

describe('detectors on a log that must not trigger them', () => {
  const run = quietRun;

  test('when every access is authorized, refused, outside the window or not a disclosure then no detector finds anything but the one refusal', async () => {
    const r = await run();
    const counts = Object.fromEntries(r.analysis.detectors.map((d) => [d.id, d.findings]));
    assert.deepEqual(counts, {
      anonymous_document_access: 0,
      cross_account_document_access: 0,
      document_access_attempts: 1,
      document_id_enumeration: 0,
      unknown_document_access: 0,
    });
    assert.equal(r.analysis.summary.unauthorized_accesses, 0);
    assert.equal(r.analysis.context.authorized_disclosures, 4);
  });
});

describe('document_access_attempts bursts', () => {
  const run = lazyRun(caseYaml(), () => ({
    'access.log': lines(
      // 198.51.100.21: five refusals within four minutes: a burst at the fifth.
      ...['A1', 'A2', 'A3', 'A4', 'A5'].map((d, i) => req(d, `10:0${i}`, { ip: '198.51.100.21', status: 403 })),
      // 198.51.100.22: four refusals within three minutes: no burst.
      ...['B1', 'B2', 'B3', 'B4'].map((d, i) => req(d, `10:0${i}`, { ip: '198.51.100.22', status: 404 })),
      // 198.51.100.23: five refusals eleven minutes apart: no burst.
      ...['C1', 'C2', 'C3', 'C4', 'C5'].map((d, i) => req(d, ['10:00', '10:11', '10:22', '10:33', '10:44'][i]!, { ip: '198.51.100.23', status: 403 })),
      // Account eve, from two addresses: six refusals within five minutes; the actor is the account.
      ...['E1', 'E2', 'E3', 'E4', 'E5', 'E6'].map((d, i) => req(d, `12:0${i}`, { ip: i % 2 ? '198.51.100.24' : '198.51.100.25', user: 'eve', status: 401 })),
    ),
    'owners.csv': ownersOf([]),
    'grants.csv': lines('account,document_id'),
  }));

  test('when one actor is refused five times within ten minutes then the fifth and later refusals are marked as a burst', async () => {
    const r = await run();
    assert.equal(countOf(r.analysis, 'document_access_attempts'), 20);
    const bursts = r.attempts.filter((a) => a.burst).map((a) => [a.actor, a.document]);
    assert.deepEqual(bursts, [
      ['198.51.100.21', 'A5'],
      ['eve', 'E5'],
      ['eve', 'E6'],
    ]);
    const a5 = r.attempts.find((a) => a.document === 'A5')!;
    assert.match(a5.reason, /; 5 refusals from it within 10 minutes \(burst\)\.$/);
    const a4 = r.attempts.find((a) => a.document === 'A4')!;
    assert.doesNotMatch(a4.reason, /burst/);
  });
});

let enumerationRun: () => Promise<Run> = () => Promise.reject(new Error('not set'));
describe('document_id_enumeration', () => {
  const files = () => {
    const walk = (ip: string, docs: string[], times: string[]) => docs.map((d, i) => req(d, times[i]!, { ip }));
    const log = lines(
      // burst: five distinct documents within four minutes
      ...walk('198.51.100.1', ['D10', 'D20', 'D30', 'D40', 'D50'], ['10:00', '10:01', '10:02', '10:03', '10:04']),
      // the owner reading six of her own documents, consecutive ids among them, in five minutes
      ...['D60', 'D61', 'D62', 'D63', 'D70', 'D80'].map((d, i) => req(d, `10:0${i}`, { ip: '198.51.100.11', user: 'alice' })),
      // four distinct documents within three minutes: below the burst size
      ...walk('198.51.100.4', ['D110', 'D120', 'D130', 'D140'], ['10:00', '10:01', '10:02', '10:03']),
      // five distinct documents spread over twelve minutes: never five within ten
      ...walk('198.51.100.5', ['D300', 'D310', 'D320', 'D330', 'D340'], ['10:00', '10:03', '10:06', '10:09', '10:12']),
      // a walk through three consecutive ids, slowly
      ...walk('198.51.100.2', ['D101', 'D102', 'D103'], ['11:00', '11:30', '12:00']),
      // a walk downwards
      ...walk('198.51.100.7', ['D403', 'D402', 'D401'], ['11:00', '11:30', '12:00']),
      // two consecutive ids only
      ...walk('198.51.100.6', ['D201', 'D202'], ['11:00', '11:30']),
      // ids two apart
      ...walk('198.51.100.8', ['D501', 'D503', 'D505'], ['11:00', '11:30', '12:00']),
      // consecutive numbers under different prefixes
      ...walk('198.51.100.9', ['A601', 'B602', 'C603'], ['11:00', '11:30', '12:00']),
      // a walk broken by another id
      ...walk('198.51.100.10', ['D801', 'D802', 'D900', 'D803'], ['14:00', '14:10', '14:20', '14:30']),
      // a slow crawl: six distinct documents eleven minutes apart
      ...walk('198.51.100.3', ['D700', 'D710', 'D720', 'D730', 'D740', 'D750'], ['13:00', '13:11', '13:22', '13:33', '13:44', '13:55']),
    );
    const docs = [...log.matchAll(/\/tickets\/([^/]+)\/image/g)].map((m) => m[1]!);
    return { 'access.log': log, 'owners.csv': ownersOf([...new Set(docs)]), 'grants.csv': lines('account,document_id') };
  };
  const run = enumerationRun = lazyRun(caseYaml(), files);
  const runLow = lazyRun(caseYaml('detectors: {document_id_enumeration: {min_documents: 3}}\n'), files);

  test('when an actor requests five distinct documents not its own within ten minutes then the fifth is found', async () => {
    const r = await run();
    assert.deepEqual(byActor(r, 'document_id_enumeration')['198.51.100.1'], ['D50']);
  });

  test('when an actor walks through three consecutive ids, up or down, then each step of the walk is found', async () => {
    const r = await run();
    const found = byActor(r, 'document_id_enumeration');
    assert.deepEqual(found['198.51.100.2'], ['D101', 'D102', 'D103']);
    assert.deepEqual(found['198.51.100.7'], ['D403', 'D402', 'D401']);
    assert.match(rowsOf(r, 'document_id_enumeration').find((f) => f.document === 'D103')!.reason, /part of a walk through 3 consecutive ids\.$/);
  });

  test('when requests are few, slow, own, or not consecutive then nothing else is found', async () => {
    const r = await run();
    assert.deepEqual(Object.keys(byActor(r, 'document_id_enumeration')).sort(), ['198.51.100.1', '198.51.100.2', '198.51.100.7']);
    assert.equal(countOf(r.analysis, 'document_id_enumeration'), 7);
  });

  test('when the case file lowers min_documents to 3 then smaller bursts are found too', async () => {
    const r = await runLow();
    assert.equal(countOf(r.analysis, 'document_id_enumeration'), 14);
    const found = byActor(r, 'document_id_enumeration');
    assert.deepEqual(found['198.51.100.1'], ['D30', 'D40', 'D50']);
    assert.deepEqual(found['198.51.100.4'], ['D130', 'D140']);
    assert.deepEqual(found['198.51.100.5'], ['D320', 'D330', 'D340']);
    assert.equal(found['198.51.100.3'], undefined);
  });
});

describe('detector settings in the case file', () => {
  test('when a detector id or parameter is unknown then analyze exits 2 with a did-you-mean hint for each', () => {
    const casePath = makeCase(
      'case: x\nsources: [{name: web, path: access.log}]\ndetectors:\n  document_id_enumeraton: {min_documents: 3}\n  document_access_attempts: {burst_mins: 4}\n',
      { 'access.log': lines(req('D1', '10:00')) },
    );
    const r = runCli(['analyze', casePath, '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /detectors\.document_id_enumeraton: no such detector[\s\S]*did you mean 'document_id_enumeration'\?/);
    assert.match(r.stderr, /detectors\.document_access_attempts\.burst_mins: no such parameter[\s\S]*did you mean 'burst_min(utes)?'\?/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('broken detector files', () => {
  const dir = tempDir('bs-queries-');
  for (const f of readdirSync(QUERIES).filter((x) => x.endsWith('.sql'))) copyFileSync(path.join(QUERIES, f), path.join(dir, f));
  const header = (title: string) => `-- title: ${title}\n-- description: Detects nothing.\n-- level: low\n-- status: test\n-- counts_as: context\n`;
  // The syntax error is on line 8 of the file.
  writeFileSync(path.join(dir, 'broken_syntax.sql'), `${header('Broken syntax')}SELECT event_id, document, account AS actor, client_ip, time AS event_time, 'x' AS reason\nFROM document_requests\nWHERE disclosure AND AND in_window\n`);
  writeFileSync(path.join(dir, 'bad_header.sql'), `-- title: Bad header\n-- description: Detects nothing.\n-- level: low\n-- status: test\nSELECT event_id, document, account AS actor, client_ip, time AS event_time, 'x' AS reason FROM document_requests\n`);
  writeFileSync(path.join(dir, 'wrong_columns.sql'), `${header('Wrong columns')}SELECT document, event_id FROM document_requests\n`);
  const env = { BREACHSCOPE_QUERIES: dir };

  const analysis = (() => {
    let a: ReturnType<typeof analyzeJson> | undefined;
    return () => {
      if (a) return a;
      const casePath = makeCase(caseYaml(), {
        'access.log': lines(req('D1', '10:00', { user: 'bob' }), req('D2', '10:01'), req('D3', '10:02', { status: 403 })),
        'owners.csv': ownersOf(['D1', 'D2', 'D3']),
        'grants.csv': lines('account,document_id'),
      });
      const r = runCli(['analyze', casePath, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      a = JSON.parse(r.stdout) as ReturnType<typeof analyzeJson>;
      return a;
    };
  })();
  const entry = (id: string) => {
    const d = analysis().detectors.find((x) => x.id === id);
    assert.ok(d, `${id} is reported`);
    return d;
  };

  test('when a detector has a SQL syntax error then it is reported with its line and no findings', () => {
    const d = entry('broken_syntax');
    assert.match(d.error ?? '', /syntax error/i);
    assert.equal(d.line, 8);
    assert.equal(d.findings, null);
  });

  test('when a detector header lacks counts_as then it is reported as broken', () => {
    const d = entry('bad_header');
    assert.match(d.error ?? '', /missing header line '-- counts_as: \.\.\.'/);
    assert.notEqual(d.line, null);
    assert.equal(d.findings, null);
  });

  test('when a detector does not return the leading columns then it is reported as broken', () => {
    const d = entry('wrong_columns');
    assert.match(d.error ?? '', /the first columns must be event_id, document, actor, client_ip, event_time, reason/);
  });

  test('when some detectors are broken then the others still run and the figures are still made', () => {
    const a = analysis();
    assert.deepEqual(a.detectors.map((d) => d.id).sort(), [...DETECTOR_IDS, 'bad_header', 'broken_syntax', 'wrong_columns'].sort());
    assert.equal(countOf(a, 'cross_account_document_access'), 1);
    assert.equal(countOf(a, 'anonymous_document_access'), 1);
    assert.equal(countOf(a, 'document_access_attempts'), 1);
    assert.equal(a.summary.unauthorized_accesses, 2);
  });

  test('when the detectors are listed then a file with a bad header is shown as broken with its file', () => {
    const r = runCli(['detectors'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`BROKEN bad_header  ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/bad_header\\.sql:\\d+: missing header line '-- counts_as: \\.\\.\\.'`));
    for (const id of DETECTOR_IDS) assert.match(r.stdout, new RegExp(`^${id}  \\[`, 'm'));
  });

  test('when the detectors are listed then a SQL syntax error is reported with its line, before any analysis', () => {
    const r = runCli(['detectors'], { env });
    assert.match(r.stdout, /BROKEN broken_syntax  .*broken_syntax\.sql:8: .*syntax error/i);
    assert.doesNotMatch(r.stdout, /^broken_syntax  \[/m);
  });
});

describe('breachscope detectors', () => {
  test('when detectors are listed as JSON then every file in queries/ appears with its metadata', () => {
    const r = runCli(['detectors', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      detectors: { id: string; title: string; description: string; level: string; status: string; countsAs: string; tags: string[]; falsepositive: string; params: { name: string; default: number | string; description: string }[] }[];
      broken: unknown[];
    };
    assert.deepEqual(out.broken, []);
    assert.deepEqual(out.detectors.map((d) => d.id).sort(), DETECTOR_IDS);
    for (const d of out.detectors) {
      assert.ok(d.title.length > 0, `${d.id} has a title`);
      assert.match(d.description, /^Detects /, `${d.id} description`);
      assert.ok((DETECTOR_LEVELS as readonly string[]).includes(d.level), `${d.id} level ${d.level}`);
      assert.ok((DETECTOR_STATUSES as readonly string[]).includes(d.status), `${d.id} status ${d.status}`);
      assert.ok((COUNTS_AS as readonly string[]).includes(d.countsAs), `${d.id} counts_as ${d.countsAs}`);
      assert.ok(d.tags.length > 0, `${d.id} has tags`);
      assert.ok(d.falsepositive.length > 0, `${d.id} names its false positives`);
    }
    const byId = Object.fromEntries(out.detectors.map((d) => [d.id, d]));
    assert.equal(byId.cross_account_document_access!.countsAs, 'disclosure');
    assert.equal(byId.anonymous_document_access!.countsAs, 'disclosure');
    assert.equal(byId.document_access_attempts!.countsAs, 'attempt');
    assert.equal(byId.unknown_document_access!.countsAs, 'context');
    assert.equal(byId.document_id_enumeration!.countsAs, 'context');
    assert.deepEqual(byId.document_id_enumeration!.params.map((p) => [p.name, p.default]), [['window_minutes', 10], ['min_documents', 5], ['min_sequential', 3]]);
    assert.deepEqual(byId.document_access_attempts!.params.map((p) => [p.name, p.default]), [['burst_minutes', 10], ['burst_min', 5]]);
  });

  test('when detectors are listed as text then each shows its counts_as, level, status and parameters', () => {
    const r = runCli(['detectors']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cross_account_document_access {2}\[disclosure, high, stable\]$/m);
    assert.match(r.stdout, /^document_access_attempts {2}\[attempt, low, stable\]$/m);
    assert.match(r.stdout, /^ {2}param min_documents = 5 {2}\(distinct documents not its own within the window that make a burst\)$/m);
    assert.doesNotMatch(r.stdout, /BROKEN/);
  });
});

/**
 * Each detector's hit and miss: a run whose log must trigger it and one whose log must not. A
 * detector added to queries/ without both fails here.
 */
const FIXTURES: Readonly<Record<string, { readonly hit: () => Promise<Run>; readonly miss: () => Promise<Run> }>> = {
  anonymous_document_access: { hit: () => triggerRun(), miss: () => quietRun() },
  cross_account_document_access: { hit: () => triggerRun(), miss: () => quietRun() },
  document_access_attempts: { hit: () => triggerRun(), miss: () => enumerationRun() },
  document_id_enumeration: { hit: () => enumerationRun(), miss: () => quietRun() },
  unknown_document_access: { hit: () => triggerRun(), miss: () => quietRun() },
};

describe('every detector has a hit and a miss', () => {
  test('when a detector is in queries/ then it has fixtures', () => {
    assert.deepEqual(DETECTOR_IDS.filter((id) => !FIXTURES[id]), []);
  });
  for (const id of DETECTOR_IDS) {
    test(`when ${id} runs on its hit log then it finds something, and on its miss log nothing`, async () => {
      const f = FIXTURES[id];
      assert.ok(f, `${id} has no fixtures`);
      assert.ok((countOf((await f.hit()).analysis, id) ?? 0) > 0, `${id} found nothing on its hit log`);
      assert.equal(countOf((await f.miss()).analysis, id), 0);
    });
  }
});
