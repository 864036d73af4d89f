// Generates the "ticketviewer" sample case: a replica of Islington Council's 2015
// parking Ticketviewer breach, built so that the rules in sample-logs/README.md give
// exactly the ICO's figures (235 accesses, 119 documents, 36 IPs, 71 people).
//
// Run: npx tsx sample-logs/ticketviewer/generate.ts
//
// Deterministic: a seeded PRNG, no clock, no locale; gzip via zlib.gzipSync defaults
// (mtime 0). The script tallies the figures from what it planted, re-reads the files it
// wrote with an independent parser, and exits non-zero if either disagrees with the design.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Rng } from '../lib/rng.ts';

const HERE = import.meta.dirname;
const SEED = 20150316;

// The ICO's published figures; the generator refuses to write a case that misses them.
const DESIGNED = {
  unauthorized_accesses: 235,
  documents: 119,
  unique_ips: 36,
  affected_subjects: 71,
  accounts: 7,
  anonymous_accesses: 115,
  first_access: '2015-03-16T00:00:00Z',
  last_access: '2015-04-12T23:59:59Z',
} as const;

const WINDOW = { from: Date.parse('2015-03-16T00:00:00Z'), to: Date.parse('2015-04-13T00:00:00Z') };
const STAFF_ACCOUNT = 'staff.ahmed';
const COUNCIL_NET = '192.0.2.'; // 192.0.2.0/24

const TRAPS = [
  'owner_own_document',
  'staff_account',
  'council_network',
  'head_request',
  'options_request',
  'not_modified_304',
  'forbidden_403',
  'not_found_404',
  'server_error_5xx',
  'before_window',
  'after_window',
  'unknown_document',
  'evidence_without_pcn',
  'non_document_page',
  'malformed_line',
  'blank_line',
] as const;
type Trap = (typeof TRAPS)[number];
type Label = 'counted' | Trap;

// Trap line counts as designed; a change to the plan must update these (and README.md).
const DESIGNED_TRAPS: Readonly<Record<Trap, number>> = {
  owner_own_document: 438,
  staff_account: 10,
  council_network: 8,
  head_request: 5,
  options_request: 1,
  not_modified_304: 26,
  forbidden_403: 6,
  not_found_404: 6,
  server_error_5xx: 2,
  before_window: 9,
  after_window: 5,
  unknown_document: 6,
  evidence_without_pcn: 2,
  non_document_page: 1844,
  malformed_line: 3,
  blank_line: 3,
};

// ---------------------------------------------------------------- randomness


const rng = new Rng(SEED);

// ---------------------------------------------------------------- time

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const BST_START = Date.parse('2015-03-29T01:00:00Z');
const BST_END = Date.parse('2015-10-25T01:00:00Z');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function ukOffsetHours(at: number): number {
  return at >= BST_START && at < BST_END ? 1 : 0;
}

