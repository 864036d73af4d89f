// Generates the "resident-portal" sample case: a 2022 housing-association portal whose
// release of 12 June showed signed-in residents other residents' anti-social-behaviour
// (ASB) case documents, and whose new download cache served files to anyone, until the
// hotfix at 00:00 on 18 June.
//
// Run: npx tsx sample-logs/resident-portal/generate.ts
//
// Deterministic: a seeded PRNG, no clock, no locale. The script tallies the figures from
// what it planted, re-reads the files it wrote with an independent parser (proxy chain,
// request-id and session joins, grants), and exits non-zero if either disagrees with the
// designed figures below.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../lib/rng.ts';

const HERE = import.meta.dirname;
const SEED = 20220618;

const DESIGNED = {
  unauthorized_accesses: 75,
  documents: 35,
  unique_ips: 13,
  affected_subjects: 55,
  accounts: 11,
  anonymous_accesses: 9,
  first_access: '2022-06-12T23:00:00Z',
  last_access: '2022-06-17T22:59:58Z',
} as const;

const WINDOW = { from: Date.parse('2022-06-12T23:00:00Z'), to: Date.parse('2022-06-17T23:00:00Z') };
const AUTHORIZED_ACCOUNTS = ['officer.kaur'] as const;

const TRAPS = [
  'owner_own_document',
  'household_grant',
  'staff_network',
  'authorized_account',
  'thumbnail_not_a_document_route',
  'anonymous_preview_redirect_302',
  'head_request',
  'options_request',
  'not_modified_304',
  'forbidden_403',
  'not_found_404',
  'server_error_5xx',
  'unknown_document',
  'before_window',
  'after_window',
  'non_document_page',
  'health_check',
  'malformed_line',
] as const;
type Trap = (typeof TRAPS)[number];
type Label = 'counted' | Trap;

const DESIGNED_TRAPS: Readonly<Record<Trap, number>> = {
  owner_own_document: 372,
  household_grant: 25,
  staff_network: 18,
  authorized_account: 6,
  thumbnail_not_a_document_route: 467,
  anonymous_preview_redirect_302: 2,
  head_request: 2,
  options_request: 1,
  not_modified_304: 17,
  forbidden_403: 3,
  not_found_404: 3,
  server_error_5xx: 1,
  unknown_document: 3,
  before_window: 2,
  after_window: 1,
  non_document_page: 1129,
  health_check: 432,
  malformed_line: 1,
};

// ---------------------------------------------------------------- randomness


const rng = new Rng(SEED);

// ---------------------------------------------------------------- time (all of June 2022 is BST)

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const BST = HOUR;

/** Europe/London wall-clock 'YYYY-MM-DD HH:MM:SS' in June 2022 to epoch ms. */
const bst = (wallClock: string): number => Date.parse(`${wallClock.replace(' ', 'T')}+01:00`);
/** nginx $time_iso8601 on a server in Europe/London. */
const nginxTime = (at: number): string => new Date(at + BST).toISOString().replace('.000Z', '+01:00');
/** The application logs in UTC. */
const isoUtc = (at: number): string => new Date(at).toISOString().replace('.000Z', 'Z');

// ---------------------------------------------------------------- addresses

/** How a client address is carried: which load balancer, extra entries on its left, the WAF hop. */
interface Client {
  /** The address as the designed answer spells it (canonical). */
  readonly ip: string;
  /** Entries the client side put in X-Forwarded-For before it reached us (proxies, spoofing). */
  readonly prefix?: readonly string[];
}

const LB_NEW = '10.0.0.12'; // writes addresses as it received them
const LB_OLD = '10.0.0.13'; // dual-stack appliance: IPv4 as ::ffff:a.b.c.d, IPv6 uncompressed upper case
const WAF = '10.0.0.9'; // in the path on 16 June 10:00-16:00; appends client address with port

function expandIpv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right];
}

const isV6 = (ip: string): boolean => ip.includes(':');

function throughLb(at: number, c: Client, forceLb?: string): { socket: string; xff: string } {
  const viaWaf = at >= bst('2022-06-16 10:00:00') && at < bst('2022-06-16 16:00:00');
  const lb = forceLb ?? (rng.chance(0.3) ? LB_OLD : LB_NEW);
  let own: string;
  if (viaWaf) {
    const port = rng.int(49152, 65535);
    own = isV6(c.ip) ? `[${c.ip}]:${port}, ${WAF}` : `${c.ip}:${port}, ${WAF}`;
  } else if (lb === LB_OLD) {
    own = isV6(c.ip) ? expandIpv6(c.ip).join(':').toUpperCase() : `::ffff:${c.ip}`;
  } else {
    own = c.ip;
  }
  return { socket: viaWaf ? LB_NEW : lb, xff: [...(c.prefix ?? []), own].join(', ') };
}

// ---------------------------------------------------------------- people, cases, documents

const personIds = new Set<string>();
function newPerson(): string {
  for (;;) {
    const id = `P${rng.int(10000, 99999)}`;
    if (!personIds.has(id)) {
      personIds.add(id);
      return id;
    }
  }
}

const ESTATES = ['Northfield', 'Canal Side', 'Marlowe Court'] as const;
type Estate = (typeof ESTATES)[number];

interface Resident {
  readonly account: string;
  readonly person: string;
  readonly estate: Estate;
  readonly client: Client;
  readonly ua: string;
}

