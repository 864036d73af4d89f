import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Store, type Row } from '../../src/db/store.js';
import { combined } from '../../src/formats/clf.js';
import { compileDefinition } from '../../src/formats/defined.js';
import { formatSql, PARSED_COLUMNS, type LogFormat } from '../../src/formats/format.js';
import { jsonl } from '../../src/formats/jsonl.js';
import { FORMATS } from '../../src/formats/registry.js';
import { w3c } from '../../src/formats/w3c.js';
import { makeCase, runCli, tempDir } from '../helpers.js';

/*
 * Property-based tests (fast-check, fixed seed so a failure reproduces): arbitrary text never
 * breaks a reader (one row per line, parsed or rejected with a reason), and generated valid lines
 * come back with the fields they were generated from.
 */

const SEED = 20261122;
let store: Store;
before(async () => {
  store = await Store.open(tempDir());
});
after(() => store.close());

async function parse(format: LogFormat, lines: readonly string[], timezone?: string): Promise<Row[]> {
  await store.run('CREATE OR REPLACE TEMP TABLE all_lines AS SELECT generate_subscripts($l::VARCHAR[], 1) AS line_no, unnest($l::VARCHAR[]) AS line', { l: [...lines] });
  await store.run("CREATE OR REPLACE TEMP TABLE lines AS SELECT * FROM all_lines WHERE NOT starts_with(line, '#')");
  await store.run("CREATE OR REPLACE TEMP TABLE directives AS SELECT * FROM all_lines WHERE starts_with(line, '#')");
  return store.all(`SELECT line_no, ${PARSED_COLUMNS.join(', ')} FROM (${formatSql(format, { timezone, fields: {} })}) ORDER BY line_no`);
}

/**
 * Lines as ingest hands them to a reader: any Unicode text without line ends and without the
 * bytes 0x00-0x03 (the pre-pass keeps those out, see prepass.ts), biased towards the characters
 * log syntax is made of.
 */
const SYNTAX = [' ', '"', '\\', '[', ']', '-', ':', '/', '{', '}', ',', '#', '%', 'x', '2', '\t', '\u001b', 'é', '\uFFFD'];
const piece = fc.oneof(fc.constantFrom(...SYNTAX), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('GET /a HTTP/1.1', '[16/Mar/2015:10:00:00 +0000]', '{"a":', '2015-03-16 10:00:00', '200', '-'));
const line = fc
  .array(piece, { maxLength: 30 })
  .map((parts) => parts.join('').replace(/[\n\r\u0000-\u0003]/g, ' '))
  .filter((l) => l.trim() !== '');

describe('arbitrary lines never break a reader', () => {
  for (const format of FORMATS) {
    test(`when ${format.name} reads arbitrary lines then every line is one row, parsed or rejected with a reason`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), async (lines) => {
          const rows = await parse(format, lines, 'UTC');
          const data = lines.map((l, i) => ({ l, i: i + 1 })).filter((x) => !x.l.startsWith('#'));
          assert.deepEqual(rows.map((r) => r.line_no), data.map((x) => x.i));
          for (const r of rows) assert.ok(r.reject_reason === null ? r.line !== null : typeof r.reject_reason === 'string' && r.reject_reason !== '');
        }),
        { seed: SEED, numRuns: 25 },
      );
    });
  }
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `dd/Mon/yyyy:HH:MM:SS +hhmm` of an instant shown at an offset (minutes). */
function clfTime(instant: Date, offset: number): string {
  const local = new Date(instant.getTime() + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${pad(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

const instant = fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2030, 0, 1) / 1000 }).map((s) => new Date(s * 1000));
const offset = fc.integer({ min: -48, max: 56 }).map((q) => q * 15);
const token = fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=@-]{1,20}$/);
const urlPath = fc.array(token, { minLength: 1, maxLength: 4 }).map((p) => `/${p.join('/')}`);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
/** Free text as Apache writes it inside quotes: `"` and `\` escaped. */
const quotedText = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', '(', ')', ';', '/', '.', '5', 'é'), minLength: 1, maxLength: 30 }).filter((t) => t !== '-');
const apacheQuote = (t: string) => t.replaceAll('\\', '\\\\').replaceAll('"', '\\"');

const combinedRecord = fc.record({
  ip: ipv4,
  user: fc.oneof(fc.constant('-'), token),
  instant,
  offset,
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'),
  path: urlPath,
  status: fc.integer({ min: 100, max: 599 }),
  bytes: fc.oneof(fc.constant('-'), fc.nat(10_000_000).map(String)),
  referer: fc.oneof(fc.constant('-'), quotedText),
  ua: quotedText,
});