/** Europe/London wall-clock time 'YYYY-MM-DD HH:MM:SS' to epoch ms (no times in the spring gap are used). */
function london(wallClock: string): number {
  const naive = Date.parse(`${wallClock.replace(' ', 'T')}Z`);
  if (Number.isNaN(naive)) throw new Error(`bad wall-clock time ${wallClock}`);
  return ukOffsetHours(naive - HOUR) === 1 ? naive - HOUR : naive;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Apache %t: [13/Apr/2015:01:00:00 +0100], with the real UK offset of that instant. */
function apacheTime(at: number): string {
  const offset = ukOffsetHours(at);
  const d = new Date(at + offset * HOUR);
  const date = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}`;
  const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `[${date}:${clock} +0${offset}00]`;
}

const isoUtc = (at: number): string => new Date(at).toISOString().replace('.000Z', 'Z');

// ---------------------------------------------------------------- documents

// PCNs are issued sequentially; voided numbers leave gaps that a URL-walker hits as 404.
const docs: string[] = [];
const voided = new Set<number>();
{
  let n = 40561180;
  while (docs.length < 420) {
    n += 1;
    while (rng.chance(0.07)) {
      voided.add(n);
      n += 1;
    }
    docs.push(`IT${n}`);
  }
}
const docNumber = (id: string): number => Number(id.slice(2));
const docAt = (index: number): string => {
  const id = docs[index];
  if (id === undefined) throw new Error(`no document at ${index}`);
  return id;
};

// Index regions walked by the URL-walkers; everything else is the scatter pool.
const WALK_A1_PRE = [113, 118] as const; // walked before the window
const A1_OWN = 119;
const WALK_A1 = [120, 159] as const;
const WALK_A2 = [242, 259] as const;
const A2_OWN = 260;
const WALK_ANON = [300, 319] as const;
const inRegion = (i: number, [lo, hi]: readonly [number, number]): boolean => i >= lo && i <= hi;

const pool = rng.shuffle(
  docs
    .map((_, i) => i)
    .filter(
      (i) =>
        i !== A1_OWN &&
        i !== A2_OWN &&
        ![WALK_A1_PRE, WALK_A1, WALK_A2, WALK_ANON].some((r) => inRegion(i, r)),
    ),
);
const exposedOrder: string[] = [];
const exposed = new Set<string>();
const trapDocs = new Set<string>();

function fromPool(): string {
  const index = pool.pop();
  if (index === undefined) throw new Error('document pool exhausted');
  return docAt(index);
}
/** A document nobody has disclosed yet, now disclosed by a counted access. */
function freshDoc(): string {
  return fromPool();
}
/** A document kept apart for trap lines, so a wrongly counted trap changes the figures. */
function trapDoc(): string {
  const id = fromPool();
  trapDocs.add(id);
  return id;
}

// ---------------------------------------------------------------- log lines

interface Access {
  readonly at: number;
  readonly account: string | null;
  readonly host: string;
  readonly doc: string;
}
interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly text: string;
  readonly label: Label;
  readonly access?: Access;
}

const entries: Entry[] = [];
let seq = 0;

function addRaw(at: number, text: string, label: Label): void {
  entries.push({ at, seq: seq++, text, label });
}

/** Apache's %{...}i escaping: quote and backslash get a backslash. */
const apacheEscape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

const SITE = 'https://ticketviewer.example.gov.uk';

type Form = 'image' | 'page' | 'page-extra' | 'page-after' | 'image-enc' | 'page-enc';

/** Replaces one character with its %XX escape, as a hand-edited URL might. */
function encodeOne(id: string, position: number): string {
  const ch = id.charAt(position);
  const hex = ch.charCodeAt(0).toString(16).toUpperCase();
  return `${id.slice(0, position)}%${hex}${id.slice(position + 1)}`;
}

function docTarget(id: string, form: Form): string {
  switch (form) {
    case 'image':
      return `/tickets/${id}/image`;
    case 'page':
      return `/evidence.aspx?pcn=${id}`;
    case 'page-extra':
      return `/evidence.aspx?lang=en&pcn=${id}&view=full`;
    case 'page-after':
      return `/evidence.aspx?pcn=${id}&img=2`;
    case 'image-enc':
      return `/tickets/${encodeOne(id, 0)}/image`;
    case 'page-enc':
      return `/evidence.aspx?lang=en&pcn=${encodeOne(id, rng.int(2, id.length - 1))}`;
  }
}

const UA = {
  ie11: 'Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko',
  chrome: 'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2272.101 Safari/537.36',
  firefox: 'Mozilla/5.0 (Windows NT 6.3; WOW64; rv:36.0) Gecko/20100101 Firefox/36.0',
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_2) AppleWebKit/600.3.18 (KHTML, like Gecko) Version/8.0.3 Safari/600.3.18',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 8_2 like Mac OS X) AppleWebKit/600.1.4 (KHTML, like Gecko) Version/8.0 Mobile/12D508 Safari/600.1.4',
  android: 'Mozilla/5.0 (Linux; Android 4.4.2; GT-I9505 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/40.0.2214.109 Mobile Safari/537.36',
  curl: 'curl/7.38.0',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  bingbot: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  // Quote and backslash inside a user agent: logged as \" and \\ by Apache.
  evil: 'Mozilla/5.0 "evil" \\x',
} as const;
const BROWSERS = [UA.ie11, UA.chrome, UA.firefox, UA.mac, UA.iphone, UA.android] as const;

interface Hit {
  readonly method?: string;
  readonly target: string;
  readonly status?: number;
  readonly bytes?: number | null;
  readonly label: Label;
  readonly doc?: string;
  readonly referer?: string;
}

/** One browser (or script) on one address: a clock, a referer chain, an optional sign-in. */
class Visit {
  at: number;
  user: string | null = null;
  private referer = '-';
  constructor(
    start: string | number,
    readonly host: string,
    readonly ua: string,
  ) {
    this.at = typeof start === 'number' ? start : london(start);
  }

  pause(loSeconds: number, hiSeconds: number): this {
    this.at += rng.int(loSeconds, hiSeconds) * SECOND;
    return this;
  }

  hit(h: Hit): this {
    const method = h.method ?? 'GET';
    const status = h.status ?? 200;
    const bytes = h.bytes === undefined ? defaultBytes(method, status, h.target) : h.bytes;
    const referer = h.referer ?? this.referer;
    const text =
      `${this.host} - ${this.user ?? '-'} ${apacheTime(this.at)} "${method} ${h.target} HTTP/1.1" ` +
      `${status} ${bytes ?? '-'} "${apacheEscape(referer)}" "${apacheEscape(this.ua)}"`;
    const entry: Entry =
      h.label === 'counted'
        ? { at: this.at, seq: seq++, text, label: h.label, access: { at: this.at, account: this.user, host: this.host, doc: mustDoc(h) } }
        : { at: this.at, seq: seq++, text, label: h.label };
    entries.push(entry);
    // Pages become the referer of what follows; images and assets do not.
    if (method === 'GET' && status < 300 && !/\/image$|\.(css|js|ico|txt)$/.test(h.target)) this.referer = `${SITE}${h.target}`;
    return this;
  }

  /** The sign-in dance: form, post, redirect to the ticket list. */
  signIn(account: string): this {
    this.hit({ target: '/login', label: 'non_document_page' }).pause(8, 40);
    this.hit({ method: 'POST', target: '/login', status: 302, bytes: 0, label: 'non_document_page' });
    this.user = account;
    this.pause(1, 2).hit({ target: '/tickets', label: 'non_document_page' });
    return this.pause(2, 20);
  }

  signOut(): this {
    this.hit({ target: '/logout', status: 302, bytes: 0, label: 'non_document_page' });
    this.user = null;
    return this;
  }
}

function mustDoc(h: Hit): string {
  if (h.doc === undefined) throw new Error(`counted hit without a document: ${h.target}`);
  return h.doc;
}

function defaultBytes(method: string, status: number, target: string): number | null {
  if (method === 'HEAD' || method === 'OPTIONS' || status === 304) return null;
  if (status === 302) return 0;
  if (status >= 400) return rng.int(1100, 1400);
  if (target.startsWith('/tickets/') && target.endsWith('/image')) return rng.int(38000, 96000);
  if (target.startsWith('/evidence.aspx')) return rng.int(6100, 7400);
  if (target.startsWith('/css/')) return 14233;
  if (target.startsWith('/js/')) return 38611;
  return rng.int(3900, 5200);
}

// ---------------------------------------------------------------- the people who looked

interface Snooper {
  readonly account: string | null;
  readonly seen: string[];
}

function snooper(account: string | null): Snooper {
  return { account, seen: [] };
}

/** A counted view of a document nobody had seen yet. */
function viewFresh(v: Visit, who: Snooper, form: Form, doc = freshDoc(), referer?: string): string {
  if (exposed.has(doc)) throw new Error(`${doc} was already disclosed`);
  exposed.add(doc);
  exposedOrder.push(doc);
  who.seen.push(doc);
  v.hit(referer === undefined ? { target: docTarget(doc, form), label: 'counted', doc } : { target: docTarget(doc, form), label: 'counted', doc, referer });
  return doc;
}

/** A counted re-view of something already disclosed (by this visitor, or from a list). */
function viewAgain(v: Visit, who: Snooper, from: readonly string[] = who.seen): string {
  const doc = rng.pick(from);
  if (!exposed.has(doc)) throw new Error(`${doc} re-viewed before it was disclosed`);
  v.hit({ target: docTarget(doc, rng.pick(['image', 'page', 'page-extra'] as const)), label: 'counted', doc });
  if (!who.seen.includes(doc)) who.seen.push(doc);
  return doc;
}

/** Walks PCN numbers from one document to another, one at a time, as a URL-editor does. */
function walk(v: Visit, who: Snooper, fromIndex: number, toIndex: number, label: 'counted' | 'before_window'): void {
  const step = toIndex >= fromIndex ? 1 : -1;
  const first = docNumber(docAt(fromIndex));
  const last = docNumber(docAt(toIndex));
  for (let n = first; step > 0 ? n <= last : n >= last; n += step) {
    const id = `IT${n}`;
    v.pause(9, 75);
    if (voided.has(n)) {
      v.hit({ target: docTarget(id, 'image'), status: 404, label: 'not_found_404', referer: '-' });
    } else if (label === 'counted') {
      viewFresh(v, who, 'image', id, '-');
    } else {
      trapDocs.add(id);
      v.hit({ target: docTarget(id, 'image'), label, referer: '-' });
    }
  }
}

function ownView(v: Visit, doc: string): Visit {
  return v.hit({ target: docTarget(doc, 'page'), label: 'owner_own_document', doc }).pause(1, 3).hit({ target: docTarget(doc, 'image'), label: 'owner_own_document', doc });
}

// Signed-in motorists who edited the PCN in the URL.
const A1 = snooper('M104233');
const A2 = snooper('M118840');
const A3 = snooper('M120517');
const A4 = snooper('M131902');
const A5 = snooper('M142266');
const A6 = snooper('M150391');
const A7 = snooper('M163078');
const ATTACKERS = [A1, A2, A3, A4, A5, A6, A7] as const;
const ownDocs = new Map<string, string[]>([
  ['M104233', [docAt(A1_OWN)]],
  ['M118840', [docAt(A2_OWN)]],
  ['M120517', [fromPool()]],
  ['M131902', [fromPool(), fromPool()]],
  ['M142266', [fromPool()]],
  ['M150391', [fromPool()]],
  ['M163078', [fromPool(), fromPool()]],
]);
const own = (who: Snooper): string => {
  const list = ownDocs.get(who.account ?? '');
  if (list === undefined || list[0] === undefined) throw new Error('snooper without a ticket');
  return list[0];
};

// Anonymous visitors.
const X = snooper(null); // walks PCNs from two addresses
const R9 = snooper(null); // 198.51.100.9: the midnight visitor
const R7 = snooper(null); // 203.0.113.7 signed out: M104233 checking it works without login
const R201 = snooper(null); // a script with a hostile user agent
const R214 = snooper(null);
const FORUM = snooper(null);

// --- M104233: found it on his own PCN, walked upwards, posted about it.
{
  const v = new Visit('2015-03-14 20:10:12', '203.0.113.7', UA.firefox).signIn(A1.account ?? '');
  ownView(v, own(A1)).pause(20, 60);
  walk(v, A1, WALK_A1_PRE[1], WALK_A1_PRE[0], 'before_window');
  v.pause(30, 90).signOut();
}
{
  const v = new Visit('2015-03-16 19:40:05', '203.0.113.7', UA.firefox).signIn(A1.account ?? '');
  ownView(v, own(A1));
  walk(v, A1, WALK_A1[0], WALK_A1[0] + 14, 'counted');
}
{
  const v = new Visit('2015-03-19 12:15:40', '203.0.113.88', UA.android).signIn(A1.account ?? '');
  walk(v, A1, WALK_A1[0] + 15, WALK_A1[0] + 29, 'counted');
  for (let i = 0; i < 3; i++) viewAgain(v.pause(20, 60), A1);
}
{
  // The front end logged this evening's connections as IPv4-mapped IPv6.
  const v = new Visit('2015-03-24 21:05:18', '::ffff:203.0.113.7', UA.firefox).signIn(A1.account ?? '');
  walk(v, A1, WALK_A1[0] + 30, WALK_A1[1], 'counted');
  for (let i = 0; i < 4; i++) viewAgain(v.pause(15, 50), A1);
}
{
  const v = new Visit('2015-04-02 18:30:44', '203.0.113.88', UA.android).signIn(A1.account ?? '');
  for (let i = 0; i < 5; i++) viewAgain(v.pause(20, 70), A1);
}
{
  // After the window, before the fix (10:00), then blocked.
  const v = new Visit('2015-04-14 09:02:10', '203.0.113.7', UA.firefox).signIn(A1.account ?? '');
  for (let i = 0; i < 2; i++) {
    const doc = rng.pick(A1.seen);
    v.pause(20, 60).hit({ target: docTarget(doc, 'image'), label: 'after_window', doc });
  }
  v.at = london('2015-04-14 10:41:03');
  for (let i = 0; i < 3; i++) {
    const doc = rng.pick(A1.seen);
    v.pause(20, 60).hit({ target: docTarget(doc, 'image'), status: 403, label: 'forbidden_403', doc });
  }
}
// M104233 signed out, checking whether the trick needs an account.
{
  const v = new Visit('2015-03-17 08:05:31', '203.0.113.7', UA.firefox);
  v.hit({ target: '/', label: 'non_document_page' }).pause(5, 20);
  viewFresh(v, R7, 'page');
  for (let i = 0; i < 3; i++) viewAgain(v.pause(10, 30), R7, A1.seen);
}

// --- M118840: walked downwards from his own PCN.
{
  const v = new Visit('2015-03-15 16:20:00', '198.51.100.23', UA.ie11).signIn(A2.account ?? '');
  ownView(v, own(A2));
  for (let i = 0; i < 2; i++) {
    const doc = trapDoc();
    v.pause(30, 80).hit({ target: docTarget(doc, 'page'), label: 'before_window', doc });
  }
}
{
  const v = new Visit('2015-03-18 22:10:31', '198.51.100.23', UA.ie11).signIn(A2.account ?? '');
  ownView(v, own(A2));
  walk(v, A2, WALK_A2[1], WALK_A2[1] - 9, 'counted');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A2);
}
{
  const v = new Visit('2015-03-26 07:45:09', '198.51.100.23', UA.ie11).signIn(A2.account ?? '');
  walk(v, A2, WALK_A2[1] - 10, WALK_A2[0], 'counted');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A2);
}
{
  const v = new Visit('2015-04-08 20:20:52', '198.51.100.23', UA.ie11).signIn(A2.account ?? '');
  for (let i = 0; i < 2; i++) {
    const doc = rng.pick(A2.seen);
    v.pause(15, 40).hit({ target: docTarget(doc, 'image'), status: 304, label: 'not_modified_304', doc });
  }
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A2);
}

// --- M120517: the technical one; percent-encoded ids, curl, odd methods.
{
  const v = new Visit('2015-03-20 13:00:27', '198.51.100.142', UA.chrome).signIn(A3.account ?? '');
  ownView(v, own(A3));
  viewFresh(v.pause(30, 90), A3, 'image-enc');
  viewFresh(v.pause(30, 90), A3, 'page-enc');
  viewFresh(v.pause(30, 90), A3, 'page-after');
  viewFresh(v.pause(30, 90), A3, 'page-enc');
  viewFresh(v.pause(30, 90), A3, 'page-extra');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A3);
  v.pause(20, 60).hit({ target: docTarget('IT4056120', 'page'), label: 'unknown_document' });
  const lower = docAt(205).toLowerCase();
  v.pause(20, 60).hit({ target: docTarget(lower, 'image'), label: 'unknown_document' });
}
{
  const v = new Visit('2015-03-29 10:15:33', '198.51.100.41', UA.chrome).signIn(A3.account ?? '');
  for (let i = 0; i < 4; i++) viewFresh(v.pause(30, 120), A3, rng.pick(['image', 'page', 'image-enc'] as const));
  for (let i = 0; i < 3; i++) viewAgain(v.pause(20, 60), A3);
  const curl = new Visit(v.at + 5 * MINUTE, '198.51.100.41', UA.curl);
  curl.user = A3.account;
  for (let i = 0; i < 3; i++) {
    const doc = trapDoc();
    curl.pause(1, 3).hit({ method: 'HEAD', target: docTarget(doc, 'image'), label: 'head_request', doc, referer: '-' });
  }
  const doc = trapDoc();
  curl.pause(1, 3).hit({ method: 'OPTIONS', target: docTarget(doc, 'image'), label: 'options_request', doc, referer: '-' });
}

// --- M131902
{
  const v = new Visit('2015-03-22 16:40:12', '203.0.113.19', UA.mac).signIn(A4.account ?? '');
  ownView(v, own(A4));
  for (let i = 0; i < 4; i++) viewFresh(v.pause(30, 120), A4, rng.pick(['page', 'page-extra'] as const));
  viewAgain(v.pause(20, 60), A4);
}
{
  const v = new Visit('2015-04-06 09:30:48', '203.0.113.19', UA.mac).signIn(A4.account ?? '');
  for (let i = 0; i < 2; i++) viewFresh(v.pause(30, 120), A4, 'page');
  for (let i = 0; i < 2; i++) {
    // PCNs on hold pending appeal were already refused.
    const doc = trapDoc();
    v.pause(20, 60).hit({ target: docTarget(doc, 'page'), status: 403, label: 'forbidden_403', doc });
  }
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A4);
}

// --- M142266: two addresses.
{
  const v = new Visit('2015-03-25 11:00:19', '198.51.100.56', UA.chrome).signIn(A5.account ?? '');
  ownView(v, own(A5));
  for (let i = 0; i < 2; i++) viewFresh(v.pause(30, 120), A5, 'page');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A5);
}
{
  const v = new Visit('2015-04-10 17:20:03', '203.0.113.150', UA.iphone).signIn(A5.account ?? '');
  for (let i = 0; i < 2; i++) viewFresh(v.pause(30, 120), A5, 'image');
  const doc = trapDoc();
  v.pause(20, 60).hit({ target: docTarget(doc, 'image'), status: 500, label: 'server_error_5xx', doc });
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A5);
}

// --- M150391
{
  const v = new Visit('2015-03-31 20:00:41', '203.0.113.61', UA.ie11).signIn(A6.account ?? '');
  ownView(v, own(A6));
  for (let i = 0; i < 3; i++) viewFresh(v.pause(30, 120), A6, 'page');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A6);
}
{
  const v = new Visit('2015-04-04 22:10:27', '203.0.113.61', UA.ie11).signIn(A6.account ?? '');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), A6);
  const doc = trapDoc(); // a PCN whose camera image was never uploaded
  v.pause(20, 60).hit({ target: docTarget(doc, 'image'), status: 404, label: 'not_found_404', doc });
}

// --- M163078: heard about it, looked at a few of the forum's examples.
const forumDocs: string[] = [];
{
  const v = new Visit('2015-04-07 08:10:15', '198.51.100.77', UA.android).signIn(A7.account ?? '');
  ownView(v, own(A7));
  for (let i = 0; i < 2; i++) viewFresh(v.pause(30, 120), A7, 'page');
  forumDocs.push(...A1.seen.slice(0, 8));
  for (let i = 0; i < 4; i++) viewAgain(v.pause(20, 60), A7, forumDocs);
}

// --- Anonymous walker on two addresses, including the night the clocks went forward
// and the last minute of the window.
{
  const v = new Visit('2015-03-21 21:00:31', '203.0.113.102', UA.firefox);
  v.hit({ target: '/', label: 'non_document_page' });
  walk(v, X, WALK_ANON[0], WALK_ANON[0] + 7, 'counted');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), X);
}
{
  // 00:58:40 GMT on 29 March: the lines jump from +0000 to +0100 half way.
  const v = new Visit('2015-03-29 00:58:40', '203.0.113.102', UA.firefox);
  walk(v, X, WALK_ANON[0] + 8, WALK_ANON[0] + 13, 'counted');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), X);
}
{
  const v = new Visit('2015-04-09 12:30:11', '198.51.100.180', UA.chrome);
  walk(v, X, WALK_ANON[0] + 14, WALK_ANON[1], 'counted');
  for (let i = 0; i < 4; i++) viewAgain(v.pause(20, 60), X);
}
{
  // Ends on the last second of the window (00:59:59 BST = 23:59:59 UTC) and goes on
  // past it: 01:00:00 BST is the window's exclusive end.
  const v = new Visit('2015-04-13 00:57:02', '203.0.113.102', UA.firefox);
  for (let i = 0; i < 5; i++) viewAgain(v.pause(10, 25), X);
  v.at = london('2015-04-13 00:59:59');
  viewAgain(v, X);
  v.at = london('2015-04-13 01:00:00');
  for (let i = 0; i < 3; i++) {
    const doc = trapDoc();
    v.hit({ target: docTarget(doc, 'image'), label: 'after_window', doc }).pause(20, 50);
  }
}

// --- The midnight visitor: one second before the window, then its first second.
{
  const v = new Visit('2015-03-15 23:59:59', '198.51.100.9', UA.chrome);
  const before = trapDoc();
  v.hit({ target: docTarget(before, 'page'), label: 'before_window', doc: before });
  v.at = london('2015-03-16 00:00:00');
  viewFresh(v, R9, 'page');
  for (let i = 0; i < 3; i++) viewFresh(v.pause(20, 80), R9, rng.pick(['page', 'image'] as const));
  for (let i = 0; i < 3; i++) viewAgain(v.pause(20, 60), R9);
}
{
  const v = new Visit('2015-04-01 19:44:21', '198.51.100.9', UA.chrome);
  for (let i = 0; i < 2; i++) viewFresh(v.pause(20, 80), R9, 'page-extra');
  for (let i = 0; i < 2; i++) viewAgain(v.pause(20, 60), R9);
}

// --- A script whose user agent carries a quote and a backslash.
{
  const v = new Visit('2015-03-27 03:14:07', '203.0.113.201', UA.evil);
  for (let i = 0; i < 3; i++) viewFresh(v.pause(2, 6), R201, 'image');
  for (let i = 0; i < 5; i++) viewAgain(v.pause(2, 6), R201, exposedOrder);
  for (let i = 0; i < 2; i++) {
    const doc = rng.pick(R201.seen);
    v.pause(1, 3).hit({ method: 'HEAD', target: docTarget(doc, 'image'), label: 'head_request', doc });
  }
}

// --- Guessing ids, some that do not exist.
{
  const v = new Visit('2015-04-05 15:00:36', '198.51.100.214', UA.mac);
  for (const id of ['IT00000000', 'IT99999999', 'IT40560001']) {
    v.pause(20, 60).hit({ target: docTarget(id, 'page'), label: 'unknown_document' });
  }
  for (let i = 0; i < 2; i++) viewFresh(v.pause(20, 80), R214, 'page');
  const doc = trapDoc();
  v.pause(20, 60).hit({ target: docTarget(doc, 'image'), status: 503, label: 'server_error_5xx', doc });
  for (let i = 0; i < 6; i++) viewAgain(v.pause(20, 60), R214, exposedOrder);
}

// --- Forum readers following links to M104233's examples (from 23 March).
{
  const readers = [
    '198.51.100.3', '198.51.100.14', '198.51.100.38', '198.51.100.62', '198.51.100.95',
    '198.51.100.117', '198.51.100.133', '198.51.100.166', '198.51.100.191', '198.51.100.240',
    '203.0.113.12', '203.0.113.33', '203.0.113.47', '203.0.113.70', '203.0.113.96',
    '203.0.113.129', '203.0.113.164', '203.0.113.188', '203.0.113.230',
    '2001:db8:85a3::8a2e:370:7334', '2001:db8:1f70:9c1::4e',
  ];
  const thread = 'http://forum.example.net/index.php?showtopic=101943';
  const budget = 50;
  let used = 0;
  let freshLeft = 5;
  let notModifiedLeft = 3;
  let unknownLeft = 1;
  const start = london('2015-03-23 09:00:00');
  const span = london('2015-04-11 22:00:00') - start;
  const times = readers.map(() => start + Math.floor((rng.next() * span) / SECOND) * SECOND).sort((a, b) => a - b);
  readers.forEach((ip, i) => {
    const left = readers.length - i;
    const views = i === readers.length - 1 ? budget - used : Math.min(rng.int(1, 4), budget - used - (left - 1));
    const v = new Visit(times[i] ?? start, ip, rng.pick(BROWSERS));
    for (let k = 0; k < views; k++) {
      if (k === 0) {
        const doc = rng.pick(forumDocs);
        v.hit({ target: docTarget(doc, 'page'), label: 'counted', doc, referer: thread });
        continue;
      }
      v.pause(15, 90);
      if (freshLeft > 0 && rng.chance(0.5)) {
        const doc = viewFresh(v, FORUM, 'page');
        forumDocs.push(doc);
        freshLeft--;
      } else {
        viewAgain(v, FORUM, forumDocs);
      }
    }
    used += views;
    if (notModifiedLeft > 0 && rng.chance(0.3)) {
      const doc = rng.pick(forumDocs);
      v.pause(30, 300).hit({ target: docTarget(doc, 'page'), status: 304, label: 'not_modified_304', doc });
      notModifiedLeft--;
    }
    if (unknownLeft > 0 && i === 6) {
      v.pause(20, 60).hit({ target: docTarget('IT40561', 'page'), label: 'unknown_document' });
      unknownLeft--;
    }
  });
  if (used !== budget || freshLeft !== 0) throw new Error(`forum plan off: ${used} views, ${freshLeft} fresh left`);
  // After the fix a late reader is refused.
  const late = new Visit('2015-04-15 13:12:40', '203.0.113.175', UA.chrome);
  const doc = rng.pick(forumDocs);
  late.hit({ target: docTarget(doc, 'page'), status: 403, label: 'forbidden_403', doc, referer: thread });
}

// ---------------------------------------------------------------- owners and subjects

const accountIds = new Set<string>(ATTACKERS.map((a) => a.account ?? ''));
function newAccount(): string {
  for (;;) {
    const id = `M1${pad(rng.int(0, 99999), 5)}`;
    if (!accountIds.has(id)) {
      accountIds.add(id);
      return id;
    }
  }
}
const personIds = new Set<string>();
function newPerson(): string {
  for (;;) {
    const id = `P${rng.int(200000, 299999)}`;
    if (!personIds.has(id)) {
      personIds.add(id);
      return id;
    }
  }
}

interface Keeper {
  readonly person: string;
  readonly account: string;
  readonly home: string;
  readonly docs: string[];
}
const keepers: Keeper[] = [];
const ownerOf = new Map<string, Keeper>();
const subjectsOf = new Map<string, Set<string>>();
const homeIps = new Set<string>();
function newHome(): string {
  // Background motorists come from 198.18.0.0/15 (RFC 2544), apart from every snooper.
  for (;;) {
    const ip = `198.${rng.int(18, 19)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    if (!homeIps.has(ip)) {
      homeIps.add(ip);
      return ip;
    }
  }
}
function newKeeper(account = newAccount()): Keeper {
  const k: Keeper = { person: newPerson(), account, home: newHome(), docs: [] };
  keepers.push(k);
  return k;
}
function assign(doc: string, k: Keeper): void {
  if (ownerOf.has(doc)) throw new Error(`${doc} already has an owner`);
  ownerOf.set(doc, k);
  k.docs.push(doc);
  link(doc, k.person);
}
function link(doc: string, person: string): void {
  const set = subjectsOf.get(doc) ?? new Set<string>();
  set.add(person);
  subjectsOf.set(doc, set);
}

