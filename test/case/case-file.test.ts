import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCaseFile, parseIsoTime } from '../../src/case/case-file.js';
import { UserError } from '../../src/util/user-error.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeCase, runCli, tempDir, writeFiles } from '../helpers.js';

const LOG = '203.0.113.7 - - [16/Mar/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"\n';

function messagesOf(yaml: string, files: Record<string, string> = { 'access.log': LOG }): string[] {
  const path = makeCase(yaml, files);
  try {
    loadCaseFile(path);
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    return e.messages.map((m) => [m.what, m.where ?? '', m.help ?? ''].join(' | '));
  }
  assert.fail('the case file was accepted');
}

describe('case file validation', () => {
  test('when a key is misspelt then the message names the key path, its line and the likely key', () => {
    const [m, ...rest] = messagesOf('case: x\nsources:\n  - name: web\n    path: access.log\n    fromat: combined\n');
    assert.equal(rest.length, 0);
    assert.match(m!, /sources\[0\]\.fromat: unknown key 'fromat'/);
    assert.match(m!, /case\.yaml:5 /);
    assert.match(m!, /did you mean 'format'\?/);
  });

  test('when a top-level key is unknown then the hint names the closest top-level key', () => {
    const [m] = messagesOf('case: x\nwindw: {from: 2015-01-01}\nsources: [{name: web, path: access.log}]\n');
    assert.match(m!, /unknown key 'windw'.*did you mean 'window'/);
  });

  test('when a value has the wrong type then the message says what was expected and got', () => {
    const [m] = messagesOf('case: x\nsources:\n  - name: web\n    path: 42\n');
    assert.match(m!, /sources\[0\]\.path: expected a glob or a list of globs, got number 42/);
  });

  test('when a required key is missing then the message says so and what it holds', () => {
    const [m] = messagesOf('case: x\nsources:\n  - name: web\n    format: combined\n');
    assert.match(m!, /sources\[0\]\.path: missing required key \(a glob or a list of globs\)/);
  });

  test('when the format is unknown then the allowed formats are listed with a guess', () => {
    const [m] = messagesOf('case: x\nsources:\n  - {name: web, path: access.log, format: combind}\n');
    assert.match(m!, /'combind' is not a format: did you mean 'combined'\?/);
    assert.match(m!, /use one of auto, .*w3c, vhost_combined, combined, common, jsonl, or \{nginx: '<log_format>'\} \/ \{apache: '<LogFormat>'\}/);
  });

  test('when a CIDR is bad then its key path and index are named', () => {
    const [m] = messagesOf('case: x\nsources: [{name: web, path: access.log}]\nnetwork:\n  trusted_proxies: [10.0.0.0/24, 10.0.0.0/33]\n');
    assert.match(m!, /network\.trusted_proxies\[1\]: '10\.0\.0\.0\/33' is not an IPv4 CIDR/);
  });

  test('when a time is not ISO 8601 then the message shows an example', () => {
    const [m] = messagesOf('case: x\nwindow: {from: "16/03/2015"}\nsources: [{name: web, path: access.log}]\n');
    assert.match(m!, /window\.from: '16\/03\/2015' is not an ISO 8601 time such as 2015-03-16T00:00:00Z/);
  });

  test('when the window is reversed then it is an error', () => {
    const [m] = messagesOf('case: x\nwindow: {from: 2015-04-01T00:00:00Z, to: 2015-03-01T00:00:00Z}\nsources: [{name: web, path: access.log}]\n');
    assert.match(m!, /from must be before to/);
  });

  test('when a time zone is not IANA then it is an error', () => {
    const [m] = messagesOf('case: x\nsources: [{name: web, path: access.log, timezone: Europe/Londn}]\n');
    assert.match(m!, /sources\[0\]\.timezone: 'Europe\/Londn' is not an IANA time zone .*did you mean 'Europe\/London'\?/);
  });

  test('when fields are given for a non-jsonl source then it is an error', () => {
    const [m] = messagesOf('case: x\nsources: [{name: web, path: access.log, format: combined, fields: {time: ts}}]\n');
    assert.match(m!, /'fields' applies to format jsonl only/);
  });

  test('when a field map names an unknown event field then the allowed fields are hinted', () => {
    const [m] = messagesOf('case: x\nsources: [{name: app, path: access.log, format: jsonl, fields: {acount: user}}]\n');
    assert.match(m!, /unknown key 'acount'.*did you mean 'account'/);
  });

  test('when reference files are missing then each is reported, all at once', () => {
    const ms = messagesOf('case: x\nsources: [{name: web, path: access.log}]\ndocuments:\n  routes: [/d/{doc}]\n  owners: nope.csv\n  grants: nope2.csv\n');
    assert.equal(ms.length, 2);
    assert.match(ms[0]!, /documents\.owners: file not found: nope\.csv/);
    assert.match(ms[1]!, /documents\.grants: file not found: nope2\.csv/);
  });

  test('when two sources share a name then it is an error', () => {
    const [m] = messagesOf('case: x\nsources: [{name: web, path: access.log}, {name: web, path: access.log}]\n');
    assert.match(m!, /'web' is used twice/);
  });

  test('when the YAML itself is broken then the line is named', () => {
    const [m] = messagesOf('case: x\nsources:\n  - name: web\n   path: access.log\n');
    assert.match(m!, /not valid YAML/);
    assert.match(m!, /case\.yaml:\d+/);
  });

  test('when a valid case file is read then values are typed and paths resolved against its folder', () => {
    const path = makeCase(
      'case: Ticketviewer\ntimezone: Europe/London\nwindow: {from: 2015-03-16, to: "2015-04-13T01:00:00+01:00"}\n' +
        'sources:\n  - {name: web, path: [access.log, "logs/*.gz"], format: combined}\n' +
        'network: {trusted_proxies: [10.0.0.0/24]}\nauthorized: {accounts: [staff.ahmed, 1234], networks: [192.0.2.0/24, "2001:db8::/32"]}\n',
      { 'access.log': LOG },
    );
    const c = loadCaseFile(path);
    assert.equal(c.title, 'Ticketviewer');
    assert.equal(c.window.from?.toISOString(), '2015-03-16T00:00:00.000Z');
    assert.equal(c.window.to?.toISOString(), '2015-04-13T00:00:00.000Z');
    assert.deepEqual(c.sources[0]!.paths, ['access.log', 'logs/*.gz']);
    assert.equal(c.sources[0]!.role, 'access');
    assert.deepEqual(c.authorized.accounts, ['staff.ahmed', '1234']);
    assert.equal(c.authorized.networks[1]!.contains('2001:db8::5'), true);
    assert.equal(c.network.trustedProxies[0]!.contains('10.0.0.9'), true);
    assert.equal(c.network.trustedProxies[0]!.contains('10.0.1.9'), false);
  });
});

