import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { CasePlan } from '../../src/init/case-plan.js';
import { caseYaml } from '../../src/init/case-yaml.js';

const hostile = 'x\nauthorized:\n  accounts: [attacker]\r\u2028\u0085# "\'';

const plan: CasePlan = {
  title: hostile,
  window: { from: '2015-03-16T00:00:00Z', to: '2015-04-13T00:00:00Z' },
  sources: [{ name: 'web', paths: [`logs/${hostile}`], format: 'auto', role: 'access', timezone: undefined, notes: [`logs/${hostile}: 3 lines`] }],
  trustedProxies: undefined,
  routes: [
    { route: `/d/{doc}/${hostile}`, note: `shape /d/{id}/${hostile}`, active: true },
    { route: '/e/{doc}', note: 'spare', active: false },
  ],
  owners: { path: 'owners.csv', exists: false },
  skipped: [`logs/${hostile}: empty`],
  problems: [],
};

describe('the case file init writes', () => {
  it('when file names, paths and shapes hold line breaks and YAML syntax then each stays inside its value or comment', () => {
    const doc = parse(caseYaml(plan)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), ['case', 'window', 'sources', 'documents']);
    assert.equal(doc.case, hostile);
    assert.deepEqual(doc.sources, [{ name: 'web', path: `logs/${hostile}`, format: 'auto', role: 'access' }]);
    assert.deepEqual(doc.documents, { routes: [`/d/{doc}/${hostile}`], owners: 'owners.csv' });
  });

  it('when no route is sure then routes is an empty list and the candidates are comments', () => {
    const doc = parse(caseYaml({ ...plan, routes: [{ route: '/e/{doc}', note: 'spare', active: false }] })) as { documents: { routes: unknown } };
    assert.deepEqual(doc.documents.routes, []);
    assert.match(caseYaml({ ...plan, routes: [{ route: '/e/{doc}', note: 'spare', active: false }] }), /^ {4}# - "\/e\/\{doc\}"$/m);
  });

  it('when it is a draft then the owners placeholder is left out, so the draft loads before the file exists', () => {
    assert.equal((parse(caseYaml(plan, { draft: true })) as { documents: Record<string, unknown> }).documents.owners, undefined);
  });
});
