import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketName, chooseBucket, MAX_BARS, UNIT_MS } from '../../src/report/timeline-buckets.js';

const MIN = UNIT_MS.minute;
const HOUR = UNIT_MS.hour;
const DAY = UNIT_MS.day;

describe('timeline bucket choice', () => {
  test('when the exposure spans 14 minutes then there is a bar per minute', () => {
    assert.deepEqual(chooseBucket(14 * MIN), { unit: 'minute', step: 1 });
  });

  test('when the exposure spans 5 days then there is a bar per hour (120 bars)', () => {
    assert.deepEqual(chooseBucket(5 * DAY), { unit: 'hour', step: 1 });
  });

  test('when the exposure spans 2 years then there is a bar per week', () => {
    assert.deepEqual(chooseBucket(730 * DAY), { unit: 'week', step: 1 });
  });

  test('when days would draw fewer than 10 bars and hours more than 200 then hours are grouped by two', () => {
    const c = chooseBucket(9 * DAY);
    assert.deepEqual(c, { unit: 'hour', step: 2 });
    assert.equal(bucketName(c), '2 hours');
  });

  test('when hours would draw fewer than 10 bars and minutes more than 200 then minutes are grouped', () => {
    assert.deepEqual(chooseBucket(4 * HOUR), { unit: 'minute', step: 2 });
  });

  test('when the span is a century then weeks are grouped so there are at most 200 bars', () => {
    const c = chooseBucket(36_525 * DAY);
    assert.equal(c.unit, 'week');
    assert.ok(Math.ceil((36_525 * DAY) / (c.step * UNIT_MS.week)) <= MAX_BARS, `step ${c.step}`);
    assert.ok(Math.ceil((36_525 * DAY) / ((c.step - 1) * UNIT_MS.week)) > MAX_BARS, 'the smallest step that fits');
  });

  test('when every access is in the same instant then one minute bar is drawn', () => {
    assert.deepEqual(chooseBucket(0), { unit: 'minute', step: 1 });
  });
});
