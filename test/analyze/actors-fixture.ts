import { combinedLine } from '../helpers.js';

/*
 * One small case for the actors, crawler and IP-context tests: an account that tries twice, then
 * walks three consecutive ids in two sessions from two IPs; a Googlebot; an anonymous client on a
 * tor-exit list; an IPv6 client. The IP context is a tiny iptoasn TSV and an address list.
 */

export const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const t = (hhmm: string, day = '16') => `${day}/Mar/2015:${hhmm}:00 +0000`;

export const LOG = [
  combinedLine({ ip: '198.51.100.7', user: 'mallory', time: t('10:00'), path: '/d/D10', status: 403 }),
  combinedLine({ ip: '198.51.100.7', user: 'mallory', time: t('10:01'), path: '/d/D20', status: 404 }),
  combinedLine({ ip: '198.51.100.7', user: 'mallory', time: t('10:02'), path: '/d/D1' }),
  combinedLine({ ip: '198.51.100.7', user: 'mallory', time: t('10:05'), path: '/d/D2' }),
  // 55 minutes of silence: a second session, from another address
  combinedLine({ ip: '203.0.113.50', user: 'mallory', time: t('11:00'), path: '/d/D3' }),
  combinedLine({ ip: '66.249.66.1', time: t('12:00'), path: '/d/D4', ua: GOOGLEBOT }),
  combinedLine({ ip: '66.249.66.1', time: t('12:30'), path: '/d/D5', ua: GOOGLEBOT }),
  combinedLine({ ip: '192.0.2.99', time: t('13:00'), path: '/d/D6', ua: 'python-requests/2.31' }),
  combinedLine({ ip: '2001:db8::5', time: t('14:00'), path: '/d/D12' }),
].join('\n');

const OWNERS = `document_id,owner_account\n${[1, 2, 3, 4, 5, 6, 10, 12, 20].map((i) => `D${i},alice`).join('\n')}\n`;

const ASN_TSV = [
  '0.0.0.0\t0.255.255.255\t0\tNone\tNot routed',
  '66.249.64.0\t66.249.95.255\t15169\tUS\tGOOGLE',
  '198.51.100.0\t198.51.100.255\t64500\tGB\tEXAMPLE-NET',
  '2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64501\tDE\tDOC-V6',
].join('\n');

const TOR = '# tor exits\n203.0.113.0/28\n192.0.2.99\n2001:db8:1::/48  # a block\n';

export function caseYaml(extra = ''): string {
  return `sources:\n  - {name: web, path: access.log, format: combined}\ndocuments:\n  routes: ["/d/{doc}"]\n  owners: owners.csv\n${extra}`;
}

/** A block inside a block: an address of the outer one, past the inner one, is a member all the same. */
const NETS = '66.249.0.0/16\n66.249.64.0/24\n';

export const ENRICHMENT = 'enrichment:\n  asn: ip2asn.tsv\n  lists:\n    - {name: tor-exits, path: tor.txt}\n    - {name: crawler-nets, path: nets.txt}\n';
export const FILES = { 'access.log': `${LOG}\n`, 'owners.csv': OWNERS, 'ip2asn.tsv': `${ASN_TSV}\n`, 'tor.txt': TOR, 'nets.txt': NETS };