const UA = {
  chromeWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/102.0.5005.63 Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/102.0.5005.63 Safari/537.36 Edg/102.0.1245.33',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 15_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.5 Mobile/15E148 Safari/604.1',
  android: 'Mozilla/5.0 (Linux; Android 12; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/102.0.5005.78 Mobile Safari/537.36',
  facebookApp: 'Mozilla/5.0 (Linux; Android 11; moto g(30)) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/101.0.4951.61 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/369.0.0.18.103;]',
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.5 Safari/605.1.15',
  firefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:101.0) Gecko/20100101 Firefox/101.0',
  // A quote inside the user agent: nginx escape=json writes it as \".
  quoted: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) "HousingHelper/2.1" AppleWebKit/537.36 (KHTML, like Gecko) Chrome/102.0.5005.63 Safari/537.36',
  office: 'Microsoft Office Existence Discovery',
  health: 'ELB-HealthChecker/2.0',
} as const;
const BROWSERS = [UA.chromeWin, UA.edge, UA.iphone, UA.android, UA.mac, UA.firefox] as const;

const residents = new Map<string, Resident>();
function resident(account: string, estate: Estate, client: Client, ua: string): Resident {
  const r: Resident = { account, person: newPerson(), estate, client, ua };
  residents.set(account, r);
  return r;
}

// The residents whose clicks make up the finding, each with a quirk of the address trail.
const R0042 = resident('R0042', 'Northfield', { ip: '198.51.100.23', prefix: ['1.2.3.4'] }, UA.chromeWin); // browser extension spoofs XFF
const R0043 = resident('R0043', 'Northfield', { ip: '198.51.100.23' }, UA.iphone); // same household as R0042
const R0051 = resident('R0051', 'Canal Side', { ip: '198.51.100.140' }, UA.edge); // library PC
const R0057 = resident('R0057', 'Canal Side', { ip: '198.51.100.140' }, UA.edge); // same library PC, same session cookie
const R0077 = resident('R0077', 'Northfield', { ip: '2001:db8:4a1c::1f' }, UA.android); // IPv6
const R0101 = resident('R0101', 'Marlowe Court', { ip: '198.51.100.77' }, UA.mac); // seen as ::ffff: via the old LB
const R0118 = resident('R0118', 'Canal Side', { ip: '203.0.113.66' }, UA.iphone); // mobile CGNAT
const R0124 = resident('R0124', 'Canal Side', { ip: '203.0.113.66' }, UA.android); // same CGNAT address
const R0133 = resident('R0133', 'Marlowe Court', { ip: '198.51.100.60', prefix: ['172.16.4.20'] }, UA.quoted); // office proxy
const R0150 = resident('R0150', 'Northfield', { ip: '203.0.113.90', prefix: ['192.0.2.15'] }, UA.firefox); // spoofs a staff address
const R0162 = resident('R0162', 'Marlowe Court', { ip: '203.0.113.45' }, UA.chromeWin); // seen with a port via the WAF
const R0170 = resident('R0170', 'Marlowe Court', { ip: '198.51.100.99' }, UA.facebookApp); // followed a shared link first
const SNOOPERS = [R0042, R0043, R0051, R0057, R0077, R0101, R0118, R0124, R0133, R0150, R0162, R0170] as const;