// The snoopers' own tickets.
for (const a of ATTACKERS) {
  const k = newKeeper(a.account ?? '');
  for (const doc of ownDocs.get(a.account ?? '') ?? []) assign(doc, k);
}

// Exposed PCNs: 63 keepers (several with more than one ticket), then drivers/appellants.
const exposedKeepers: Keeper[] = [];
{
  const sizes = [7, 4, 4, 4, 4, ...Array<number>(10).fill(3), ...Array<number>(18).fill(2), ...Array<number>(30).fill(1)];
  const queue = rng.shuffle(exposedOrder);
  for (const size of sizes) {
    const k = newKeeper();
    exposedKeepers.push(k);
    for (let i = 0; i < size; i++) {
      const doc = queue.pop();
      if (doc === undefined) throw new Error('more keeper slots than exposed PCNs');
      assign(doc, k);
    }
  }
  if (queue.length !== 0) throw new Error(`${queue.length} exposed PCNs without a keeper`);
}

// Everything else: keepers of their own, a few extra tickets for exposed keepers.
const others = docs.filter((d) => !ownerOf.has(d));
{
  const queue = rng.shuffle(others);
  for (let i = 0; i < 15; i++) {
    const doc = queue.pop();
    if (doc !== undefined) assign(doc, rng.pick(exposedKeepers));
  }
  while (queue.length > 0) {
    const k = newKeeper();
    const doc = queue.pop();
    if (doc !== undefined) assign(doc, k);
    if (queue.length > 0 && rng.chance(0.18)) {
      const second = queue.pop();
      if (second !== undefined) assign(second, k);
    }
  }
}

