import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Store } from '../../src/db/store.js';
import { analyzeJson, combinedLine, ROOT, runCli, tempDir } from '../helpers.js';

/** A dashboard without --follow only reads the store: analyze and report can run beside it. */

function sample(): string {
  const dir = tempDir('bs-shared-');
  cpSync(path.join(ROOT, 'sample-logs', 'ticketviewer'), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
  return path.join(dir, 'case.yaml');
}

describe('a store shared with a reading process', () => {
  it('when another process holds the store to read then analyze gives the figures, and a new file is refused saying why', async () => {
    const casePath = sample();
    assert.equal(analyzeJson(casePath).summary.unauthorized_accesses, 235);
    const reader = await Store.open(path.join(path.dirname(casePath), '.breachscope'), { readOnly: true });
    try {
      const shared = analyzeJson(casePath);
      assert.equal(shared.summary.unauthorized_accesses, 235);
      const report = runCli(['report', casePath, '--out', path.join(tempDir(), 'pack')]);
      assert.equal(report.code, 0, report.stderr);
      writeFileSync(path.join(path.dirname(casePath), 'logs', 'access.log.9'), `${combinedLine({ time: '16/Mar/2015:10:00:00 +0000', path: '/x' })}\n`);
      const r = runCli(['analyze', casePath]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /logs\/access\.log\.9 is new or has grown since it was stored, and the case store is open in another breachscope process \(a dashboard\)/);
      assert.match(r.stderr, /fix: +quit the dashboard and run again/);
    } finally {
      reader.close();
    }
    assert.equal(analyzeJson(casePath).summary.unauthorized_accesses, 235, 'the new file holds no document request');
  });

  it('when another process writes the store (ingest, dashboard --follow) then a second one is told what holds it and what to do', async () => {
    const casePath = sample();
    const writer = await Store.open(path.join(path.dirname(casePath), '.breachscope'));
    try {
      const r = runCli(['analyze', casePath]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /the case store is in use by another breachscope process \(PID \d+\)/);
      assert.match(r.stderr, /dashboard --follow/);
    } finally {
      writer.close();
    }
  });
});
