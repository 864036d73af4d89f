import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Store } from '../../src/db/store.js';
import { CORPUS, makeCase, runCli, tempDir } from '../helpers.js';

/*
 * Cross-check with a peer: GoAccess 1.7 (Debian, installed by .ci/run) and breachscope read the
 * same corpus files; total requests, unique client addresses and requests per status must agree.
 * Where they do not, the difference is written down below with the reason, found by reading the
 * lines: the test then asserts that exact difference, so a change on either side shows up.
 */

interface Figures {
  readonly requests: number;
  readonly ips: number;
  readonly statuses: Readonly<Record<string, number>>;
}

/** Files GoAccess has a preset for, with the preset. */
export const CROSS_CHECK: readonly { readonly file: string; readonly preset: string; readonly timezone?: string; readonly args?: readonly string[] }[] = [
  { file: 'combined/beats__nginx-access__access.log', preset: 'COMBINED' },
  { file: 'combined/crowdsec__apache_log4j2_cve-2021-44228.log', preset: 'COMBINED' },
  { file: 'combined/crowdsec__http-dos-bypass-cache.log', preset: 'COMBINED' },
  { file: 'combined/lnav__logfile_access_log.1', preset: 'COMBINED' },
  { file: 'common/beats__apache-access__darwin-2.4.23.log', preset: 'COMMON' },
  { file: 'common/crowdsec__apache-http-probing.log', preset: 'COMMON' },
  { file: 'common/netdata__common.log', preset: 'COMMON' },
  { file: 'vhost/beats__nginx-access__test-with-host.log', preset: 'VCOMBINED' },
  { file: 'vhost/netdata__full.log', preset: 'VCOMBINED' },
  { file: 'perf/elastic-examples__apache_logs.log', preset: 'COMBINED' },
  { file: 'w3c-iis/netdata__u_ex221107.log', preset: 'W3C' },
  { file: 'w3c-iis/lnav__logfile_w3c_big.0', preset: 'W3C' },
  { file: 'combined-plus/lnav__logfile_shop_access_log.0', preset: 'COMBINED' },
  { file: 'aws-alb/crowdsec__aws-alb-logs.log', preset: 'AWSALB' },
  { file: 'aws-alb/crowdsec__aws-alb-http-bad-user-agent.log', preset: 'AWSALB' },
  { file: 'aws-alb/matomo__alb.log', preset: 'AWSALB' },
  { file: 'aws-cloudfront/awslogparser__cloudfront-multiple.log', preset: 'CLOUDFRONT' },
  { file: 'aws-cloudfront/crowdsec__aws-cloudfront-logs.log', preset: 'CLOUDFRONT' },
  { file: 'aws-cloudfront/matomo__amazon_cloudfront_web.log', preset: 'CLOUDFRONT' },
  { file: 'aws-s3/matomo__s3.log', preset: 'AWSS3' },
  { file: 'caddy-json/crowdsec__caddy-logs.log', preset: 'CADDY' },
  { file: 'caddy-json/lnav__logfile_caddy_log.1', preset: 'CADDY' },
  { file: 'caddy-json/matomo__caddy_json.log', preset: 'CADDY' },
  // GoAccess 1.7's TRAEFIKCLF preset sets no date/time format ('No time format was found'): given here.
  { file: 'traefik-clf/crowdsec__traefik_clf.log', preset: 'TRAEFIKCLF', args: ['--date-format=%d/%b/%Y', '--time-format=%T'] },
  { file: 'traefik-clf/matomo__traefik.log', preset: 'TRAEFIKCLF', args: ['--date-format=%d/%b/%Y', '--time-format=%T'] },
];

/**
 * Known disagreements, each checked by reading the lines. `goaccess` is what GoAccess reports
 * where it differs from breachscope's figures.
 */