// Drivers and appellants. Eight people not keeping any exposed PCN are named on exposed
// ones (three of them keep an unexposed PCN, five have no account at all); twelve more
// links name exposed keepers on each other's PCNs (household members), adding nobody.
{
  const exposedList = [...exposedOrder].sort();
  const shuffled = rng.shuffle(exposedList);
  const outsideKeepers = rng.shuffle(keepers.filter((k) => !exposedKeepers.includes(k) && !ATTACKERS.some((a) => a.account === k.account)));
  const drivers = [...outsideKeepers.slice(0, 3).map((k) => k.person), newPerson(), newPerson(), newPerson(), newPerson(), newPerson()];
  drivers.forEach((person, i) => link(shuffled[i] ?? '', person));
  for (let i = 0; i < 12; i++) {
    const doc = shuffled[8 + i] ?? '';
    const keeper = ownerOf.get(doc);
    const other = rng.pick(exposedKeepers.filter((k) => k !== keeper));
    link(doc, other.person);
  }
  // Unexposed PCNs get drivers too, from anyone, including people whose data leaked.
  const unexposed = docs.filter((d) => !exposed.has(d));
  const anyone = [...keepers.map((k) => k.person), newPerson(), newPerson(), newPerson()];
  for (let i = 0; i < 30; i++) link(rng.pick(unexposed), rng.pick(anyone));
}

