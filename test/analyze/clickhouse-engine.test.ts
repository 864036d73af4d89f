import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, analyzeJson, runCli, spawnCli, tempDir, copySample, type AnalyzeJson } from '../helpers.js';
import { chdbSkip, figures } from './clickhouse-kit.js';
import { generatedCase } from './generated-case.js';

/*
 * --engine clickhouse (chdb in-process, over the Parquet set) against --engine duckdb: the same
 * figures, context, top lists and detector counts. CI installs chdb (npm run setup:clickhouse);
 * without it these tests are skipped, saying so.
 */
const chdbMissing = chdbSkip('ClickHouse engine tests');

function assertSameFigures(casePath: string): AnalyzeJson {
  const duck = analyzeJson(casePath);
  const ch = analyzeJson(casePath, ['--engine', 'clickhouse']);
  assert.deepEqual(figures(ch), figures(duck));
  assert.ok(duck.summary.unauthorized_accesses > 0, 'the case counts something');
  assert.equal(duck.detectors.filter((d) => d.error).length, 0);
  return ch;
}

describe('analyze --engine clickhouse', { skip: chdbMissing }, () => {
  for (const name of ['ticketviewer', 'resident-portal']) {
    test(`when sample ${name} is analyzed on ClickHouse then summary, context, top and detector counts equal DuckDB's`, () => {
      const ch = assertSameFigures(copySample(name));
      const expected = JSON.parse(readFileSync(path.join(ROOT, 'sample-logs', name, 'expected.json'), 'utf8')) as Record<string, unknown>;
      const { subjects_from: _f, tiers: _t, ...summary } = ch.summary as unknown as Record<string, unknown>;
      assert.deepEqual(summary, expected);
    });
  }

  test('when a generated case (proxies, IPv6, identity by request and session, grants, subjects, query routes) is analyzed on ClickHouse then its figures equal DuckDB\'s', () => {
    const ch = assertSameFigures(generatedCase(7));
    for (const id of ['document_id_enumeration', 'document_access_attempts', 'unknown_document_access']) {
      assert.ok((ch.detectors.find((d) => d.id === id)?.findings ?? 0) > 0, `${id} finds something in the generated case`);
    }
  });

  test('when the evidence pack is written on ClickHouse then its evidence files and reports are byte-identical to DuckDB\'s', () => {
    const casePath = copySample('resident-portal');
    const out = tempDir();
    const env = { SOURCE_DATE_EPOCH: '1430000000' };
    assert.equal(runCli(['report', casePath, '--out', path.join(out, 'duckdb')], { env }).code, 0);
    const r = runCli(['report', casePath, '--out', path.join(out, 'clickhouse'), '--engine', 'clickhouse'], { env });
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['evidence.csv', 'evidence.parquet', 'subjects.csv', 'report.md', 'report.html']) {
      assert.ok(readFileSync(path.join(out, 'clickhouse', f)).equals(readFileSync(path.join(out, 'duckdb', f))), f);
    }
    assert.ok(readFileSync(path.join(out, 'duckdb', 'evidence.csv'), 'utf8').split('\n').length > 50, 'the pack holds the counted accesses');
  });

  test('when the ingest is sharded 3 ways in three processes then analyze over the union equals a single ingest', async () => {
    const casePath = generatedCase(11);
    const dir = path.join(tempDir(), 'set');
    const runs = [1, 2, 3].map(
      (i) =>
        new Promise<number>((resolve) => {
          const p = spawnCli(['ingest', casePath, '--shard', `${i}/3`, '--parquet', dir, '--db', path.join(path.dirname(dir), `db${i}`)]);
          p.on('exit', (code) => resolve(code ?? -1));
        }),
    );
    assert.deepEqual(await Promise.all(runs), [0, 0, 0]);
    const manifests = readdirSync(dir).filter((n) => n.startsWith('manifest-')).sort();
    assert.deepEqual(manifests, ['manifest-1-of-3.json', 'manifest-2-of-3.json', 'manifest-3-of-3.json']);
    const held = manifests.flatMap((m) => (JSON.parse(readFileSync(path.join(dir, m), 'utf8')) as { files: { path: string }[] }).files.map((f) => f.path));
    assert.equal(held.length, 7, 'every log file in exactly one shard');
    assert.equal(new Set(held).size, 7);
    const counts = manifests.map((m) => (JSON.parse(readFileSync(path.join(dir, m), 'utf8')) as { files: unknown[] }).files.length);
    assert.ok(counts.filter((n) => n > 0).length >= 2, `the files spread over the shards (${counts.join(', ')})`);
    const union = analyzeJson(casePath, ['--engine', 'clickhouse', '--events', dir, '--db', path.join(path.dirname(dir), 'union')]);
    const single = analyzeJson(casePath, ['--db', path.join(path.dirname(dir), 'single')]);
    assert.deepEqual(figures(union), figures(single));
  });

  test('when a log and an earlier copy of it land in different shards then the union counts their lines once', () => {
    const casePath = generatedCase(5, 1, 400);
    const logs = path.join(path.dirname(casePath), 'logs');
    const full = readFileSync(path.join(logs, 'access.log.0'), 'utf8');
    writeFileSync(path.join(logs, 'access.log.0.bak'), `${full.split('\n').slice(0, 300).join('\n')}\n`);
    const shardOf = (n: number, f: string) => Number.parseInt(createHash('sha256').update(readFileSync(path.join(logs, f))).digest('hex').slice(0, 8), 16) % n;
    const n = [2, 3, 4, 5, 6, 7].find((k) => shardOf(k, 'access.log.0') !== shardOf(k, 'access.log.0.bak'))!;
    const dir = path.join(tempDir(), 'set');
    for (let i = 1; i <= n; i++) {
      const r = runCli(['ingest', casePath, '--shard', `${i}/${n}`, '--parquet', dir, '--db', path.join(dir, '..', `db${i}`)]);
      assert.equal(r.code, 0, r.stderr);
    }
    const union = analyzeJson(casePath, ['--engine', 'clickhouse', '--events', dir, '--db', path.join(dir, '..', 'union')]);
    const single = analyzeJson(casePath, ['--db', path.join(dir, '..', 'single')]);
    assert.ok(single.summary.unauthorized_accesses > 0);
    assert.deepEqual(figures(union), figures(single));
  });

  test('when the case holds a file the Parquet set does not then analyze --events exits 2 naming it', () => {
    const casePath = generatedCase(3, 2, 20);
    const dir = path.join(tempDir(), 'set');
    assert.equal(runCli(['ingest', casePath, '--parquet', dir, '--db', path.join(dir, '..', 'db1')]).code, 0);
    writeFileSync(path.join(path.dirname(casePath), 'logs', 'access.log.9'), readFileSync(path.join(path.dirname(casePath), 'logs', 'access.log.0'), 'utf8').replaceAll('"r0-', '"r9-'));
    const r = runCli(['analyze', casePath, '--engine', 'clickhouse', '--events', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /does not hold a file of the case as it is now: logs\/access\.log\.9 \(web\)/);
  });

  test('when a log is rewritten and written again into the same Parquet folder then only its current content is counted', () => {
    const casePath = generatedCase(9, 1, 400);
    const log = path.join(path.dirname(casePath), 'logs', 'access.log.0');
    const dir = path.join(tempDir(), 'set');
    const db = path.join(dir, '..', 'db');
    assert.equal(runCli(['ingest', casePath, '--parquet', dir, '--db', db]).code, 0);
    // Rewritten in place (not appended to): the earlier content's Parquet stays in the folder under the same path.
    writeFileSync(log, readFileSync(log, 'utf8').split('\n').slice(100).join('\n'));
    assert.equal(runCli(['ingest', casePath, '--parquet', dir, '--db', db]).code, 0);
    const union = analyzeJson(casePath, ['--engine', 'clickhouse', '--events', dir, '--db', path.join(dir, '..', 'after')]);
    const single = analyzeJson(casePath, ['--db', path.join(dir, '..', 'single')]);
    assert.ok(single.summary.unauthorized_accesses > 0);
    assert.deepEqual(figures(union), figures(single));
  });

  test('when one shard of the set is missing then analyze refuses with exit 2 naming the shards found', () => {
    const casePath = generatedCase(3, 2, 20);
    const dir = path.join(tempDir(), 'set');
    assert.equal(runCli(['ingest', casePath, '--shard', '1/2', '--parquet', dir, '--db', path.join(dir, '..', 'db1')]).code, 0);
    const r = runCli(['analyze', casePath, '--engine', 'clickhouse', '--events', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /not one complete set \(found 1\/2\)/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('ingest --shard', () => {
  test('when --shard is not I/N with 1 <= I <= N then ingest exits 2 with the form to use', () => {
    const casePath = generatedCase(3, 1, 5);
    for (const bad of ['0/3', '4/3', '1-3', 'x']) {
      const r = runCli(['ingest', casePath, '--shard', bad, '--parquet', tempDir()]);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /is not a shard/);
    }
  });

  test('when --shard is given without --parquet then ingest exits 2 saying why', () => {
    const r = runCli(['ingest', generatedCase(3, 1, 5), '--shard', '1/2']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--shard needs --parquet DIR/);
  });
});

describe('analyze --engine clickhouse without chdb', () => {
  test('when chdb is not installed then analyze exits 2 naming the command that installs it, with no stack trace', () => {
    // A copy of the built CLI whose node_modules holds every package but chdb.
    const root = tempDir();
    for (const name of ['dist', 'queries']) cpSync(path.join(ROOT, name), path.join(root, name), { recursive: true });
    cpSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
    mkdirSync(path.join(root, 'node_modules'));
    for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
      if (name !== 'chdb' && name !== '@chdb') symlinkSync(path.join(ROOT, 'node_modules', name), path.join(root, 'node_modules', name));
    }
    const r = spawnSync(process.execPath, [path.join(root, 'dist', 'src', 'cli', 'main.js'), 'analyze', copySample('ticketviewer'), '--engine', 'clickhouse'], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /needs the chdb package, which is not installed/);
    assert.match(r.stderr, /npm run setup:clickhouse/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
