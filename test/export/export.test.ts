import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ECS_VERSION } from '../../src/export/ecs-record.js';
import { OCSF_VERSION } from '../../src/export/ocsf-record.js';
import { SCHEMAS, analyzeJson, makeCase, runCli, tempDir } from '../helpers.js';
import { copySample } from '../report/pack-fixtures.js';
import { ecsProblems, ecsVersion, ocsfProblems, ocsfVersion, timesketchProblems } from './schemas.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Record_ = Record<string, Json>;

const FORMATS = ['timesketch', 'ecs', 'ocsf'] as const;
type Format = (typeof FORMATS)[number];
const CHECK: Record<Format, (r: Record_) => string[]> = { timesketch: timesketchProblems, ecs: ecsProblems, ocsf: ocsfProblems };

/** The provenance and verdict each format carries, read back from its own place in the record. */
function facts(format: Format, r: Record_): { file: string; line: number; sha: string; raw: string; verdict: string; document: string; subjects: number; detectors: string[] } {
  const b = (format === 'timesketch' ? r : format === 'ecs' ? r.breachscope : (r.unmapped as Record_).breachscope) as Record_;
  const raw = format === 'timesketch' ? r.raw_line : format === 'ecs' ? (r.event as Record_).original : r.raw_data;
  const file = format === 'ecs' ? ((r.log as Record_).file as Record_).path : b.file;
  return { file: file as string, line: b.line as number, sha: b.file_sha256 as string, raw: raw as string, verdict: b.verdict as string, document: b.document as string, subjects: b.subjects as number, detectors: b.detectors as string[] };
}

function exportRecords(casePath: string, format: Format, extra: string[] = [], name = 'out.jsonl'): { records: Record_[]; text: string; stdout: string } {
  const out = path.join(tempDir(), name);
  const r = runCli(['export', casePath, '--to', format, '--out', out, '--db', path.join(path.dirname(casePath), '.store'), ...extra]);
  assert.equal(r.code, 0, r.stderr);
  const bytes = readFileSync(out);
  const text = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'every record ends its line');
  return { records: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record_), text, stdout: r.stdout };
}

function lineOf(file: string, n: number): string {
  let bytes = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString('utf8').split('\n')[n - 1]!.replace(/\r$/, '');
}

const schemas = existsSync(SCHEMAS) ? false : 'no ../shared/schemas beside this checkout';

describe('export versions', { skip: schemas }, () => {
  test('when records name their schema version then it is the one of ../shared/schemas they are checked against', () => {
    assert.equal(ECS_VERSION, ecsVersion());
    assert.equal(OCSF_VERSION, ocsfVersion());
  });
});

for (const sample of ['ticketviewer', 'resident-portal']) {
  describe(`export of ${sample}`, { skip: schemas }, () => {
    const c = copySample(sample);
    const dir = path.dirname(c);
    const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { unauthorized_accesses: number };
    const requests = () => (analyzeJson(c, ['--db', path.join(dir, '.store')]) as unknown as { context: { document_requests: number } }).context.document_requests;

    for (const format of FORMATS) {
      test(`when exported to ${format} then there is one valid record per counted access, each traced to line N of its file`, () => {
        const { records } = exportRecords(c, format);
        assert.equal(records.length, expected.unauthorized_accesses);
        const hashes = new Map<string, string>();
        for (const r of records) {
          assert.deepEqual(CHECK[format](r), [], JSON.stringify(r).slice(0, 300));
          const f = facts(format, r);
          assert.equal(f.verdict, 'unauthorized_access');
          assert.ok(f.detectors.length > 0 && f.document !== '' && Number.isInteger(f.subjects) && f.subjects > 0);
          assert.equal(f.raw, lineOf(path.join(dir, f.file), f.line), `${f.file}:${f.line}`);
          if (!hashes.has(f.file)) hashes.set(f.file, createHash('sha256').update(readFileSync(path.join(dir, f.file))).digest('hex'));
          assert.equal(f.sha, hashes.get(f.file));
        }
      });

      test(`when exported to ${format} with --all then there is one valid record per document request, each with its verdict`, () => {
        const { records } = exportRecords(c, format, ['--all']);
        assert.equal(records.length, requests());
        const verdicts = new Map<string, number>();
        for (const r of records) {
          assert.deepEqual(CHECK[format](r), [], JSON.stringify(r).slice(0, 300));
          const v = facts(format, r).verdict;
          verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
        }
        assert.equal(verdicts.get('unauthorized_access'), expected.unauthorized_accesses);
        assert.ok(verdicts.size > 1, `more than one verdict: ${[...verdicts.keys()].join(', ')}`);
      });
    }
  });
}