describe('ISO times in case files', () => {
  test('when a time has no offset then it is UTC', () => {
    assert.equal(parseIsoTime('2015-03-29T01:30:00')?.toISOString(), '2015-03-29T01:30:00.000Z');
  });
  test('when an offset is given then it is applied, with or without a colon', () => {
    assert.equal(parseIsoTime('2015-04-13T01:00:00+01:00')?.toISOString(), '2015-04-13T00:00:00.000Z');
    assert.equal(parseIsoTime('2015-04-13T01:00:00+0100')?.toISOString(), '2015-04-13T00:00:00.000Z');
  });
  test('when a date does not exist then it is refused', () => {
    assert.equal(parseIsoTime('2015-02-30'), undefined);
    assert.equal(parseIsoTime('2015-03-16T25:00:00Z'), undefined);
  });
});

describe('case-file errors from the CLI', () => {
  test('when the case file is bad then ingest exits 2 with what, where and fix, and no stack', () => {
    const path = makeCase('case: x\nsources:\n  - {name: web, path: access.log, fromat: combined}\n', { 'access.log': LOG });
    const r = runCli(['ingest', path]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: sources\[0\]\.fromat: unknown key/m);
    assert.match(r.stderr, /where: .*case\.yaml:3/);
    assert.match(r.stderr, /fix: +did you mean 'format'\?/);
    assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
  });

  test('when a source glob matches nothing then ingest exits 2 naming the source', () => {
    const path = makeCase('case: x\nsources:\n  - {name: web, path: "logs/*.log"}\n', { 'access.log': LOG });
    const r = runCli(['ingest', path]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /source 'web': 'logs\/\*\.log' matches no file/);
  });

  test('when the case file does not exist then exit 2', () => {
    const r = runCli(['analyze', '/nonexistent/case.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /case file not found/);
  });

  test('when an option is unknown then exit 2', () => {
    assert.equal(runCli(['analyze', '--bogus']).code, 2);
  });
});

describe('routes written as in the documentation', () => {
  test('when routes are an unquoted flow list with {doc} then they are read as written', () => {
    const path = makeCase('case: x\nsources: [{name: web, path: access.log}]\ndocuments:\n  routes: [/tickets/{doc}/image, /evidence.aspx?pcn={doc}, "regex:^/x/(?<doc>[0-9]+)$"]  # note\n', { 'access.log': LOG });
    assert.deepEqual(loadCaseFile(path).documents.routes, ['/tickets/{doc}/image', '/evidence.aspx?pcn={doc}', 'regex:^/x/(?<doc>[0-9]+)$']);
  });
  test('when routes are one string then it is a list of one', () => {
    const path = makeCase('case: x\nsources: [{name: web, path: access.log}]\ndocuments:\n  routes: /tickets/{doc}/image\n', { 'access.log': LOG });
    assert.deepEqual(loadCaseFile(path).documents.routes, ['/tickets/{doc}/image']);
  });
});

describe('time zones people mean', () => {
  test('when timezone is BST then it is refused, not read as Asia/Dhaka, and the fix names Europe/London', () => {
    const [m, ...rest] = messagesOf('case: x\ntimezone: BST\nsources: [{name: web, path: access.log}]\n');
    assert.equal(rest.length, 0);
    assert.match(m!, /^timezone: 'BST' is an abbreviation, not a time zone/);
    assert.match(m!, /case\.yaml:2 \(timezone\)/);
    assert.match(m!, /\| write the IANA zone of the place: Europe\/London$/);
  });

  test('when a source timezone is IST or PST then the fix names the zones they likely mean', () => {
    const ms = messagesOf('case: x\nsources:\n  - {name: a, path: access.log, timezone: IST}\n  - {name: b, path: access.log, timezone: PST}\n');
    assert.equal(ms.length, 2);
    assert.match(ms[0]!, /sources\[0\]\.timezone: 'IST'.*Asia\/Kolkata, or Europe\/Dublin, or Asia\/Jerusalem/);
    assert.match(ms[1]!, /sources\[1\]\.timezone: 'PST'.*America\/Los_Angeles/);
  });

  test('when a zone is an ICU legacy alias (CST, EST, MST, HST, CET, EET, MET, WET, EST5EDT, Java ids) then it is refused', () => {
    for (const zone of ['CST', 'EST', 'MST', 'HST', 'CET', 'EET', 'MET', 'WET', 'EST5EDT', 'PST8PDT', 'ACT', 'CTT', 'bst']) {
      const [m] = messagesOf(`case: x\ntimezone: ${zone}\nsources: [{name: web, path: access.log}]\n`);
      assert.match(m!, new RegExp(`^timezone: '${zone}' is an (abbreviation|abbreviation or legacy alias), not`), zone);
    }
  });

  test('when a zone is a backward link (Europe/Belfast, US/Eastern, GB, Asia/Calcutta) then it is read as the canonical zone with a warning naming it and its line', () => {
    const cases: [string, string][] = [['Europe/Belfast', 'Europe/London'], ['US/Eastern', 'America/New_York'], ['GB', 'Europe/London'], ['Asia/Calcutta', 'Asia/Kolkata']];
    for (const [written, canonical] of cases) {
      const c = loadCaseFile(makeCase(`case: x\nsources:\n  - name: web\n    path: access.log\n    timezone: ${written}\ntimezone: ${written}\n`, { 'access.log': LOG }));
      assert.equal(c.timezone, canonical, written);
      assert.equal(c.sources[0]!.timezone, canonical, written);
      assert.equal(c.warnings.length, 2, written);
      assert.match(c.warnings[0]!, new RegExp(`^sources\\[0\\]\\.timezone: '${written}' is an old name .* for ${canonical}.*\\(.*case\\.yaml:5\\)$`));
      assert.match(c.warnings[1]!, new RegExp(`^timezone: '${written}' .*write ${canonical}.*\\(.*case\\.yaml:6\\)$`));
    }
  });

  test('when a zone is canonical IANA or UTC then it is taken as written, without a warning', () => {
    for (const zone of ['Europe/London', 'Asia/Kolkata', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires', 'UTC', 'Etc/GMT-14']) {
      const c = loadCaseFile(makeCase(`case: x\ntimezone: ${zone}\nsources: [{name: web, path: access.log}]\n`, { 'access.log': LOG }));
      assert.equal(c.timezone, zone);
      assert.deepEqual(c.warnings, [], zone);
    }
  });

  test('when the case has a backward-link zone then analyze prints the warning on stderr and shows times in the zone with their offset', () => {
    const path = makeCase('case: x\ntimezone: GB\nsources: [{name: web, path: access.log}]\ndocuments:\n  routes: [/d/{doc}]\n  owners: owners.csv\n', {
      'access.log': '203.0.113.7 - - [01/Apr/2015:10:00:00 +0000] "GET /d/1 HTTP/1.1" 200 1 "-" "-"\n',
      'owners.csv': 'document_id,owner_account\n1,bob\n',
    });
    const r = runCli(['analyze', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: timezone: 'GB' is an old name \(an IANA backward link\) for Europe\/London/m);
    assert.match(r.stdout, /^Exposure observed: 2015-04-01 11:00:00\+01:00 to 2015-04-01 11:00:00\+01:00 /m);
    assert.match(r.stdout, /^Times in: +Europe\/London/m);
  });
});

describe('case-file defects', () => {
  test('when case: is left out then the title is the file name without its extension', () => {
    const dir = tempDir();
    writeFiles(dir, { 'access.log': LOG, 'owners.csv': 'document_id,owner_account\n1,bob\n', 'parking-2015.yaml': 'sources: [{name: web, path: access.log}]\ndocuments:\n  routes: [/d/{doc}]\n  owners: owners.csv\n' });
    assert.equal(loadCaseFile(join(dir, 'parking-2015.yaml')).title, 'parking-2015');
  });

  test('when a misspelt key holds a flow list with {doc} then it is an unknown key with a guess, not a YAML error', () => {
    const [m, ...rest] = messagesOf('case: x\nsources: [{name: web, path: access.log}]\ndocuments:\n  route: [/d/{doc}]\n');
    assert.equal(rest.length, 0);
    assert.match(m!, /documents\.route: unknown key 'route' \| .*case\.yaml:4 .*did you mean 'routes'\?/);
  });

  test('when a flow list holds flow mappings then it is read as YAML, not quoted', () => {
    const c = loadCaseFile(makeCase('case: x\nsources: [{name: web, path: access.log}, {name: app, path: access.log}]\n', { 'access.log': LOG }));
    assert.deepEqual(c.sources.map((s) => s.name), ['web', 'app']);
  });

  test('when a flow-list regex route holds {1,30} then it is one route, not split at the comma', () => {
    const c = loadCaseFile(makeCase('case: x\nsources: [{name: web, path: access.log}]\ndocuments:\n  routes: [regex:/d/(?<doc>[0-9]{1,30}), /e/{doc}]\n', { 'access.log': LOG }));
    assert.deepEqual(c.documents.routes, ['regex:/d/(?<doc>[0-9]{1,30})', '/e/{doc}']);
  });

  test('when a block value is wrong then the line named is its key line, not the line below', () => {
    const ms = messagesOf('case: x\nsources: [{name: web, path: access.log}]\nwindow:\n  from: 2015-04-01T00:00:00Z\n  to: 2015-03-01T00:00:00Z\nwindw:\n  from: 2015-01-01\n');
    assert.equal(ms.length, 2);
    assert.match(ms[0]!, /^window: from must be before to \| .*case\.yaml:3 \(window\)/);
    assert.match(ms[1]!, /^windw: unknown key 'windw' \| .*case\.yaml:6 \(windw\)/);
  });

  test('when the case file has a schema error, a missing file and a bad zone then all three are reported in one run, in line order', () => {
    const ms = messagesOf('case: x\ntimezone: EST\nsources: [{name: web, path: access.log, fromat: combined}]\ndocuments:\n  routes: [/d/{doc}]\n  owners: nope.csv\n');
    assert.equal(ms.length, 3);
    assert.match(ms[0]!, /^timezone: 'EST'/);
    assert.match(ms[1]!, /^sources\[0\]\.fromat: unknown key/);
    assert.match(ms[2]!, /^documents\.owners: file not found: nope\.csv/);
  });
});

describe('ids as written', () => {
  test('when accounts look like numbers (00123, 1e3, 0x1F, 1_000, true) then they keep their text as written', () => {
    const c = loadCaseFile(makeCase('case: 2015\nsources: [{name: 0123, path: access.log}]\nauthorized:\n  accounts: [00123, 1e3, 0x1F, 1.50, true]\n', { 'access.log': LOG }));
    assert.deepEqual(c.authorized.accounts, ['00123', '1e3', '0x1F', '1.50', 'true']);
    assert.equal(c.title, '2015');
    assert.equal(c.sources[0]!.name, '0123');
  });

  test('when accounts are a block list of numbers then they keep their text too', () => {
    const c = loadCaseFile(makeCase('case: x\nsources: [{name: web, path: access.log}]\nauthorized:\n  accounts:\n    - 007\n    - "008"\n', { 'access.log': LOG }));
    assert.deepEqual(c.authorized.accounts, ['007', '008']);
  });
});

describe('wrong values refused at load time', () => {
  test('when a regex route uses a lookahead or a backreference then the command exits 2 naming the route and its line, before reading logs', () => {
    const path = makeCase('case: x\nsources: [{name: web, path: access.log}]\ndocuments:\n  routes:\n    - /ok/{doc}\n    - "regex:^/d/(?<doc>[0-9]+)(?=/)"\n    - "regex:^/(a)\\\\1/(?<doc>[0-9]+)"\n', { 'access.log': LOG });
    const r = runCli(['analyze', path]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: documents\.routes\[1\]: route .* is not a regex DuckDB can run\n {2}where: .*case\.yaml:6 \(documents\.routes\[1\]\)\n {2}why: +invalid perl operator: \(\?=\n {2}fix: +RE2 \(DuckDB\) has no lookahead/m);
    assert.match(r.stderr, /^error: documents\.routes\[2\]: .*\n {2}where: .*case\.yaml:7 [\s\S]*no backreferences/m);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.equal(existsSync(join(dirname(path), '.breachscope')), false, 'no store was opened');
  });

  test('when an Apache %{...}t strftime has a code DuckDB cannot read then exit 2 names the format key', () => {
    const path = makeCase(`case: x\nsources:\n  - name: web\n    path: access.log\n    timezone: UTC\n    format: {apache: '%h %l %u [%{%d/%b/%Y %H:%M:%S %Q}t] "%r" %>s %b'}\n`, { 'access.log': LOG });
    const r = runCli(['analyze', path]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: sources\[0\]\.format\.apache: this apache format cannot be read: DuckDB cannot read times written as '%d\/%b\/%Y %H:%M:%S %Q'\n {2}where: .*case\.yaml:6/m);
  });

  test('when detector parameters are out of range (1e18, .nan, .inf, -5) then exit 2 names each with its line', () => {
    const ms = messagesOf('case: x\nsources: [{name: web, path: access.log}]\ndetectors:\n  document_id_enumeration:\n    window_minutes: 1e18\n    min_documents: .nan\n    min_sequential: -5\n  document_access_attempts: {burst_minutes: .inf, burst_min: 2.5}\n');
    assert.equal(ms.length, 5);
    assert.match(ms[0]!, /^detectors\.document_id_enumeration\.window_minutes: must be a whole number from 1 to 525600, got 1000000000000000000 \| .*case\.yaml:5 /);
    assert.match(ms[1]!, /^detectors\.document_id_enumeration\.min_documents: must be a whole number .* got \.nan .*case\.yaml:6 /);
    assert.match(ms[2]!, /^detectors\.document_id_enumeration\.min_sequential: must be a whole number from 2 to 1000000, got -5 .*case\.yaml:7 /);
    assert.match(ms[3]!, /^detectors\.document_access_attempts\.burst_minutes: .* got \.inf \(infinity\) .*case\.yaml:8 /);
    assert.match(ms[4]!, /^detectors\.document_access_attempts\.burst_min: .* got 2\.5 .*case\.yaml:8 /);
  });

  test('when detector parameters are in range then the case loads', () => {
    const c = loadCaseFile(makeCase('case: x\nsources: [{name: web, path: access.log}]\ndetectors:\n  document_id_enumeration: {window_minutes: 60, min_documents: 3}\n', { 'access.log': LOG }));
    assert.deepEqual(c.detectors, { document_id_enumeration: { window_minutes: 60, min_documents: 3 } });
  });
});
