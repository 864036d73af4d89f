import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ActorIp, ActorRow } from '../../src/analyze/actors.js';
import type { CrawlerTotals } from '../../src/analyze/crawlers.js';
import { analyzeJson, makeCase, runCli } from '../helpers.js';
import { caseYaml, ENRICHMENT, FILES } from './actors-fixture.js';

/*
 * `breachscope actors`: who did it, per account or (anonymous) client IP. One small log holds an
 * account that tries twice, then walks three consecutive ids in two sessions from two IPs; a
 * Googlebot; an anonymous client listed as a tor exit; and an IPv6 client. The IP context comes
 * from a tiny iptoasn TSV and an address list written here.
 */

interface ActorsJson {
  total_actors: number;
  crawlers: CrawlerTotals;
  actors: ActorRow[];
  details: { actor: ActorRow; sessions: { session: number; accesses: number; attempts: number; ips: string[] }[]; ips: ActorIp[] }[];
}

function actors(casePath: string, args: readonly string[] = []): ActorsJson {
  const r = runCli(['actors', casePath, '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ActorsJson;
}

const byKey = (j: ActorsJson, actor: string) => j.actors.find((a) => a.actor === actor);

describe('actors', () => {
  const casePath = makeCase(caseYaml(ENRICHMENT), FILES);
  let cached: ActorsJson | undefined;
  const all = () => (cached ??= actors(casePath));

  test('when an account tries twice, then reads three documents with 55 minutes of silence then its timeline has 2 attempts before the first access and 2 sessions', () => {
    const m = byKey(all(), 'mallory');
    assert.ok(m);
    assert.equal(m.kind, 'account');
    assert.equal(m.accesses, 3);
    assert.equal(m.documents, 3);
    assert.equal(m.requests, 5);
    assert.equal(m.attempts_before_first_access, 2);
    assert.equal(m.sessions, 2);
    assert.equal(m.ips, 2);
    assert.equal(m.first_request, '2015-03-16T10:00:00Z');
    assert.equal(m.first_access, '2015-03-16T10:02:00Z');
    assert.equal(m.last_access, '2015-03-16T11:00:00Z');
  });

  test('when an actor walks consecutive ids then its enumeration pattern names the walk, and an actor with one request has none', () => {
    assert.equal(byKey(all(), 'mallory')?.enumeration?.longest_walk, 3);
    assert.equal(byKey(all(), '192.0.2.99')?.enumeration, null);
  });

  test('when anonymous clients read documents then each client IP is an actor of kind ip, every counted actor listed', () => {
    const j = all();
    assert.equal(j.total_actors, 4);
    assert.deepEqual(j.actors.map((a) => [a.actor, a.kind, a.accesses]), [
      ['mallory', 'account', 3],
      ['66.249.66.1', 'ip', 2],
      ['192.0.2.99', 'ip', 1],
      ['2001:db8::5', 'ip', 1],
    ]);
  });

  test('when a Googlebot reads documents then it is marked a crawler and totalled apart, and still counted', () => {
    const j = all();
    assert.equal(byKey(j, '66.249.66.1')?.crawler, 'Googlebot/');
    assert.equal(byKey(j, '66.249.66.1')?.crawler_accesses, 2);
    assert.equal(byKey(j, '192.0.2.99')?.crawler, null, 'python-requests is no known crawler');
    assert.deepEqual({ excluded: j.crawlers.excluded, accesses: j.crawlers.accesses, actors: j.crawlers.actors }, { excluded: false, accesses: 2, actors: 1 });
    assert.equal(analyzeJson(casePath).summary.unauthorized_accesses, 7);
  });

  test('when the case says exclude: {crawlers: true} then crawler accesses leave the figures and the actors, and are still totalled', () => {
    const excluded = makeCase(caseYaml(`${ENRICHMENT}exclude: {crawlers: true}\n`), FILES);
    const j = actors(excluded);
    assert.equal(byKey(j, '66.249.66.1'), undefined);
    assert.deepEqual({ excluded: j.crawlers.excluded, accesses: j.crawlers.accesses }, { excluded: true, accesses: 2 });
    const a = analyzeJson(excluded);
    assert.equal(a.summary.unauthorized_accesses, 5);
    assert.equal(a.summary.unique_ips, 4);
  });

  test('when the case names an iptoasn file and a list then each client IP gets its AS, organisation, country and list membership', () => {
    const ctx = (actor: string) => actors(casePath, ['--actor', actor]).details[0]!.ips;
    const mallory = ctx('mallory');
    assert.deepEqual(mallory.map((i) => [i.client_ip, i.asn, i.as_org, i.country, i.lists]), [
      ['198.51.100.7', 'AS64500', 'EXAMPLE-NET', 'GB', []],
      ['203.0.113.50', null, null, null, []],
    ]);
    assert.deepEqual(ctx('192.0.2.99').map((i) => i.lists), [['tor-exits']]);
    assert.deepEqual(ctx('66.249.66.1').map((i) => [i.asn, i.country, i.lists]), [['AS15169', 'US', ['crawler-nets']]], 'inside the /16, past the /24 listed within it');
    assert.deepEqual(ctx('2001:db8::5').map((i) => [i.asn, i.as_org, i.country, i.lists]), [['AS64501', 'DOC-V6', 'DE', []]]);
  });

  test('when --actor names an actor then its sessions are listed in order with their accesses and attempts', () => {
    const d = actors(casePath, ['--actor', 'mallory']).details[0]!;
    assert.deepEqual(d.sessions.map((s) => [s.session, s.accesses, s.attempts, s.ips]), [
      [1, 2, 2, ['198.51.100.7']],
      [2, 1, 0, ['203.0.113.50']],
    ]);
  });

  test('when --actor names no actor of the case then exit 2 saying so', () => {
    const r = runCli(['actors', casePath, '--actor', 'nobody\x1b[2J']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no actor 'nobody\\x1b\[2J'/);
  });

  test('when the text output is asked then the crawler line and the actors table are there, --top caps the rows', () => {
    const r = runCli(['actors', casePath, '--top', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^4 actors with an unauthorized access \(the 1 with the most accesses/);
    assert.match(r.stdout, /2 unauthorized accesses by 1 actor came with a known crawler's user agent \(Googlebot\/ 2\): they are counted/);
    assert.match(r.stdout, /mallory\s+account\s+3\s+3\s+5\s+2\s+2\s+2/);
    assert.doesNotMatch(r.stdout, /66\.249\.66\.1/);
  });

  test('when an address list holds a line that is not an address then exit 2 naming the file and line', () => {
    const bad = makeCase(caseYaml(ENRICHMENT), { ...FILES, 'tor.txt': '192.0.2.1\nnot-an-ip\n10.0.0.0/33\n' });
    const r = runCli(['analyze', bad]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /not an IP address or a CIDR block: "not-an-ip"\n\s+where: .*tor\.txt:2/);
    assert.match(r.stderr, /tor\.txt:3/);
    assert.doesNotMatch(r.stderr, /tor\.txt:1\b/);
  });

  test('when exclude or enrichment is misspelt or names a missing file then exit 2 with the key path', () => {
    const r = runCli(['analyze', makeCase(caseYaml('exclude: {crawler: true}\nenrichment: {asn: missing.tsv}\n'), FILES)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exclude\.crawler: unknown key 'crawler'[\s\S]*did you mean 'crawlers'\?/);
    assert.match(r.stderr, /enrichment\.asn: file not found: missing\.tsv/);
  });
});