const usedHomes = new Set<string>();
function newHome(): string {
  // Background residents come from 198.18.0.0/15 (RFC 2544), apart from every snooper.
  for (;;) {
    const ip = `198.${rng.int(18, 19)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    if (!usedHomes.has(ip)) {
      usedHomes.add(ip);
      return ip;
    }
  }
}
{
  const taken = new Set(SNOOPERS.map((r) => Number(r.account.slice(1))));
  const numbers = rng.shuffle(Array.from({ length: 230 }, (_, i) => i + 1).filter((n) => !taken.has(n))).slice(0, 150).sort((a, b) => a - b);
  for (const n of numbers) resident(`R${String(n).padStart(4, '0')}`, rng.pick(ESTATES), { ip: newHome() }, rng.pick(BROWSERS));
}
const background = [...residents.values()].filter((r) => !SNOOPERS.includes(r as (typeof SNOOPERS)[number]));

interface Doc {
  readonly id: string;
  readonly caseRef: string;
  readonly owner: Resident;
  readonly subjects: Set<string>;
}
interface Case {
  readonly ref: string;
  readonly estate: Estate;
  readonly complainant: Resident;
  readonly docs: Doc[];
}

const cases: Case[] = [];
const docsById = new Map<string, Doc>();
const deletedIds: string[] = [];
{
  const complainants = [
    R0042, R0043, R0051, R0057, R0077, R0101, R0118, R0124, R0133, R0150, R0162, R0170,
    ...rng.shuffle(background).slice(0, 40),
  ];
  const order = rng.shuffle(complainants);
  // R0042's case is reported last so that its newest letter is the highest id.
  order.splice(order.indexOf(R0042), 1);
  order.push(R0042);
  let nextId = 7701;
  order.forEach((complainant, i) => {
    const ref = `ASB-2022-${String(i + 1).padStart(4, '0')}`;
    const accused = [rng.chance(0.6) ? rng.pick(background).person : newPerson(), ...(rng.chance(0.3) ? [newPerson()] : [])];
    const witnesses = rng.chance(0.5) ? [newPerson(), ...(rng.chance(0.3) ? [rng.pick(background).person] : [])] : [];
    const c: Case = { ref, estate: complainant.estate, complainant, docs: [] };
    const count = complainant === R0042 ? 4 : rng.int(2, 5);
    for (let k = 0; k < count; k++) {
      while (rng.chance(0.08)) deletedIds.push(String(nextId++));
      const subjects = new Set<string>([complainant.person]);
      // Diaries and letters name the accused; a witness statement names its witness.
      if (k === 0 || rng.chance(0.7)) for (const p of accused) subjects.add(p);
      const witness = witnesses[k % Math.max(1, witnesses.length)];
      if (witness !== undefined && rng.chance(0.5)) subjects.add(witness);
      const doc: Doc = { id: String(nextId++), caseRef: ref, owner: complainant, subjects };
      c.docs.push(doc);
      docsById.set(doc.id, doc);
    }
    cases.push(c);
  });
}
const casesOf = (r: Resident): Case[] => cases.filter((c) => c.complainant === r);
const docsOf = (r: Resident): Doc[] => casesOf(r).flatMap((c) => c.docs);
const firstDoc = (r: Resident): Doc => {
  const d = docsOf(r)[0];
  if (d === undefined) throw new Error(`${r.account} has no documents`);
  return d;
};

// Household members may see each other's documents, one grant per document.
const grants = new Set<string>();
const grantKey = (account: string, doc: string): string => `${account}\u0000${doc}`;
const R0042_NEWEST = docsOf(R0042)[docsOf(R0042).length - 1];
if (R0042_NEWEST === undefined) throw new Error('R0042 has no documents');
const households: [Resident, Resident][] = [[R0042, R0043]];
{
  const withDocs = rng.shuffle(background.filter((r) => docsOf(r).length > 0));
  for (let i = 0; i + 1 < 8; i += 2) {
    const a = withDocs[i];
    const b = withDocs[i + 1];
    if (a !== undefined && b !== undefined) households.push([a, b]);
  }
  for (const [a, b] of households) {
    // The letter added to R0042's case on 14 June was never granted to R0043.
    for (const d of docsOf(a)) if (d !== R0042_NEWEST) grants.add(grantKey(b.account, d.id));
    for (const d of docsOf(b)) grants.add(grantKey(a.account, d.id));
  }
}
const partnerOf = (r: Resident): Resident | undefined => households.flatMap(([a, b]) => (a === r ? [b] : b === r ? [a] : []))[0];

/** Documents the release listed to a resident although they were someone else's. */
function othersOnEstate(r: Resident): Doc[] {
  return cases
    .filter((c) => c.estate === r.estate && c.complainant !== r)
    .flatMap((c) => c.docs)
    .filter((d) => !grants.has(grantKey(r.account, d.id)));
}

// ---------------------------------------------------------------- log lines

interface Access {
  readonly at: number;
  readonly account: string | null;
  readonly ip: string;
  readonly doc: string;
}
interface Line {
  readonly at: number;
  readonly seq: number;
  readonly text: string;
  readonly label: Label;
  readonly access?: Access;
}
interface AppRecord {
  readonly at: number;
  readonly seq: number;
  readonly text: string;
}

const lines: Line[] = [];
const appRecords: AppRecord[] = [];
let seq = 0;
const SITE = 'https://portal.example-housing.org.uk';

const docPath = (d: Doc | { id: string; caseRef: string }): string => `/cases/${d.caseRef}/documents/${d.id}`;

function pdfBytes(): number {
  return rng.int(38000, 910000);
}

interface Hit {
  readonly method?: string;
  readonly uri: string;
  readonly status?: number;
  readonly bytes?: number;
  readonly label: Label;
  readonly doc?: string;
  readonly referer?: string;
  /** The app handled the request and logged it (only for signed-in users). */
  readonly app?: string;
}

/** One browser: an address trail, a session cookie, perhaps a signed-in user. */
class Visit {
  at: number;
  user: string | null = null;
  session = '';
  private referer = '';
  constructor(
    start: string | number,
    readonly client: Client,
    readonly ua: string,
    private readonly forceLb?: string,
  ) {
    this.at = typeof start === 'number' ? start : bst(start);
  }

  pause(loSeconds: number, hiSeconds: number): this {
    this.at += rng.int(loSeconds, hiSeconds) * SECOND;
    return this;
  }

  hit(h: Hit): this {
    const { socket, xff } = throughLb(this.at, this.client, this.forceLb);
    const requestId = rng.hex(32);
    const method = h.method ?? 'GET';
    const status = h.status ?? 200;
    const record = {
      time: nginxTime(this.at),
      host: 'portal.example-housing.org.uk',
      remote_addr: socket,
      xff,
      method,
      uri: h.uri,
      status,
      bytes: h.bytes ?? (status === 200 ? rng.int(4100, 16800) : status === 302 ? 0 : status === 304 || method !== 'GET' ? 0 : rng.int(150, 600)),
      request_time: Number((rng.int(2, 480) / 1000).toFixed(3)),
      ua: this.ua,
      referer: h.referer ?? this.referer,
      request_id: requestId,
      session: this.session,
    };
    const text = JSON.stringify(record);
    if (h.label === 'counted') {
      if (h.doc === undefined) throw new Error(`counted hit without a document: ${h.uri}`);
      lines.push({ at: this.at, seq: seq++, text, label: h.label, access: { at: this.at, account: this.user, ip: this.client.ip, doc: h.doc } });
    } else {
      lines.push({ at: this.at, seq: seq++, text, label: h.label });
    }
    if (h.app !== undefined && this.user !== null) {
      // The app handled it a moment before nginx wrote the line, within the same second.
      appRecords.push({
        at: this.at,
        seq: seq++,
        text: JSON.stringify({ ts: isoUtc(this.at), level: 'info', event: h.app, request_id: requestId, user: this.user, session: this.session }),
      });
    }
    if (method === 'GET' && status === 200 && !h.uri.includes('download=1') && !h.uri.startsWith('/static/') && !h.uri.endsWith('/thumbnail')) {
      this.referer = `${SITE}${h.uri}`;
    }
    return this;
  }

  /** A page the app renders; the first one sets the session cookie. */
  page(uri: string, label: Label = 'non_document_page', event = 'page.view'): this {
    this.hit({ uri, label, app: event });
    if (this.session === '') this.session = `s-${rng.hex(16)}`;
    return this;
  }

  signIn(account: string): this {
    this.page('/login').pause(10, 45);
    this.user = account;
    this.hit({ method: 'POST', uri: '/login', status: 302, label: 'non_document_page', app: 'auth.login' });
    return this.pause(1, 2).page('/cases').pause(3, 30);
  }

  signOut(): this {
    this.hit({ uri: '/logout', status: 302, label: 'non_document_page', app: 'auth.logout' });
    this.user = null;
    return this;
  }

  /** The case page with a thumbnail per document (thumbnails are not a document route). */
  openCase(c: Case, thumbLabel: Label): this {
    this.page(`/cases/${c.ref}`);
    for (const d of c.docs) this.hit({ uri: `${docPath(d)}/thumbnail`, bytes: rng.int(3000, 9000), label: thumbLabel });
    return this.pause(5, 40);
  }

  preview(d: Doc, label: Label): this {
    return this.hit({ uri: docPath(d), label, doc: d.id, app: 'document.preview' });
  }

  /** Downloads come from nginx's document cache: no app record, only the session cookie. */
  download(d: Doc, label: Label, status = 200): this {
    const bytes = status === 206 ? 65536 : status === 200 ? pdfBytes() : status === 304 ? 0 : rng.int(150, 600);
    return this.hit({ uri: `${docPath(d)}?download=1`, status, bytes, label, doc: d.id });
  }
}

// ---------------------------------------------------------------- the accesses

const SNOOP_FORMS = ['preview', 'preview+download', 'preview+download', 'download'] as const;

/** Opens someone else's documents: preview page, download, or both, as counted accesses. */
function snoop(v: Visit, docs: readonly Doc[], times: number): Doc[] {
  const seen: Doc[] = [];
  for (let i = 0; i < times; i++) {
    const d = rng.pick(docs);
    const c = cases.find((x) => x.ref === d.caseRef);
    if (c !== undefined && !seen.some((s) => s.caseRef === c.ref) && rng.chance(0.5)) v.openCase(c, 'thumbnail_not_a_document_route');
    const form = rng.pick(SNOOP_FORMS);
    if (form !== 'download') v.preview(d, 'counted').pause(2, 20);
    if (form !== 'preview') v.download(d, 'counted').pause(10, 120);
    seen.push(d);
  }
  return seen;
}

function ownLook(v: Visit, r: Resident): void {
  const d = firstDoc(r);
  v.preview(d, 'owner_own_document').pause(2, 10).download(d, 'owner_own_document').pause(10, 60);
}

// R0042: the spoofed X-Forwarded-For; also opens his partner's documents (granted).
{
  const v = new Visit('2022-06-13 19:10:04', R0042.client, R0042.ua).signIn(R0042.account);
  ownLook(v, R0042);
  const partner = partnerOf(R0042);
  if (partner !== undefined) v.preview(firstDoc(partner), 'household_grant').pause(5, 30);
  snoop(v, othersOnEstate(R0042), 3);
  v.signOut();
}
{
  const v = new Visit('2022-06-15 20:31:40', R0042.client, R0042.ua).signIn(R0042.account);
  const seen = snoop(v, othersOnEstate(R0042), 2);
  // The PDF viewer fetched one file in ranges: 206 Partial Content is a disclosure.
  const d = seen[0];
  if (d !== undefined) v.download(d, 'counted', 206).pause(0, 1).download(d, 'counted', 206).pause(5, 20);
  const again = seen[1];
  if (again !== undefined) v.download(again, 'not_modified_304', 304);
}
// R0043: her partner's documents are granted, except the letter added on 14 June.
{
  const v = new Visit('2022-06-14 08:02:19', R0043.client, R0043.ua).signIn(R0043.account);
  ownLook(v, R0043);
  for (const d of docsOf(R0042).filter((x) => x !== R0042_NEWEST)) v.preview(d, 'household_grant').pause(5, 40);
  v.download(firstDoc(R0042), 'household_grant').pause(10, 40);
  v.preview(R0042_NEWEST, 'counted').pause(5, 30).download(R0042_NEWEST, 'counted').pause(20, 60);
  snoop(v, othersOnEstate(R0043).filter((d) => d.owner !== R0042), 1);
}
// The library PC: R0051 signs in, looks, signs out; R0057 signs in on the same browser and
// the session cookie is not renewed, so one session id carries two accounts in turn.
{
  const v = new Visit('2022-06-14 14:05:12', R0051.client, R0051.ua).signIn(R0051.account);
  snoop(v, othersOnEstate(R0051), 2);
  v.download(firstDoc(R0051), 'owner_own_document').pause(30, 90);
  v.signOut().pause(300, 500);
  v.page('/').pause(20, 60).signIn(R0057.account);
  v.download(firstDoc(R0057), 'owner_own_document').pause(10, 30);
  snoop(v, othersOnEstate(R0057).filter((d) => d.owner !== R0051), 2);
  v.signOut();
}
// R0077 on IPv6 (written uncompressed and upper case by the old load balancer).
for (const start of ['2022-06-13 12:30:51', '2022-06-16 07:50:33']) {
  const v = new Visit(start, R0077.client, R0077.ua).signIn(R0077.account);
  if (start.startsWith('2022-06-13')) ownLook(v, R0077);
  snoop(v, othersOnEstate(R0077), 3);
}
// R0101: one session through each load balancer, so both 198.51.100.77 and ::ffff:198.51.100.77.
for (const [start, lb] of [
  ['2022-06-13 21:14:09', LB_OLD],
  ['2022-06-17 10:02:45', LB_NEW],
] as const) {
  const v = new Visit(start, R0101.client, R0101.ua, lb).signIn(R0101.account);
  snoop(v, othersOnEstate(R0101), 3);
}
// Two neighbours behind one mobile-carrier address.
{
  const v = new Visit('2022-06-14 17:45:30', R0118.client, R0118.ua).signIn(R0118.account);
  ownLook(v, R0118);
  snoop(v, othersOnEstate(R0118), 2);
}
{
  const v = new Visit('2022-06-15 07:12:05', R0124.client, R0124.ua).signIn(R0124.account);
  snoop(v, othersOnEstate(R0124), 3);
  v.signOut();
}
// R0133 from an office whose proxy adds the LAN address on the left.
{
  const v = new Visit('2022-06-16 12:41:26', R0133.client, R0133.ua).signIn(R0133.account);
  ownLook(v, R0133);
  snoop(v, othersOnEstate(R0133), 4);
}
// R0162 on the day the WAF was in the path (client address with a port), and the next day.
for (const start of ['2022-06-16 11:20:14', '2022-06-17 18:05:52']) {
  const v = new Visit(start, R0162.client, R0162.ua).signIn(R0162.account);
  snoop(v, othersOnEstate(R0162), 2);
}
// R0150 spoofs a staff address on the left of X-Forwarded-For; the window opens mid-session.
{
  const v = new Visit('2022-06-12 23:49:31', R0150.client, R0150.ua).signIn(R0150.account);
  const targets = othersOnEstate(R0150);
  const early = rng.pick(targets);
  v.preview(early, 'before_window');
  v.at = bst('2022-06-12 23:59:59');
  v.download(early, 'before_window');
  v.at = bst('2022-06-13 00:00:00');
  const first = rng.pick(targets.filter((d) => d !== early));
  v.download(first, 'counted').pause(20, 60);
  snoop(v, targets, 3);
}
// R0118 again, at the very end: the last second of the window, then the hotfix.
{
  const v = new Visit('2022-06-17 23:56:02', R0118.client, R0118.ua).signIn(R0118.account);
  const d = rng.pick(othersOnEstate(R0118));
  v.preview(d, 'counted');
  v.at = bst('2022-06-17 23:59:58');
  v.download(d, 'counted');
  v.at = bst('2022-06-18 00:00:00');
  const late = rng.pick(othersOnEstate(R0118).filter((x) => x !== d));
  v.download(late, 'after_window');
  v.at = bst('2022-06-18 00:00:41');
  v.hit({ uri: docPath(late), status: 403, label: 'forbidden_403', doc: late.id, app: 'document.denied' });
  v.pause(5, 15).download(late, 'forbidden_403', 403);
}
// R0170 opened a link from the residents' group chat before signing in (anonymous, with a
// session cookie whose first identity record comes 20 minutes later), then signed in.
{
  const v = new Visit('2022-06-15 09:58:40', R0170.client, R0170.ua);
  v.page('/').pause(60, 90);
  const shared = rng.pick(othersOnEstate(R0170));
  v.at = bst('2022-06-15 10:00:05');
  v.download(shared, 'counted');
  v.at = bst('2022-06-15 10:20:00');
  v.signIn(R0170.account);
  ownLook(v, R0170);
}
// Anonymous: the same shared links, opened from the group chat without signing in.
const chatLinks = rng.shuffle([...docsById.values()].filter((d) => d.owner.estate === 'Marlowe Court')).slice(0, 4);
for (const [start, client] of [
  ['2022-06-15 10:12:44', { ip: '203.0.113.120' }],
  ['2022-06-15 13:40:09', { ip: '198.51.100.190' }],
  ['2022-06-16 11:03:37', { ip: '2001:db8:9c::8' }], // via the WAF: [2001:db8:9c::8]:port
  ['2022-06-16 21:17:58', { ip: '2001:db8:9c::8' }],
] as const) {
  const v = new Visit(start, client, rng.pick([UA.iphone, UA.android, UA.facebookApp]));
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) v.download(rng.pick(chatLinks), 'counted').pause(30, 200);
  // Without a session the preview page sends you to sign in.
  if (rng.chance(0.7)) v.hit({ uri: docPath(rng.pick(chatLinks)), status: 302, label: 'anonymous_preview_redirect_302' });
}
// A link to a shared document pasted into a Word file: Office probes it before opening.
{
  const v = new Visit('2022-06-16 15:22:10', { ip: '203.0.113.120' }, UA.office);
  const d = rng.pick(chatLinks);
  v.hit({ method: 'OPTIONS', uri: `${docPath(d)}?download=1`, status: 204, bytes: 0, label: 'options_request', doc: d.id, referer: '' });
  v.pause(0, 1).hit({ method: 'HEAD', uri: `${docPath(d)}?download=1`, status: 200, bytes: 0, label: 'head_request', doc: d.id, referer: '' });
  v.pause(0, 1).hit({ method: 'HEAD', uri: `${docPath(d)}?download=1`, status: 200, bytes: 0, label: 'head_request', doc: d.id, referer: '' });
}

// ---------------------------------------------------------------- those who must not count

// Housing officers in the office (192.0.2.0/24), behind the load balancers; one of them
// through the WAF, and so with a port.
for (const [start, account, ip] of [
  ['2022-06-13 09:20:11', 'hsg.jsmith', '192.0.2.15'],
  ['2022-06-14 11:05:48', 'hsg.pokafor', '192.0.2.22'],
  ['2022-06-16 14:31:02', 'hsg.jsmith', '192.0.2.15'],
] as const) {
  const v = new Visit(start, { ip }, UA.edge).signIn(account);
  for (let i = 0; i < 3; i++) {
    const d = rng.pick([...docsById.values()]);
    v.preview(d, 'staff_network').pause(5, 30).download(d, 'staff_network').pause(30, 200);
  }
}
// The ASB officer working from home: authorized by account.
{
  const v = new Visit('2022-06-15 19:40:27', { ip: '198.51.100.201' }, UA.chromeWin).signIn(AUTHORIZED_ACCOUNTS[0]);
  for (let i = 0; i < 3; i++) {
    const d = rng.pick([...docsById.values()]);
    v.preview(d, 'authorized_account').pause(5, 30).download(d, 'authorized_account').pause(30, 200);
  }
}
// Residents looking at their own cases: the bulk of the log.
const LOG_START = bst('2022-06-11 00:00:00');
const LOG_END = bst('2022-06-19 23:59:59');
function randomDaytime(): number {
  for (;;) {
    const at = LOG_START + Math.floor((rng.next() * (LOG_END - LOG_START)) / SECOND) * SECOND;
    const hour = new Date(at + BST).getUTCHours();
    if (hour >= 7 && hour <= 23) return at;
  }
}
const withCases = background.filter((r) => docsOf(r).length > 0);
for (let i = 0; i < 110; i++) {
  const r = rng.pick(withCases);
  const v = new Visit(randomDaytime(), r.client, r.ua);
  v.page('/').pause(1, 2);
  v.hit({ uri: '/static/app.css', bytes: 28411, label: 'non_document_page' }).hit({ uri: '/static/app.js', bytes: 190233, label: 'non_document_page' }).pause(3, 30);
  v.signIn(r.account);
  const c = rng.pick(casesOf(r));
  v.openCase(c, 'thumbnail_not_a_document_route');
  for (const d of c.docs) {
    if (rng.chance(0.5)) v.preview(d, 'owner_own_document').pause(3, 40);
    if (rng.chance(0.4)) v.download(d, 'owner_own_document').pause(10, 90);
  }
  // A partner's documents, through the household grant.
  const partner = partnerOf(r);
  if (partner !== undefined && rng.chance(0.6)) {
    const d = firstDoc(partner);
    v.preview(d, 'household_grant').pause(3, 30).download(d, 'household_grant');
  }
  if (rng.chance(0.1)) v.download(firstDoc(r), 'not_modified_304', 304);
  if (rng.chance(0.5)) v.pause(20, 200).signOut();
}
// Visitors who never sign in.
for (let i = 0; i < 60; i++) {
  const v = new Visit(randomDaytime(), { ip: newHome() }, rng.pick(BROWSERS));
  v.page('/').pause(1, 2).hit({ uri: '/static/app.css', bytes: 28411, label: 'non_document_page' });
  v.hit({ uri: '/favicon.ico', status: 404, label: 'non_document_page' }).pause(5, 60);
  if (rng.chance(0.6)) v.page('/login');
}
// Load-balancer health checks: no X-Forwarded-For, so the socket address is the client.
for (let at = LOG_START + 7 * MINUTE; at < LOG_END; at += HOUR) {
  for (const lb of [LB_NEW, LB_OLD]) {
    lines.push({
      at,
      seq: seq++,
      text: JSON.stringify({ time: nginxTime(at), host: 'portal.example-housing.org.uk', remote_addr: lb, xff: '', method: 'GET', uri: '/healthz', status: 200, bytes: 2, request_time: 0.001, ua: UA.health, referer: '', request_id: rng.hex(32), session: '' }),
      label: 'health_check',
    });
  }
}

// Odd statuses and ids, each on someone else's document from a snooper's address.
{
  const v = new Visit('2022-06-14 18:02:51', R0124.client, R0124.ua).signIn(R0124.account);
  const others = othersOnEstate(R0124);
  const sealed = rng.pick(others);
  // A sealed case: the one check the release kept.
  v.hit({ uri: docPath(sealed), status: 403, label: 'forbidden_403', doc: sealed.id, app: 'document.denied' });
  // A file missing from the cache.
  v.pause(10, 30).download(rng.pick(others), 'not_found_404', 404);
  v.pause(10, 30).download(rng.pick(others), 'server_error_5xx', 502);
  // Deleted documents: their ids are gone from the register.
  for (const id of deletedIds.slice(0, 2)) v.pause(10, 30).hit({ uri: docPath({ id, caseRef: rng.pick(cases).ref }), status: 404, label: 'not_found_404' });
}
{
  // The training case's files are served but were never part of the register.
  const v = new Visit('2022-06-16 09:44:18', R0077.client, R0077.ua).signIn(R0077.account);
  for (const id of ['9001', '9002', '9003']) v.pause(10, 40).hit({ uri: `/cases/ASB-TEST-0001/documents/${id}?download=1`, bytes: pdfBytes(), label: 'unknown_document' });
}

// Background jobs log to the app log with no session and no request of ours.
for (const when of ['2022-06-13 06:00:00', '2022-06-15 06:00:00', '2022-06-17 06:00:00']) {
  const at = bst(when);
  appRecords.push({ at, seq: seq++, text: JSON.stringify({ ts: isoUtc(at), level: 'info', event: 'digest.sent', request_id: `job-${rng.hex(12)}`, user: 'system' }) });
}

// A line cut short when the disk filled up, then the next line on its own.
{
  const at = bst('2022-06-15 22:41:07');
  const d = rng.pick(othersOnEstate(R0133));
  lines.push({
    at,
    seq: seq++,
    text: `{"time":"${nginxTime(at)}","host":"portal.example-housing.org.uk","remote_addr":"${LB_NEW}","xff":"198.51.100.60","method":"GET","uri":"${docPath(d)}?download=1","status":200,"bytes":41`,
    label: 'malformed_line',
  });
}

// Googlebot fetched a document a resident had shared as a link in the group chat: an anonymous
// disclosure like any other (known crawlers count unless the case says exclude: {crawlers: true}),
// marked and totalled apart. No random draw: the rest of the sample is unchanged.
{
  const shared = lines.find((l) => l.access !== undefined && l.access.account === null)!;
  const d = docsById.get(shared.access!.doc)!;
  const at = bst('2022-06-16 04:12:09');
  const ip = '66.249.66.1';
  const record = {
    time: nginxTime(at),
    host: 'portal.example-housing.org.uk',
    remote_addr: LB_NEW,
    xff: ip,
    method: 'GET',
    uri: docPath(d),
    status: 200,
    bytes: 9214,
    request_time: 0.041,
    ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    referer: '',
    request_id: '6f0c2b9e4d1a47c3a8e5b7d2c9f1e304',
    session: '',
  };
  lines.push({ at, seq: seq++, text: JSON.stringify(record), label: 'counted', access: { at, account: null, ip, doc: d.id } });
}

// ---------------------------------------------------------------- write

lines.sort((a, b) => a.at - b.at || a.seq - b.seq);
appRecords.sort((a, b) => a.at - b.at || a.seq - b.seq);
mkdirSync(join(HERE, 'logs'), { recursive: true });
mkdirSync(join(HERE, 'data'), { recursive: true });
writeFileSync(join(HERE, 'logs/nginx-access.jsonl'), lines.map((l) => `${l.text}\n`).join(''));
writeFileSync(join(HERE, 'logs/app.jsonl'), appRecords.map((r) => `${r.text}\n`).join(''));

const byNumber = (a: string, b: string): number => Number(a) - Number(b);
const docIds = [...docsById.keys()].sort(byNumber);
writeFileSync(join(HERE, 'data/documents.csv'), `document_id,owner_account\n${docIds.map((id) => `${id},${docsById.get(id)?.owner.account}\n`).join('')}`);
writeFileSync(
  join(HERE, 'data/subjects.csv'),
  `document_id,subject_id\n${docIds.flatMap((id) => [...(docsById.get(id)?.subjects ?? [])].sort().map((p) => `${id},${p}\n`)).join('')}`,
);
// At risk (breach.at_risk): the flaw let a reader of one case's document list every document of
// that case, so each case with a counted access is exposed whole.
const exposedCases = new Set(lines.flatMap((l) => (l.access === undefined ? [] : [docsById.get(l.access.doc)?.caseRef])));
writeFileSync(
  join(HERE, 'data/at-risk.csv'),
  `document_id,case_ref\n${docIds.filter((id) => exposedCases.has(docsById.get(id)?.caseRef)).map((id) => `${id},${docsById.get(id)?.caseRef}\n`).join('')}`,
);
writeFileSync(
  join(HERE, 'data/grants.csv'),
  `account,document_id\n${[...grants]
    .map((g) => g.split('\u0000') as [string, string])
    .sort(([a1, d1], [a2, d2]) => (a1 < a2 ? -1 : a1 > a2 ? 1 : Number(d1) - Number(d2)))
    .map(([a, d]) => `${a},${d}\n`)
    .join('')}`,
);
writeFileSync(
  join(HERE, 'case.yaml'),
  `# Generated by generate.ts; change the generator, not this file.
case: Resident portal ASB documents 2022
timezone: Europe/London
window:
  from: 2022-06-12T23:00:00Z   # 13 June 2022 00:00 BST
  to: 2022-06-17T23:00:00Z     # 18 June 2022 00:00 BST
sources:
  - name: web
    path: logs/nginx-access.jsonl
    format: jsonl
    role: access
    fields:
      time: time
      client_ip: remote_addr
      forwarded_for: xff
      method: method
      path: uri
      status: status
      bytes: bytes
      user_agent: ua
      referer: referer
      request_id: request_id
      session: session
  - name: app
    path: logs/app.jsonl
    format: jsonl
    role: identity
    fields:
      time: ts
      request_id: request_id
      account: user
      session: session
network:
  trusted_proxies: [10.0.0.0/24]
documents:
  routes:
    - "/cases/*/documents/{doc}"
  owners: data/documents.csv
  subjects: data/subjects.csv
  grants: data/grants.csv
authorized:
  accounts: [${AUTHORIZED_ACCOUNTS.join(', ')}]
  networks: [192.0.2.0/24]
breach:
  at_risk: data/at-risk.csv    # every document of a case with a counted access
`,
);

// ---------------------------------------------------------------- check

interface Figures {
  unauthorized_accesses: number;
  documents: number;
  unique_ips: number;
  affected_subjects: number;
  accounts: number;
  anonymous_accesses: number;
  first_access: string;
  last_access: string;
}

function figures(accesses: readonly Access[], subjects: ReadonlyMap<string, ReadonlySet<string>>): Figures {
  const times = accesses.map((a) => a.at).sort((a, b) => a - b);
  const docSet = new Set(accesses.map((a) => a.doc));
  return {
    unauthorized_accesses: accesses.length,
    documents: docSet.size,
    unique_ips: new Set(accesses.map((a) => a.ip)).size,
    affected_subjects: new Set([...docSet].flatMap((d) => [...(subjects.get(d) ?? [])])).size,
    accounts: new Set(accesses.flatMap((a) => (a.account === null ? [] : [a.account]))).size,
    anonymous_accesses: accesses.filter((a) => a.account === null).length,
    first_access: isoUtc(times[0] ?? Number.NaN),
    last_access: isoUtc(times[times.length - 1] ?? Number.NaN),
  };
}

/** Canonical text of an address from a log: ports and brackets dropped, mapped IPv4 unwrapped, IPv6 compressed. */
function canonical(raw: string): string {
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed !== null) s = bracketed[1] ?? s;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = s.toLowerCase();
  if (!s.includes(':')) return s;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (mapped !== null) return mapped[1] ?? s;
  const groups = expandIpv6(s).map((g) => Number.parseInt(g, 16).toString(16));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

const inV4Net = (ip: string, prefix: string): boolean => !ip.includes(':') && ip.startsWith(prefix);
const TRUSTED = '10.0.0.'; // 10.0.0.0/24
const STAFF = '192.0.2.'; // 192.0.2.0/24

/** Reads the written files back and applies the case rules with nothing shared but the tally. */
function reread(): { accesses: Access[]; counted: string[]; malformed: number } {
  const csv = (name: string): [string, string][] =>
    readFileSync(join(HERE, name), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',') as [string, string]);
  const owners = new Map(csv('data/documents.csv'));
  const granted = new Set(csv('data/grants.csv').map(([a, d]) => grantKey(a, d)));
  const byRequest = new Map<string, string>();
  const bySession = new Map<string, { at: number; user: string }[]>();
  for (const text of readFileSync(join(HERE, 'logs/app.jsonl'), 'utf8').trim().split('\n')) {
    const r = JSON.parse(text) as { ts: string; request_id?: string; user?: string; session?: string };
    if (r.user === undefined) continue;
    if (r.request_id !== undefined) byRequest.set(r.request_id, r.user);
    if (r.session !== undefined && r.session !== '') {
      const list = bySession.get(r.session) ?? [];
      list.push({ at: Date.parse(r.ts), user: r.user });
      bySession.set(r.session, list);
    }
  }
  const accesses: Access[] = [];
  const counted: string[] = [];
  let malformed = 0;
  for (const text of readFileSync(join(HERE, 'logs/nginx-access.jsonl'), 'utf8').trim().split('\n')) {
    let e: { time: string; remote_addr: string; xff: string; method: string; uri: string; status: number; request_id: string; session: string };
    try {
      e = JSON.parse(text) as typeof e;
    } catch {
      malformed++;
      continue;
    }
    const m = /^\/cases\/[^/?]+\/documents\/([^/?]+)(?:\?.*)?$/.exec(e.uri);
    if (m === null) continue;
    const doc = decodeURIComponent(m[1] ?? '');
    if (e.status < 200 || e.status > 299 || e.method === 'HEAD' || e.method === 'OPTIONS') continue;
    const at = Date.parse(e.time);
    if (at < WINDOW.from || at >= WINDOW.to) continue;
    const owner = owners.get(doc);
    if (owner === undefined) continue;
    const chain = [...(e.xff === '' ? [] : e.xff.split(',')), e.remote_addr].map(canonical);
    const client = [...chain].reverse().find((ip) => !inV4Net(ip, TRUSTED)) ?? chain[0] ?? '';
    let account = byRequest.get(e.request_id) ?? null;
    if (account === null && e.session !== '') {
      const before = (bySession.get(e.session) ?? []).filter((r) => r.at <= at).sort((a, b) => a.at - b.at);
      account = before[before.length - 1]?.user ?? null;
    }
    if (account !== null && (account === owner || granted.has(grantKey(account, doc)) || (AUTHORIZED_ACCOUNTS as readonly string[]).includes(account))) continue;
    if (inV4Net(client, STAFF)) continue;
    accesses.push({ at, account, ip: client, doc });
    counted.push(text);
  }
  return { accesses, counted, malformed };
}

const subjectsById = new Map([...docsById].map(([id, d]) => [id, d.subjects as ReadonlySet<string>]));
const problems: string[] = [];
const planted = lines.flatMap((l) => (l.access === undefined ? [] : [l.access]));
const plantedFigures = figures(planted, subjectsById);
const reading = reread();
const readFigures = figures(reading.accesses, subjectsById);

for (const [key, want] of Object.entries(DESIGNED)) {
  const got = plantedFigures[key as keyof Figures];
  if (got !== want) problems.push(`planted ${key} = ${got}, designed ${want}`);
  const read = readFigures[key as keyof Figures];
  if (read !== got) problems.push(`re-read ${key} = ${read}, planted ${got}`);
}
const plantedLines = lines.filter((l) => l.label === 'counted').map((l) => l.text);
if (JSON.stringify(plantedLines) !== JSON.stringify(reading.counted)) problems.push('the re-read counted lines differ from the planted ones');
for (const a of planted) if (!a.account?.startsWith('R') && a.account !== null) problems.push(`counted access by non-resident ${a.account}`);
const trapCounts = Object.fromEntries(TRAPS.map((t) => [t, lines.filter((l) => l.label === t).length])) as Record<Trap, number>;
if (reading.malformed !== trapCounts.malformed_line) problems.push(`re-read ${reading.malformed} malformed lines, planted ${trapCounts.malformed_line}`);
for (const t of TRAPS) if (trapCounts[t] !== DESIGNED_TRAPS[t]) problems.push(`trap ${t}: ${trapCounts[t]} lines, designed ${DESIGNED_TRAPS[t]}`);

const ownerAccounts = new Set(planted.map((a) => docsById.get(a.doc)?.owner.account));
console.log(
  JSON.stringify(
    { figures: plantedFigures, owner_accounts_of_exposed: ownerAccounts.size, nginx_lines: lines.length, app_records: appRecords.length, documents: docsById.size, traps: trapCounts },
    null,
    2,
  ),
);

if (problems.length > 0) {
  console.error(`resident-portal: the generated case does not match its design:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
writeFileSync(join(HERE, 'expected.json'), `${JSON.stringify(plantedFigures, null, 2)}\n`);
