import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeJson, combinedLine, ROOT, runCli, tempDir, writeFiles } from '../helpers.js';

/** The case file and the bytes it names decide the figures: never what else the store holds. */

const owners = 'document_id,owner_account\nD1,alice\nD2,bob\nD3,carol\n';
const line = (ip: string, user: string, doc: string, minute: number) =>
  combinedLine({ ip, user, time: `16/Mar/2015:10:${String(minute).padStart(2, '0')}:00 +0000`, path: `/docs/${doc}` });
const caseYaml = (glob: string, extra = '') => `case: t\nsources:\n  - {name: web, path: "${glob}", format: combined}\ndocuments:\n  routes: ["/docs/{doc}"]\n  owners: owners.csv\n${extra}`;

function folder() {
  const dir = tempDir('bs-select-');
  writeFiles(dir, {
    'owners.csv': owners,
    // a.log: one unauthorized access (bob reads D1); b.log: one more (carol reads D2) and one by the owner.
    'logs/a.log': `${line('198.51.100.1', 'bob', 'D1', 1)}\n`,
    'logs/b.log': `${line('198.51.100.2', 'carol', 'D2', 2)}\n${line('198.51.100.3', 'bob', 'D2', 3)}\n`,
    'case.yaml': caseYaml('logs/a.log'),
    'caseb.yaml': caseYaml('logs/b.log'),
    'all.yaml': caseYaml('logs/*.log'),
  });
  return dir;
}

const accesses = (casePath: string, extra: string[] = []) => analyzeJson(casePath, extra).summary.unauthorized_accesses;

describe('the case selects the evidence', () => {
  it('when two case files share a folder and store then each gives its fresh-store figures, before and after the other runs', () => {
    const dir = folder();
    const a = path.join(dir, 'case.yaml');
    const b = path.join(dir, 'caseb.yaml');
    assert.equal(accesses(a), 1);
    assert.equal(accesses(b), 1);
    assert.equal(accesses(a), 1, 'case.yaml after caseb.yaml ran on the same store');
    assert.equal(accesses(path.join(dir, 'all.yaml')), 2);
    assert.equal(accesses(a), 1);
    const json = analyzeJson(a) as unknown as { warnings: { code: string; message: string }[]; ingest: { files: { path: string }[] } };
    assert.deepEqual(json.ingest.files.map((f) => f.path), ['logs/a.log']);
    const w = json.warnings.find((x) => x.code === 'store_files_not_in_case');
    assert.ok(w, 'the other case\'s file is named as not counted');
    assert.match(w.message, /logs\/b\.log/);
  });

  it('when a glob is narrowed then the files it no longer matches are not counted, nor listed in the manifest', () => {
    const dir = folder();
    assert.equal(accesses(path.join(dir, 'all.yaml')), 2);
    writeFileSync(path.join(dir, 'all.yaml'), caseYaml('logs/a.log'));
    assert.equal(accesses(path.join(dir, 'all.yaml')), 1);
    const out = path.join(dir, 'pack');
    const r = runCli(['report', path.join(dir, 'all.yaml'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { inputs: { path: string; role: string }[] };
    const logs = manifest.inputs.filter((i) => i.role.startsWith('source')).map((i) => i.path);
    assert.deepEqual(logs, ['logs/a.log']);
    const csv = readFileSync(path.join(out, 'evidence.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 2, 'one counted access and the header');
  });

  it('when a file is rewritten at the same path then it counts with its new bytes only', () => {
    const dir = folder();
    const a = path.join(dir, 'case.yaml');
    assert.equal(accesses(a), 1);
    writeFileSync(path.join(dir, 'logs/a.log'), `${line('198.51.100.9', 'alice', 'D1', 9)}\n`);
    assert.equal(accesses(a), 0, 'alice owns D1: the new bytes hold no unauthorized access');
  });

  it('when a source setting is corrected (fields.account) then the file is read again with it, as a fresh store would', () => {
    const dir = tempDir('bs-select-rp-');
    cpSync(path.join(ROOT, 'sample-logs', 'resident-portal'), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
    const casePath = path.join(dir, 'case.yaml');
    const good = readFileSync(casePath, 'utf8');
    assert.match(good, /account: user/);
    writeFileSync(casePath, good.replace('account: user', 'account: usr'));
    const wrong = analyzeJson(casePath).summary;
    writeFileSync(casePath, good);
    const fixed = analyzeJson(casePath).summary;
    const fresh = analyzeJson(casePath, ['--db', tempDir('bs-select-rp-fresh-')]).summary;
    assert.deepEqual(fixed, fresh);
    assert.notEqual(wrong.unauthorized_accesses, fixed.unauthorized_accesses);
  });

  it('when one file is named by two sources (requests and identity) then it is read for each', () => {
    const dir = tempDir('bs-select-two-');
    const app = [
      JSON.stringify({ ts: '2015-03-16T10:01:00Z', path: '/docs/D1', status: 200, ip: '198.51.100.1', rid: 'r1' }),
      JSON.stringify({ ts: '2015-03-16T10:01:00Z', rid: 'r1', user: 'bob' }),
    ].join('\n');
    writeFiles(dir, {
      'owners.csv': owners,
      'app.jsonl': `${app}\n`,
      'case.yaml': `case: t\nsources:\n  - {name: req, path: app.jsonl, format: jsonl, fields: {time: ts, client_ip: ip, request_id: rid}}\n  - {name: who, path: app.jsonl, format: jsonl, role: identity, fields: {time: ts, request_id: rid, account: user}}\ndocuments:\n  routes: ["/docs/{doc}"]\n  owners: owners.csv\n`,
    });
    const a = analyzeJson(path.join(dir, 'case.yaml'));
    assert.equal(a.summary.unauthorized_accesses, 1);
    assert.equal(a.summary.accounts, 1, 'bob, from the identity reading of the same file');
    assert.equal(a.ingest.files.length, 2);
  });
});
