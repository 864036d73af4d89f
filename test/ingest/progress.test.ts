import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCaseFile } from '../../src/case/case-file.js';
import { Store } from '../../src/db/store.js';
import { ingestCase } from '../../src/ingest/ingest.js';
import { Progress } from '../../src/ingest/progress.js';
import { combinedLine, makeCase, tempDir } from '../helpers.js';

describe('ingest progress', () => {
  test('when a file has been read by the pre-pass then the progress line counts its lines before DuckDB loads it', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => combinedLine({ time: '16/Mar/2015:10:00:00 +0000', path: `/d/${i}` })).join('\n') + '\n';
    const caseFile = loadCaseFile(makeCase('case: x\nsources: [{name: web, path: access.log}]\n', { 'access.log': lines }));
    const drawn: string[] = [];
    const store = await Store.open(tempDir());
    try {
      await ingestCase(store, caseFile, Progress.to({ write: (t: string) => drawn.push(t) }));
    } finally {
      store.close();
    }
    const loading = drawn.find((d) => d.includes('loading into DuckDB'));
    assert.ok(loading, `a line says DuckDB is loading; drawn: ${JSON.stringify(drawn)}`);
    assert.match(loading, /30,000 lines/);
  });
});