// ---------------------------------------------------------------- background traffic

const LOG_START = london('2015-03-09 00:00:00');
const LOG_END = london('2015-04-20 23:59:59');
function randomDaytime(from = LOG_START, to = LOG_END): number {
  for (;;) {
    const at = from + Math.floor((rng.next() * (to - from)) / SECOND) * SECOND;
    const hour = new Date(at + ukOffsetHours(at) * HOUR).getUTCHours();
    if (hour >= 7 && hour <= 23) return at;
  }
}

// Motorists checking their own tickets: the bulk of the log.
for (let i = 0; i < 200; i++) {
  const k = rng.pick(keepers.filter((x) => !ATTACKERS.some((a) => a.account === x.account)));
  const v = new Visit(randomDaytime(), k.home, rng.pick(BROWSERS));
  v.hit({ target: '/', label: 'non_document_page' }).pause(1, 2);
  v.hit({ target: '/css/site.css', label: 'non_document_page', referer: `${SITE}/` }).pause(0, 1);
  v.hit({ target: '/js/app.js', label: 'non_document_page', referer: `${SITE}/` }).pause(3, 30);
  v.signIn(k.account);
  for (const doc of k.docs) {
    if (rng.chance(0.5)) ownView(v.pause(5, 60), doc);
    else v.pause(5, 60).hit({ target: docTarget(doc, rng.pick(['page', 'page-extra'] as const)), label: 'owner_own_document', doc });
  }
  if (rng.chance(0.1)) {
    const doc = rng.pick(k.docs);
    v.pause(30, 300).hit({ target: docTarget(doc, 'image'), status: 304, label: 'not_modified_304', doc });
  }
  if (rng.chance(0.6)) v.pause(10, 120).signOut();
}

