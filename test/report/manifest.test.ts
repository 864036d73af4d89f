import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, combinedLine, makeCase, runCli, tempDir } from '../helpers.js';
import { copySample, report } from './pack-fixtures.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

interface ManifestJson {
  command: string[];
  detectors: { id: string; file: string; sql_sha256: string | null; params: Record<string, number | string> | null; findings: number | null }[];
  inputs: { role: string; path: string; sha256: string }[];
}

describe('manifest additions', () => {
  test('when a pack is reported then the manifest holds the command line and each detector\'s file, SQL SHA-256 and parameters as run', () => {
    const c = copySample('ticketviewer');
    const out = path.join(tempDir(), 'pack');
    report(c, out, ['--max-rows', '7']);
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as ManifestJson;
    assert.deepEqual(m.command, ['breachscope', 'report', c, '--out', out, '--generated-at', '2015-04-20T12:00:00Z', '--max-rows', '7']);
    assert.ok(m.detectors.length >= 5);
    for (const d of m.detectors) {
      assert.equal(d.file, `queries/${d.id}.sql`);
      assert.equal(d.sql_sha256, sha256(readFileSync(path.join(ROOT, d.file))), d.id);
    }
    const enumeration = m.detectors.find((d) => d.id === 'document_id_enumeration')!;
    assert.equal(typeof enumeration.params?.min_documents, 'number');
    assert.equal(m.detectors.filter((d) => d.findings !== null).reduce((n, d) => n + (d.findings ?? 0), 0) > 235, true);
  });

  test('when a detector parameter is set in the case file then the manifest records the value that ran', () => {
    const c = copySample('ticketviewer');
    writeFileSync(c, `${readFileSync(c, 'utf8')}\ndetectors:\n  document_id_enumeration: {min_documents: 17}\n`);
    const out = path.join(tempDir(), 'pack');
    report(c, out);
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as ManifestJson;
    assert.equal(m.detectors.find((d) => d.id === 'document_id_enumeration')!.params?.min_documents, 17);
  });

  test('when authorized.accounts names a file then the manifest hashes it and verify --case names it once it changes', () => {
    const c = makeCase('sources:\n  - {name: web, path: access.log, format: combined}\ndocuments:\n  routes: ["/d/{doc}"]\n  owners: owners.csv\nauthorized:\n  accounts: staff.txt\n', {
      'access.log': `${combinedLine({ user: 'eve', time: '16/Mar/2015:10:00:00 +0000', path: '/d/D1' })}\n`,
      'owners.csv': 'document_id,owner_account\nD1,alice\n',
      'staff.txt': 'staff.ahmed\n',
    });
    const out = path.join(tempDir(), 'pack');
    report(c, out);
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as ManifestJson;
    const staff = path.join(path.dirname(c), 'staff.txt');
    assert.deepEqual(m.inputs.find((i) => i.role === 'authorized.accounts'), { role: 'authorized.accounts', path: 'staff.txt', sha256: sha256(readFileSync(staff)) });
    assert.equal(runCli(['verify', out, '--case', c]).code, 0);
    writeFileSync(staff, 'staff.ahmed\neve\n');
    const v = runCli(['verify', out, '--case', c]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /^changed +staff\.txt  input \(authorized\.accounts\)/m);
  });
});
