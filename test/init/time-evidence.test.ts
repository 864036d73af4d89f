import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeEvidence, zoneVerdict } from '../../src/init/time-evidence.js';

describe('time-zone evidence', () => {
  it('when CLF times carry offsets then they are named and no zone is needed', () => {
    const e = timeEvidence(['1.2.3.4 - - [16/Mar/2015:10:00:00 +0100] "GET / HTTP/1.1" 200 1', '1.2.3.4 - - [16/Mar/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1', '1.2.3.4 - - [16/Mar/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1']);
    assert.deepEqual(e.offsets, ['+0000', '+0100']);
    assert.equal(e.withoutOffset, 0);
    assert.equal(zoneVerdict('combined', e).needsZone, false);
  });

  it('when JSON times have no offset then the source needs a zone, and with Z it does not', () => {
    assert.equal(zoneVerdict('jsonl', timeEvidence(['{"time":"2022-06-11T00:07:00","uri":"/"}'])).needsZone, true);
    assert.equal(zoneVerdict('jsonl', timeEvidence(['{"time":"2022-06-11T00:07:00Z","uri":"/"}'])).needsZone, false);
    assert.equal(zoneVerdict('jsonl', timeEvidence(['{"time":"2022-06-11T00:07:00.123+01:00","uri":"/"}'])).needsZone, false);
  });

  it('when a W3C header names local times then a zone is needed; plain date and time are UTC', () => {
    assert.equal(zoneVerdict('w3c', timeEvidence(['#Fields: date-local time-local cs-uri-stem', '2022-01-01 10:00:00 /'])).needsZone, true);
    assert.equal(zoneVerdict('w3c', timeEvidence(['#Fields: date time cs-uri-stem', '2022-01-01 10:00:00 /'])).needsZone, false);
  });
});
