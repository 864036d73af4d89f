import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCaseFile, parseIsoTime } from '../../src/case/case-file.js';
import { UserError } from '../../src/util/user-error.js';
import { makeCase, runCli } from '../helpers.js';

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
    assert.match(m!, /use one of auto, .*w3c, combined, common, vhost_combined, jsonl, or \{nginx: '<log_format>'\} \/ \{apache: '<LogFormat>'\}/);
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
