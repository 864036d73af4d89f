/**
 * A held-out-style case made from a seed: several rotated access logs (jsonl with forwarded-for
 * behind trusted proxies, IPv4, IPv6 and hostnames), an identity log joined by request id and by
 * session, grants, subjects, authorized accounts and networks, query-parameter and path routes,
 * walks through consecutive ids, refusal bursts, HEAD requests, unknown documents and requests
 * outside the window: every rule of the counting is exercised by some line.
 */
import { makeCase } from '../helpers.js';

/** A small seeded generator (LCG), so the case is the same on every machine. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function generatedCase(seed = 7, files = 6, perFile = 250): string {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const accounts = Array.from({ length: 25 }, (_, i) => `user${i}`);
  const docs = Array.from({ length: 80 }, (_, i) => `D${1000 + i}`);
  const ips = ['203.0.113.5', '198.51.100.20', '2001:db8::7', '::ffff:192.0.2.44', '192.0.2.9', '198.51.100.21', 'gateway.example', '10.1.2.3'];
  const out: Record<string, string> = {};
  const identity: string[] = [];
  const base = Date.parse('2015-03-15T22:00:00Z');
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let i = 0; i < perFile; i++) {
      const t = new Date(base + (f * perFile + i) * 37_000 + Math.floor(r() * 20_000)).toISOString();
      const signed = r() < 0.6;
      const account = signed ? pick(accounts) : undefined;
      const doc = r() < 0.9 ? (r() < 0.3 ? docs[(f * perFile + i) % docs.length]! : pick(docs)) : `X${Math.floor(r() * 5)}`;
      const viaQuery = r() < 0.3;
      const status = pick([200, 200, 200, 200, 206, 304, 401, 403, 404, 500]);
      const method = pick(['GET', 'GET', 'GET', 'GET', 'HEAD', 'POST']);
      const xff = r() < 0.5 ? `${pick(ips)}, 10.0.0.${Math.floor(r() * 3)}` : undefined;
      const rid = `r${f}-${i}`;
      const session = r() < 0.5 ? `s${Math.floor(r() * 30)}` : undefined;
      if (account && r() < 0.3) identity.push(JSON.stringify({ time: t, request_id: rid, user: account }));
      else if (session && r() < 0.5) identity.push(JSON.stringify({ time: t, session, user: r() < 0.9 ? pick(accounts) : null }));
      lines.push(JSON.stringify({
        time: t, remote_addr: r() < 0.7 ? '10.0.0.1' : pick(ips), method, status,
        uri: viaQuery ? `/view?x=1&pcn=${encodeURIComponent(doc)}` : `/tickets/${doc}/image`,
        ...(xff ? { xff } : {}), ...(account && r() < 0.7 ? { user: account } : {}), request_id: rid, ...(session ? { session } : {}),
      }));
    }
    out[`logs/access.log.${f}`] = `${lines.join('\n')}\n`;
  }
  out['logs/identity.log'] = `${identity.join('\n')}\n`;
  out['owners.csv'] = ['document_id,owner_account', ...docs.map((d, i) => `${d},${accounts[i % accounts.length]}`), `${docs[3]},${accounts[9]}`].join('\n');
  out['subjects.csv'] = ['document_id,subject_id', ...docs.flatMap((d, i) => [`${d},p${i}`, ...(i % 7 === 0 ? [`${d},p${i + 1}`] : [])])].join('\n');
  out['grants.csv'] = ['account,document_id', `${accounts[1]},${docs[5]}`, `${accounts[2]},${docs[6]}`].join('\n');
  const yaml = `case: generated ${seed}
window: {from: 2015-03-16T00:00:00Z, to: 2015-03-20T00:00:00Z}
sources:
  - {name: web, path: "logs/access.log.*", format: jsonl, fields: {session: session, request_id: request_id}}
  - {name: app, path: logs/identity.log, format: jsonl, role: identity, fields: {session: session, request_id: request_id}}
network:
  trusted_proxies: [10.0.0.0/24]
authorized:
  accounts: [${accounts[0]}]
  networks: [192.0.2.0/28]
documents:
  routes: ["/tickets/{doc}/image", "/view?pcn={doc}"]
  owners: owners.csv
  subjects: subjects.csv
  grants: grants.csv
detectors:
  document_id_enumeration: {min_documents: 4}
`;
  return makeCase(yaml, { ...out, 'case.yaml': yaml });
}
