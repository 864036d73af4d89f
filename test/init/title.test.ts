import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { titleOf } from '../../src/init/plan-case.js';

describe('the first title of a case', () => {
  it('when init is given a glob then the title is the last folder before the pattern, not the pattern', () => {
    assert.equal(titleOf('/srv/logs/portal-2022/*'), 'portal-2022');
    assert.equal(titleOf('/srv/logs/**/access.log*'), 'logs');
    assert.equal(titleOf('/srv/logs/{a,b}/x.log'), 'x.log');
  });

  it('when init is given a folder then the title is its name', () => {
    assert.equal(titleOf('/srv/incident-7/'), 'incident-7');
  });
});
