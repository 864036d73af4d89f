import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDetectors, paramValueProblem, parseDetector } from '../../src/case/detector-catalog.js';

const HEAD = '-- title: t\n-- description: Detects x.\n-- level: low\n-- status: test\n-- counts_as: context\n';

describe('detector parameter ranges', () => {
  test('when a param header declares a type and range then it is parsed with them', () => {
    const d = parseDetector('x', 'x.sql', `${HEAD}-- param: window_minutes (integer 1..525600) = 10 | minutes\n-- param: ratio (number 0..) = 0.5 | share\nSELECT 1`);
    assert.deepEqual(
      d.params.map((p) => [p.name, p.type, p.min, p.max, p.default]),
      [['window_minutes', 'integer', 1, 525600, 10], ['ratio', 'number', 0, undefined, 0.5]],
    );
  });

  test('when a default is outside its declared range then the detector is broken', () => {
    assert.throws(() => parseDetector('x', 'x.sql', `${HEAD}-- param: n (integer 1..5) = 10 | n\nSELECT 1`), /param n: the default must be a whole number from 1 to 5, got 10/);
  });

  test('when values are not finite, not whole or out of range then each is refused, and in-range ones pass', () => {
    const p = parseDetector('x', 'x.sql', `${HEAD}-- param: n (integer 1..100) = 10 | n\nSELECT 1`).params[0]!;
    for (const bad of [1e18, Number.NaN, Number.POSITIVE_INFINITY, -5, 0, 2.5, '10']) assert.ok(paramValueProblem(p, bad), String(bad));
    for (const good of [1, 10, 100]) assert.equal(paramValueProblem(p, good), undefined);
  });

  test('when the shipped detectors load then every numeric parameter declares its range', () => {
    const { detectors, broken } = loadDetectors();
    assert.deepEqual(broken, []);
    for (const p of detectors.flatMap((d) => d.params)) {
      assert.equal(p.type, 'integer', p.name);
      assert.equal(typeof p.min, 'number', p.name);
      assert.equal(typeof p.max, 'number', p.name);
    }
  });
});
