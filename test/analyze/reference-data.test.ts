import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeCase, runCli, tempDir } from '../helpers.js';

describe('reference data', () => {
  test('when owners carry a category and a subjects file without one is given then the Art. 33 categories come from the owners', () => {
    const path = makeCase('case: x\nsources: [{name: web, path: access.log}]\ndocuments:\n  routes: [/d/{doc}]\n  owners: owners.csv\n  subjects: subjects.csv\n', {
      'access.log': '203.0.113.7 - - [16/Mar/2015:10:00:00 +0000] "GET /d/1 HTTP/1.1" 200 1 "-" "-"\n203.0.113.7 - - [16/Mar/2015:10:00:00 +0000] "GET /d/2 HTTP/1.1" 200 1 "-" "-"\n',
      'owners.csv': 'document_id,owner_account,category\n1,bob,health\n2,carol,finance\n',
      'subjects.csv': 'document_id,subject_id\n1,p1\n1,p2\n2,p3\n',
    });
    const out = join(tempDir(), 'pack');
    const r = runCli(['report', path, '--out', out, '--generated-at', '2015-04-20T00:00:00Z']);
    assert.equal(r.code, 0, r.stderr);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(md, /^\| health \| 2 \| 1 \|$/m);
    assert.match(md, /^\| finance \| 1 \| 1 \|$/m);
    assert.doesNotMatch(md, /not categorised/);
  });
});