describe('export files', { skip: schemas }, () => {
  test('when --out ends in .gz then the file is gzip holding the same lines as the plain export', () => {
    const c = copySample('ticketviewer');
    const plain = exportRecords(c, 'ocsf');
    const gz = exportRecords(c, 'ocsf', [], 'out.jsonl.gz');
    assert.equal(gz.text, plain.text);
    assert.match(gz.stdout, /^235 counted unauthorized accesses written to .*\(gzip\)/);
  });

  test('when --to names no format then it exits 2 naming the formats, before any log is read', () => {
    const c = copySample('ticketviewer');
    const r = runCli(['export', c, '--to', 'splunk', '--out', path.join(tempDir(), 'x.jsonl')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--to 'splunk' is not an export format[\s\S]*timesketch, ecs, ocsf/);
    assert.equal(existsSync(path.join(path.dirname(c), '.breachscope')), false);
  });
});

describe('hostile values in exports', { skip: schemas }, () => {
  const ua = 'evil "quoted" \\back\\slash\ttab\nnewline\r\u0001\u001b[31mred\u007f\u0085 \u2028 ünï 日本 😀';
  const path1 = '/docs/D1?q="x",y=\'1\'&z=<script>';
  const line = (o: Record<string, unknown>) => JSON.stringify({ time: '2015-03-16T10:00:00Z', remote_addr: '203.0.113.7', status: 200, body_bytes_sent: 5, ...o });
  const c = makeCase(
    'case: "evil \\"title\\"\\n\\t\\u001b[2J"\nsources:\n  - {name: web, path: logs/app.jsonl, format: jsonl}\ndocuments:\n  routes: ["/docs/{doc}"]\n  owners: owners.csv\n',
    {
      'logs/app.jsonl': `${[
        line({ request: `GET ${path1} HTTP/1.1`, http_user_agent: ua, remote_user: 'mallory"\n' }),
        line({ request: 'GET /docs/D2 HTTP/1.1', http_user_agent: '-', http_referer: '"},"x":{"' }),
      ].join('\n')}\n`,
      'owners.csv': 'document_id,owner_account\nD1,alice\nD2,"bob, ""the owner"""\n',
    },
  );

  for (const format of FORMATS) {
    test(`when log fields hold quotes, line ends, control characters and any script then the ${format} records keep them as data, one record a line`, () => {
      const { records, text } = exportRecords(c, format);
      assert.equal(records.length, 2);
      // JSON escapes every control character: the file holds none but the line ends.
      assert.doesNotMatch(text.replace(/\n/g, ''), /[\u0000-\u001f]/);
      for (const r of records) assert.deepEqual(CHECK[format](r), [], JSON.stringify(r));
      const [first, second] = records as [Record_, Record_];
      const uaOf = (r: Record_) => (format === 'timesketch' ? r.user_agent : format === 'ecs' ? (r.user_agent as Record_).original : (r.http_request as Record_).user_agent);
      assert.equal(uaOf(first), ua);
      const caseOf = (r: Record_) => (format === 'timesketch' ? r.case : format === 'ecs' ? (r.breachscope as Record_).case : ((r.unmapped as Record_).breachscope as Record_).case);
      assert.equal(caseOf(first), 'evil "title"\n\t\u001b[2J');
      assert.match(String(first.message), /mallory"\n/);
      assert.equal(facts(format, second).document, 'D2');
      assert.match(String(second.message), /owner bob, "the owner"/);
    });
  }
});