describe('generated valid lines come back with their fields', () => {
  test('when combined lines are generated from records then every field is read back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(combinedRecord, { minLength: 1, maxLength: 15 }), async (records) => {
        const lines = records.map(
          (r) => `${r.ip} - ${r.user} [${clfTime(r.instant, r.offset)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "${r.referer === '-' ? '-' : apacheQuote(r.referer)}" "${apacheQuote(r.ua)}"`,
        );
        const rows = await parse(combined, lines);
        rows.forEach((row, i) => {
          const r = records[i]!;
          assert.deepEqual(
            [row.reject_reason, (row.time as Date).getTime(), row.client_ip, row.account, row.method, row.path, row.status, row.bytes, row.referer, row.user_agent],
            [null, r.instant.getTime(), r.ip, r.user === '-' ? null : r.user, r.method, r.path, r.status, r.bytes === '-' ? null : Number(r.bytes), r.referer === '-' ? null : r.referer, r.ua],
            lines[i],
          );
        });
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  test('when JSON lines are generated from records then every field is read back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ ip: ipv4, instant, path: urlPath, status: fc.integer({ min: 100, max: 599 }), user: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined }), ua: fc.string({ maxLength: 40 }) }), { minLength: 1, maxLength: 15 }), async (records) => {
        const lines = records.map((r) => JSON.stringify({ time: r.instant.toISOString(), remote_addr: r.ip, request_method: 'GET', request_uri: r.path, status: r.status, remote_user: r.user, http_user_agent: r.ua }));
        const rows = await parse(jsonl, lines);
        rows.forEach((row, i) => {
          const r = records[i]!;
          assert.deepEqual(
            [row.reject_reason, (row.time as Date).getTime(), row.client_ip, row.path, row.status, row.account, row.user_agent],
            // nginx writes '-' for an absent value: it reads as absent
            [null, r.instant.getTime(), r.ip, r.path, r.status, r.user === undefined || r.user === '-' ? null : r.user, r.ua === '-' ? null : r.ua],
            lines[i],
          );
        });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  test('when W3C lines are generated under a random #Fields: order then each field is read back from its column', async () => {
    const NAMES = ['date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem', 'sc-status', 'cs-username'] as const;
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...NAMES], { minLength: NAMES.length }), fc.array(fc.record({ ip: ipv4, instant, path: urlPath, status: fc.integer({ min: 100, max: 599 }), user: token }), { minLength: 1, maxLength: 10 }), async (order, records) => {
        const value = (r: (typeof records)[number], n: (typeof NAMES)[number]) =>
          ({ date: r.instant.toISOString().slice(0, 10), time: r.instant.toISOString().slice(11, 19), 'c-ip': r.ip, 'cs-method': 'GET', 'cs-uri-stem': r.path, 'sc-status': String(r.status), 'cs-username': r.user })[n];
        const rows = await parse(w3c, [`#Fields: ${order.join(' ')}`, ...records.map((r) => order.map((n) => value(r, n)).join(' '))]);
        rows.forEach((row, i) => {
          const r = records[i]!;
          assert.deepEqual([row.reject_reason, (row.time as Date).getTime(), row.client_ip, row.path, row.status, row.account], [null, r.instant.getTime(), r.ip, r.path, r.status, r.user === '-' ? null : r.user]);
        });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  test('when an nginx log_format with fields in a random order reads lines written by it then every field is read back', async () => {
    const VARS = ['$remote_addr', '[$time_local]', '"$request"', '$status', '$remote_user'] as const;
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...VARS], { minLength: VARS.length }), fc.array(combinedRecord, { minLength: 1, maxLength: 10 }), async (order, records) => {
        const { format } = compileDefinition({ server: 'nginx', text: order.join(' ') });
        const value = (r: (typeof records)[number], v: (typeof VARS)[number]) =>
          ({ $remote_addr: r.ip, '[$time_local]': `[${clfTime(r.instant, r.offset)}]`, '"$request"': `"${r.method} ${r.path} HTTP/1.1"`, $status: String(r.status), $remote_user: r.user })[v];
        const rows = await parse(format, records.map((r) => order.map((v) => value(r, v)).join(' ')));
        rows.forEach((row, i) => {
          const r = records[i]!;
          assert.deepEqual([row.reject_reason, (row.time as Date).getTime(), row.client_ip, row.method, row.path, row.status, row.account], [null, r.instant.getTime(), r.ip, r.method, r.path, r.status, r.user === '-' ? null : r.user]);
        });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});

describe('arbitrary bytes through the whole ingest', () => {
  test('when files of arbitrary bytes are ingested then the run exits 0 and every non-blank line is an event or a reject', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), fc.constantFrom('combined', 'jsonl', 'w3c', 'haproxy'), (bytes, format) => {
        const casePath = makeCase(`case: fuzz\nsources:\n  - name: f\n    path: fuzz.log\n    format: ${format}\n    timezone: UTC\n`, { 'fuzz.log': Buffer.from(bytes) });
        const r = runCli(['ingest', casePath, '--json']);
        assert.equal(r.code, 0, r.stderr);
        const rep = (JSON.parse(r.stdout) as { files: { lines: number; events: number; rejected: number; comments: number }[] }).files[0]!;
        // Count the lines the way the reader sees them: split on LF, CR dropped, blank and '#' lines aside.
        const text = readFileSync(path.join(path.dirname(casePath), 'fuzz.log')).toString('latin1');
        const physical = text.split('\n');
        if (physical.at(-1) === '') physical.pop();
        const expected = physical.filter((l) => l.replace(/\r$/, '').trim() !== '' && !l.startsWith('#')).length;
        assert.equal(rep.events + rep.rejected, rep.lines);
        assert.equal(rep.lines, expected);
      }),
      { seed: SEED, numRuns: 12 },
    );
  });
});