// Visitors who never sign in, and crawlers.
for (let i = 0; i < 100; i++) {
  const v = new Visit(randomDaytime(), newHome(), rng.pick(BROWSERS));
  v.hit({ target: '/', label: 'non_document_page' }).pause(1, 2);
  v.hit({ target: '/css/site.css', label: 'non_document_page', referer: `${SITE}/` });
  v.hit({ target: '/favicon.ico', status: 404, label: 'non_document_page', referer: '-' }).pause(5, 60);
  if (rng.chance(0.5)) v.hit({ target: '/login', label: 'non_document_page' });
  if (rng.chance(0.15)) v.pause(20, 90).hit({ target: '/css/site.css', status: 304, label: 'non_document_page' });
}
for (let day = 0; day < 42; day++) {
  const at = LOG_START + day * 24 * HOUR + rng.int(1, 6) * HOUR + rng.int(0, 3599) * SECOND;
  const bot = new Visit(at, day % 2 === 0 ? '66.249.66.1' : '157.55.39.10', day % 2 === 0 ? UA.googlebot : UA.bingbot);
  bot.hit({ target: '/robots.txt', label: 'non_document_page', referer: '-' }).pause(2, 10);
  bot.hit({ target: '/', label: 'non_document_page', referer: '-' });
}
// A TLS handshake sent to the plain-HTTP port: a valid line, status 400, no document.
addRaw(london('2015-03-31 04:12:55'), `203.0.113.250 - - ${apacheTime(london('2015-03-31 04:12:55'))} "\\x16\\x03\\x01\\x02" 400 226 "-" "-"`, 'non_document_page');

