import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupRotated, rotationBase, sourceName } from '../../src/init/rotation.js';

describe('rotated sets', () => {
  it('when files were rotated by number, date or gzip then they share the base name they were written under', () => {
    for (const name of ['access.log', 'access.log.1', 'access.log.2.gz', 'access.log-20240101', 'access.log-20240101.gz', 'access.log.2024-01-01']) assert.equal(rotationBase(name), 'access.log', name);
    assert.equal(rotationBase('u_ex221107.log'), 'u_ex221107.log');
  });

  it('when two files share a base name but not a folder or a format then they are two sets', () => {
    const files = [
      { rel: 'a/access.log', f: 'combined' },
      { rel: 'a/access.log.1', f: 'combined' },
      { rel: 'b/access.log', f: 'combined' },
      { rel: 'a/access.log.2', f: 'w3c' },
    ];
    const sets = groupRotated(files, (x) => x.rel, (x) => x.f);
    assert.deepEqual(sets.map((s) => [s.dir, s.base, s.members.map((m) => m.rel)]), [
      ['a', 'access.log', ['a/access.log', 'a/access.log.1']],
      ['a', 'access.log', ['a/access.log.2']],
      ['b', 'access.log', ['b/access.log']],
    ]);
  });

  it('when two sets would take the same source name then the second gets a suffix', () => {
    const taken = new Set<string>();
    assert.equal(sourceName('access.log', taken), 'access');
    assert.equal(sourceName('access.log', taken), 'access-2');
    assert.equal(sourceName('my log (1).jsonl', taken), 'my_log_1_');
  });
});