export const KNOWN_DIFFERENCES: Readonly<Record<string, { readonly why: string; readonly goaccess: Partial<Figures> }>> = {
  'combined/beats__nginx-access__access.log': {
    why: "line 11 is vhost-first ('lessons.example.com 192.168.0.1 - - [...] ... 206'): GoAccess's COMBINED preset rejects it; breachscope reads every NCSA shape in any file, so the 206 request and its address count",
    goaccess: { requests: 12, ips: 2, statuses: { '200': 2, '304': 2, '404': 8 } },
  },
  'common/netdata__common.log': {
    why: "GoAccess rejects requests whose client is not a valid IP: 100 'localhost' and 173 pseudo-IPv6 '2001:db8:2ce:1'/'2001:db8:2ce:2' (4 groups, no '::'); breachscope keeps each request with the client as logged (456 - 183 = 273 = 100 + 87 + 86)",
    goaccess: { requests: 183, ips: 2, statuses: { '100': 31, '101': 24, '200': 11, '201': 23, '300': 34, '301': 21, '400': 20, '401': 19 } },
  },
  'vhost/beats__nginx-access__test-with-host.log': {
    why: "GoAccess's VCOMBINED preset needs 'vhost:port' first: 6 of the 10 lines start with a bare vhost or an address; of the 4 with a port, 'unix:' is not an IP and is rejected too",
    goaccess: { requests: 3, ips: 3, statuses: { '200': 1, '400': 1, '404': 1 } },
  },
  'caddy-json/crowdsec__caddy-logs.log': {
    why: "lines 1-7 are access records with status 0 (Caddy logs 0 when no response was written, e.g. the client went away): GoAccess rejects them, breachscope keeps them as requests without a status (so they never count as disclosures); line 11 (logger http.handlers.reverse_proxy) is not a request for either",
    goaccess: { requests: 3, ips: 1 },
  },
  'traefik-clf/crowdsec__traefik_clf.log': {
    why: "GoAccess 1.7's TRAEFIKCLF preset rejects every line, even with the date and time formats given; the lines are Traefik's documented CLF (combined + count \"router\" \"backend\" Nms)",
    goaccess: { requests: 0, ips: 0, statuses: {} },
  },
  'traefik-clf/matomo__traefik.log': {
    why: 'as crowdsec__traefik_clf.log: the GoAccess preset reads none of the lines',
    goaccess: { requests: 0, ips: 0, statuses: {} },
  },
  'vhost/netdata__full.log': {
    why: "as netdata__common.log: GoAccess keeps only the 80 + 88 requests from 203.0.113.1/.2; 107 'localhost' and 177 pseudo-IPv6 clients are rejected (452 - 168 = 284 = 107 + 75 + 102)",
    goaccess: { requests: 168, ips: 2, statuses: { '100': 24, '101': 18, '200': 20, '201': 23, '300': 23, '301': 19, '400': 19, '401': 22 } },
  },
};

function goaccessFigures(file: string, preset: string, args: readonly string[] = []): Figures {
  const out = path.join(tempDir('bs-goaccess-'), 'report.json');
  const r = spawnSync('goaccess', [file, `--log-format=${preset}`, ...args, '--no-global-config', '--num-tests=0', '--max-items=100000', '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, `goaccess failed on ${file}: ${r.stderr}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    general: { valid_requests: number };
    hosts: { metadata: { data: { total: { value: number } } } };
    status_codes: { data: { items: { data: string; hits: { count: number } }[] }[] };
  };
  rmSync(path.dirname(out), { recursive: true, force: true });
  const statuses: Record<string, number> = {};
  for (const group of report.status_codes.data) for (const item of group.items) statuses[item.data.slice(0, 3)] = item.hits.count;
  return { requests: report.general.valid_requests, ips: report.hosts.metadata.data.total.value, statuses };
}

async function breachscopeFigures(file: string, timezone: string | undefined): Promise<Figures> {
  const casePath = makeCase(`case: cross-check\nsources:\n  - name: f\n    path: ${JSON.stringify(file)}\n${timezone ? `    timezone: ${timezone}\n` : ''}`);
  const r = runCli(['ingest', casePath]);
  assert.equal(r.code, 0, r.stderr);
  const store = await Store.open(path.join(path.dirname(casePath), '.breachscope'));
  try {
    const [t] = await store.all<{ requests: number; ips: number }>('SELECT count(*) AS requests, count(DISTINCT client_ip) AS ips FROM events');
    const rows = await store.all<{ status: number; n: number }>('SELECT status, count(*) AS n FROM events WHERE status IS NOT NULL GROUP BY status ORDER BY status');
    return { requests: t!.requests, ips: t!.ips, statuses: Object.fromEntries(rows.map((x) => [String(x.status), x.n])) };
  } finally {
    store.close();
  }
}

const hasGoaccess = spawnSync('goaccess', ['--version']).status === 0;
const skip = !existsSync(CORPUS) ? 'no ../shared/corpus/real-logs beside this checkout' : !hasGoaccess ? 'goaccess is not installed (.ci/run installs it from Debian)' : false;

describe('cross-check with GoAccess 1.7 on the corpus', { skip }, () => {
  for (const { file, preset, timezone, args } of CROSS_CHECK) {
    test(`when ${file} is read by both then requests, unique IPs and per-status counts agree (or differ as written down)`, async () => {
      const full = path.join(CORPUS, file);
      const ours = await breachscopeFigures(full, timezone);
      const theirs = goaccessFigures(full, preset, args);
      const known = KNOWN_DIFFERENCES[file];
      const expected = { ...ours, ...(known?.goaccess ?? {}) };
      assert.deepEqual(theirs, expected, `${file}: breachscope ${JSON.stringify(ours)} vs GoAccess ${JSON.stringify(theirs)}${known ? ` (known: ${known.why})` : ''}`);
    });
  }
});