// The evidence page without a PCN (not a document access).
new Visit('2015-03-18 10:02:14', newHome(), UA.ie11).hit({ target: '/evidence.aspx?lang=en', label: 'evidence_without_pcn' });
new Visit('2015-04-03 15:47:51', newHome(), UA.chrome).hit({ target: '/evidence.aspx', status: 302, bytes: 0, label: 'evidence_without_pcn' });

// staff.ahmed, in the office and from home: authorized by account.
{
  const sessions: readonly [string, string][] = [
    ['2015-03-18 09:40:11', '192.0.2.10'],
    ['2015-03-30 14:05:37', '192.0.2.10'],
    ['2015-04-08 19:20:02', '198.51.100.200'],
  ];
  for (const [start, ip] of sessions) {
    const v = new Visit(start, ip, UA.ie11).signIn(STAFF_ACCOUNT);
    const n = ip.startsWith(COUNCIL_NET) ? 3 : 4;
    for (let i = 0; i < n; i++) {
      const doc = i % 2 === 0 ? trapDoc() : rng.pick(exposedOrder);
      v.pause(30, 240).hit({ target: docTarget(doc, rng.pick(['page', 'image'] as const)), label: 'staff_account', doc });
    }
  }
}
// The customer-service counter inside the council network, not signed in.
for (const [start, ip] of [
  ['2015-03-17 11:15:09', '192.0.2.31'],
  ['2015-03-25 15:40:26', '192.0.2.32'],
  ['2015-04-09 10:05:51', '192.0.2.31'],
] as const) {
  const v = new Visit(start, ip, UA.ie11);
  for (let i = 0; i < (ip === '192.0.2.32' ? 2 : 3); i++) {
    const doc = i === 0 ? rng.pick(exposedOrder) : trapDoc();
    v.pause(20, 200).hit({ target: docTarget(doc, 'page'), label: 'council_network', doc });
  }
}

// ---------------------------------------------------------------- junk

const TRUNC_AT = london('2015-03-27 19:04:11');
addRaw(TRUNC_AT, `203.0.113.88 - M104233 ${apacheTime(TRUNC_AT)} "GET /tickets/IT4056`, 'malformed_line');
const NOIDENT_AT = london('2015-03-20 14:02:11');
{
  const doc = trapDoc();
  addRaw(NOIDENT_AT, `198.51.100.9 ${apacheTime(NOIDENT_AT)} "GET /evidence.aspx?pcn=${doc} HTTP/1.1" 200 6624 "-" "${UA.chrome}"`, 'malformed_line');
}
const AH_AT = london('2015-04-05 06:25:02');
addRaw(AH_AT, `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 127.0.1.1. Set the 'ServerName' directive globally to suppress this message`, 'malformed_line');
for (const when of ['2015-03-12 16:00:00', '2015-03-28 11:30:00', '2015-04-16 08:00:00']) addRaw(london(when), '', 'blank_line');

// ---------------------------------------------------------------- write

entries.sort((a, b) => a.at - b.at || a.seq - b.seq);
const ROTATED_1 = london('2015-03-22 06:25:00');
const ROTATED_0 = london('2015-04-05 06:25:00');
const files = {
  oldest: entries.filter((e) => e.at < ROTATED_1),
  middle: entries.filter((e) => e.at >= ROTATED_1 && e.at < ROTATED_0),
  newest: entries.filter((e) => e.at >= ROTATED_0),
};
const body = (list: readonly Entry[]): string => list.map((e) => `${e.text}\n`).join('');

