import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { zonedTime } from '../../src/report/text-report.js';
import { plural } from '../../src/util/plural.js';
import { makeCase, runCli } from '../helpers.js';

describe('text report', () => {
  test('when a zone is given then a UTC time is shown in it with its offset, DST included', () => {
    assert.equal(zonedTime('2015-03-16T10:00:00Z', 'Europe/London'), '2015-03-16 10:00:00+00:00');
    assert.equal(zonedTime('2015-04-01T10:00:00Z', 'Europe/London'), '2015-04-01 11:00:00+01:00');
    assert.equal(zonedTime('2015-04-01T10:00:00Z', 'Asia/Kolkata'), '2015-04-01 15:30:00+05:30');
    assert.equal(zonedTime('2015-04-01T10:00:00Z', 'America/St_Johns'), '2015-04-01 07:30:00-02:30');
    assert.equal(zonedTime('2015-04-01T10:00:00Z', undefined), '2015-04-01T10:00:00Z');
  });

  test('when a count is 1 then its noun is singular', () => {
    assert.equal(plural(1, 'hour'), '1 hour');
    assert.equal(plural(2, 'hour'), '2 hours');
    assert.equal(plural(1, 'person', 'people'), '1 person');
    assert.equal(plural(1200, 'document'), '1,200 documents');
  });

  test('when analyze finds one of each then the text says so in the singular', () => {
    const path = makeCase('case: x\nsources: [{name: web, path: access.log}]\ndocuments:\n  routes: [/d/{doc}]\n  owners: owners.csv\n', {
      'access.log': '203.0.113.7 - alice [16/Mar/2015:10:00:00 +0000] "GET /d/1 HTTP/1.1" 200 1 "-" "-"\n203.0.113.7 - bob [16/Mar/2015:10:00:00 +0000] "GET /d/2 HTTP/1.1" 200 1 "-" "-"\n203.0.113.7 - bob [16/Mar/2015:10:00:00 +0000] "GET /d/2 HTTP/1.1" 403 1 "-" "-"\n',
      'owners.csv': 'document_id,owner_account\n1,bob\n2,bob\n',
    });
    const r = runCli(['analyze', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^1 unauthorized access to 1 document from 1 unique IP address, affecting 1 person\.$/m);
    assert.match(r.stdout, /^Signed-in: +1 access by 1 account; anonymous: 0$/m);
    assert.match(r.stdout, /^Not counted: +1 authorized disclosure \(owner, grant, staff\), .*, 1 refused attempt$/m);
    assert.match(r.stdout, /^Ingest coverage: 1 file, 3 lines, 3 events, 0 rejected$/m);
  });
});