mkdirSync(join(HERE, 'logs'), { recursive: true });
mkdirSync(join(HERE, 'data'), { recursive: true });
writeFileSync(join(HERE, 'logs/access.log.2.gz'), gzipSync(Buffer.from(body(files.oldest))));
writeFileSync(join(HERE, 'logs/access.log.1'), body(files.middle));
writeFileSync(join(HERE, 'logs/access.log'), body(files.newest));

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
writeFileSync(
  join(HERE, 'data/documents.csv'),
  `document_id,owner_account\n${[...ownerOf.entries()].sort(([a], [b]) => byId(a, b)).map(([d, k]) => `${d},${k.account}\n`).join('')}`,
);
// Most motorists are at UK addresses; some foreign-registered vehicles' keepers live in Ireland or
// France (the Art. 33 report counts people per country). Taken from the person id, not the
// generator's random stream, so every other byte of the case stays as it was.
const countryOf = (person: string): string => {
  const n = Number(person.slice(1));
  return n % 31 === 0 ? 'IE' : n % 43 === 0 ? 'FR' : 'GB';
};
writeFileSync(
  join(HERE, 'data/subjects.csv'),
  `document_id,subject_id,country\n${[...subjectsOf.entries()]
    .sort(([a], [b]) => byId(a, b))
    .flatMap(([d, people]) => [...people].sort(byId).map((p) => `${d},${p},${countryOf(p)}\n`))
    .join('')}`,
);
writeFileSync(
  join(HERE, 'case.yaml'),
  `# Generated by generate.ts; change the generator, not this file.
case: Ticketviewer exposure 2015
timezone: Europe/London
window:
  from: 2015-03-16T00:00:00Z
  to: 2015-04-13T00:00:00Z
sources:
  - name: web
    path: logs/access.log*
    format: combined
    role: access
documents:
  routes:
    - "/tickets/{doc}/image"
    - "/evidence.aspx?pcn={doc}"
  owners: data/documents.csv
  subjects: data/subjects.csv
authorized:
  accounts: [${STAFF_ACCOUNT}]
  networks: [192.0.2.0/24]
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

function canonicalIp(raw: string): string {
  const lower = raw.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped?.[1] ?? lower;
}

function figures(accesses: readonly Access[], subjects: ReadonlyMap<string, ReadonlySet<string>>): Figures {
  const times = accesses.map((a) => a.at).sort((a, b) => a - b);
  const docSet = new Set(accesses.map((a) => a.doc));
  const people = new Set([...docSet].flatMap((d) => [...(subjects.get(d) ?? [])]));
  return {
    unauthorized_accesses: accesses.length,
    documents: docSet.size,
    unique_ips: new Set(accesses.map((a) => canonicalIp(a.host))).size,
    affected_subjects: people.size,
    accounts: new Set(accesses.flatMap((a) => (a.account === null ? [] : [a.account]))).size,
    anonymous_accesses: accesses.filter((a) => a.account === null).length,
    first_access: isoUtc(times[0] ?? Number.NaN),
    last_access: isoUtc(times[times.length - 1] ?? Number.NaN),
  };
}

/** Reads the written files back and applies the case rules with nothing shared but the tally. */
function reread(): { accesses: Access[]; counted: string[]; malformed: number; blank: number } {
  const owners = new Map(
    readFileSync(join(HERE, 'data/documents.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',') as [string, string]),
  );
  const texts = [
    gunzipSync(readFileSync(join(HERE, 'logs/access.log.2.gz'))).toString('utf8'),
    readFileSync(join(HERE, 'logs/access.log.1'), 'utf8'),
    readFileSync(join(HERE, 'logs/access.log'), 'utf8'),
  ];
  const quoted = '"((?:[^"\\\\]|\\\\.)*)"';
  const combined = new RegExp(`^(\\S+) (\\S+) (\\S+) \\[(\\d{2})/(\\w{3})/(\\d{4}):(\\d{2}):(\\d{2}):(\\d{2}) ([+-])(\\d{2})(\\d{2})\\] ${quoted} (\\d{3}) (\\d+|-) ${quoted} ${quoted}$`);
  const accesses: Access[] = [];
  const counted: string[] = [];
  let malformed = 0;
  let blank = 0;
  for (const text of texts) {
    const lines = text.split('\n');
    if (lines.pop() !== '') throw new Error('a log file does not end with a newline');
    for (const line of lines) {
      if (line === '') {
        blank++;
        continue;
      }
      const m = combined.exec(line);
      if (m === null) {
        malformed++;
        continue;
      }
      const [, host = '', , user = '', dd = '', mon = '', yyyy = '', hh = '', mi = '', ss = '', sign = '', oh = '', om = '', request = '', status = ''] = m;
      const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * MINUTE;
      const at = Date.UTC(Number(yyyy), MONTHS.indexOf(mon), Number(dd), Number(hh), Number(mi), Number(ss)) - offset;
      const req = /^(\S+) (\S+) HTTP\/\d\.\d$/.exec(request);
      if (req === null) continue;
      const [, method = '', target = ''] = req;
      const [path = '', query] = target.split('?', 2) as [string, string | undefined];
      let doc: string | undefined;
      const image = /^\/tickets\/([^/]+)\/image$/.exec(path);
      if (image !== null) doc = decodeURIComponent(image[1] ?? '');
      else if (path === '/evidence.aspx' && query !== undefined) {
        const pcn = query.split('&').find((p) => p.startsWith('pcn='));
        if (pcn !== undefined) doc = decodeURIComponent(pcn.slice(4));
      }
      if (doc === undefined) continue;
      const code = Number(status);
      if (code < 200 || code > 299 || method === 'HEAD' || method === 'OPTIONS') continue;
      if (at < WINDOW.from || at >= WINDOW.to) continue;
      const owner = owners.get(doc);
      if (owner === undefined) continue;
      const account = user === '-' ? null : user;
      if (account !== null && (account === owner || account === STAFF_ACCOUNT)) continue;
      if (canonicalIp(host).startsWith(COUNCIL_NET)) continue;
      accesses.push({ at, account, host, doc });
      counted.push(line);
    }
  }
  return { accesses, counted, malformed, blank };
}

const problems: string[] = [];
const planted = entries.flatMap((e) => (e.access === undefined ? [] : [e.access]));
const plantedFigures = figures(planted, subjectsOf);
const reading = reread();
const readFigures = figures(reading.accesses, subjectsOf);

for (const [key, want] of Object.entries(DESIGNED)) {
  const got = plantedFigures[key as keyof Figures];
  if (got !== want) problems.push(`planted ${key} = ${got}, designed ${want}`);
  const read = readFigures[key as keyof Figures];
  if (read !== want) problems.push(`re-read ${key} = ${read}, designed ${want}`);
}
const plantedLines = entries.filter((e) => e.label === 'counted').map((e) => e.text);
if (JSON.stringify(plantedLines) !== JSON.stringify(reading.counted)) problems.push('the re-read counted lines differ from the planted ones');
const trapCounts = Object.fromEntries(TRAPS.map((t) => [t, entries.filter((e) => e.label === t).length])) as Record<Trap, number>;
if (reading.malformed !== trapCounts.malformed_line) problems.push(`re-read ${reading.malformed} malformed lines, planted ${trapCounts.malformed_line}`);
if (reading.blank !== trapCounts.blank_line) problems.push(`re-read ${reading.blank} blank lines, planted ${trapCounts.blank_line}`);
for (const t of TRAPS) {
  if (trapCounts[t] !== DESIGNED_TRAPS[t]) problems.push(`trap ${t}: ${trapCounts[t]} lines, designed ${DESIGNED_TRAPS[t]}`);
}
for (const doc of trapDocs) if (exposed.has(doc)) problems.push(`trap document ${doc} was also disclosed`);

const ownerAccounts = new Set([...exposed].map((d) => ownerOf.get(d)?.account));
console.log(JSON.stringify({ figures: plantedFigures, owner_accounts_of_exposed: ownerAccounts.size, lines: entries.length, traps: trapCounts }, null, 2));

if (problems.length > 0) {
  console.error(`ticketviewer: the generated case does not match its design:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
writeFileSync(join(HERE, 'expected.json'), `${JSON.stringify(plantedFigures, null, 2)}\n`);
