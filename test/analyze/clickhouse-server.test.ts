import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serverEvents } from '../../src/analyze/engine/clickhouse-location.js';
import { serverTarget } from '../../src/analyze/engine/clickhouse-server.js';
import { SETTINGS } from '../../src/analyze/engine/clickhouse-dialect.js';
import { redactClickHouseUrl } from '../../src/cli/engine-option.js';
import { ROOT, analyzeJson, runCli, spawnCli, tempDir, copySample, type AnalyzeJson } from '../helpers.js';
import { chdbSkip, figures } from './clickhouse-kit.js';
import { generatedCase } from './generated-case.js';

/*
 * --clickhouse-url against a ClickHouse server: the server is clickhouse-http-server.ts, the HTTP
 * interface answered by chdb (one node, no cluster), started as its own process. The figures must
 * equal DuckDB's as they do in-process; the run leaves no database behind.
 */
const chdbMissing = chdbSkip('ClickHouse server tests');

const PASSWORD = 'pw-7f3a-secret';

interface Shim {
  readonly port: number;
  readonly log: string;
  readonly process: ChildProcess;
}

async function startShim(extra: readonly string[] = []): Promise<Shim> {
  const log = path.join(tempDir(), 'queries.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'analyze', 'clickhouse-http-server.ts'), '--password', PASSWORD, '--log', log, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`the test server exited ${code}`)));
  });
  return { port, log, process: child };
}

async function stopShim(s: Shim | undefined): Promise<void> {
  if (!s || s.process.exitCode !== null) return;
  const gone = new Promise((resolve) => s.process.once('exit', resolve));
  s.process.kill('SIGTERM');
  await gone;
}

/**
 * A query on the test server, as a person would send it with curl: on a connection of its own.
 * (fetch keeps its connection open between queries; the server closes an idle one after 5 s, and
 * while runCli blocks the event loop the client cannot see that close, so a later fetch could go
 * out on a socket the server had already closed: "other side closed".)
 */
function serverQuery(s: Shim, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: s.port, path: '/', method: 'POST', agent: false, auth: `default:${PASSWORD}` },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(text))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(sql);
  });
}

/** The case's Parquet set, written by `ingest --parquet` where the server reads it (this machine: one node). */
function parquetSet(casePath: string): string {
  const dir = path.join(path.dirname(casePath), 'set');
  const r = runCli(['ingest', casePath, '--parquet', dir, '--db', path.join(path.dirname(casePath), 'ingest-db')]);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

describe('serverEvents', () => {
  test('when --events is s3:// or https:// then the set is read with s3Cluster over the named cluster, or s3 without one', () => {
    assert.equal(serverEvents('s3://logs/case-7/', 'prod').read('source=*/day=*/*.parquet', 'Parquet'), "s3Cluster('prod', 's3://logs/case-7/source=*/day=*/*.parquet', Parquet)");
    assert.equal(serverEvents('https://minio.example/logs', undefined).read('reference/owners.parquet', 'Parquet'), "s3('https://minio.example/logs/reference/owners.parquet', Parquet)");
  });

  test('when --events is a path then the server reads it with file(), quoted', () => {
    assert.equal(serverEvents("/srv/it's/", 'prod').read('manifest-*-of-*.json', 'JSONAsString'), "file('/srv/it\\'s/manifest-*-of-*.json', JSONAsString)");
  });
});

describe('redactClickHouseUrl', () => {
  test('when a command line holds a --clickhouse-url with a password then the password is replaced, in both option forms', () => {
    assert.deepEqual(
      redactClickHouseUrl(['report', 'c.yaml', '--clickhouse-url', 'https://u:p@ss@h:8443/', '--clickhouse-url=http://u:pw@h', '--events', 'http://a:b@c']),
      ['report', 'c.yaml', '--clickhouse-url', 'https://u:***@h:8443/', '--clickhouse-url=http://u:***@h', '--events', 'http://a:b@c'],
    );
    assert.deepEqual(redactClickHouseUrl(['--clickhouse-url', 'http://h:8123']), ['--clickhouse-url', 'http://h:8123']);
  });
});

describe('serverTarget', () => {
  test('when the URL holds user and password then they are taken from it and the URL kept for messages holds neither', () => {
    const t = serverTarget('https://alice:p%40ss@ch.example:8443/?database=x', {});
    assert.deepEqual(t, { url: 'https://ch.example:8443/', username: 'alice', password: 'p@ss' });
  });

  test('when the URL holds no credentials then CLICKHOUSE_USER and CLICKHOUSE_PASSWORD are used', () => {
    assert.deepEqual(serverTarget('http://ch:8123', { CLICKHOUSE_USER: 'bob', CLICKHOUSE_PASSWORD: 'pw' }), { url: 'http://ch:8123/', username: 'bob', password: 'pw' });
  });

  test('when the password holds a % that is not an escape then the message says how to write it and does not show it', () => {
    assert.throws(
      () => serverTarget('http://alice:s3cr%zzt@ch:8123', {}),
      (e: Error) => /the password holds a % not followed by two hex digits/.test(e.message) && !e.message.includes('s3cr'),
    );
  });
});

describe('analyze --engine clickhouse --clickhouse-url', { skip: chdbMissing }, () => {
  let shim: Shim | undefined;
  const url = () => `http://default:${PASSWORD}@127.0.0.1:${shim!.port}`;
  before(async () => {
    shim = await startShim();
  });
  after(async () => stopShim(shim));

  for (const name of ['ticketviewer', 'resident-portal']) {
    test(`when sample ${name} is analyzed on a ClickHouse server then its figures equal DuckDB's and no temporary database is left`, async () => {
      const casePath = copySample(name);
      const remote = analyzeJson(casePath, ['--engine', 'clickhouse', '--clickhouse-url', url(), '--events', parquetSet(casePath)]);
      const duck = analyzeJson(casePath);
      assert.ok(duck.summary.unauthorized_accesses > 0);
      assert.deepEqual(figures(remote), figures(duck));
      assert.equal(await serverQuery(shim!, "SELECT count() FROM system.databases WHERE name LIKE 'breachscope%'"), '0\n');
    });
  }

  test('when a run works in its own database then it was created as breachscope_<random> and every query carried the dialect settings', () => {
    const entries = readFileSync(shim!.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { database: string; settings: Record<string, string>; query: string });
    const created = entries.filter((e) => /^CREATE DATABASE breachscope_[0-9a-f]{16}$/.test(e.query));
    assert.ok(created.length >= 2, 'one database per run');
    const inRun = entries.filter((e) => e.database.startsWith('breachscope_'));
    assert.ok(inRun.length > 20, 'the run\'s queries name its database');
    for (const e of entries.filter((x) => !x.query.startsWith('SELECT count() FROM system.databases'))) {
      for (const [k, v] of Object.entries(SETTINGS)) assert.equal(e.settings[k], String(v), `${k} on ${e.query.slice(0, 60)}`);
    }
    assert.ok(entries.some((e) => /^SELECT _file AS name, json AS text FROM file\(.*manifest-\*-of-\*\.json', JSONAsString\)/.test(e.query)), 'the manifests are read through the server');
    assert.ok(entries.some((e) => /^INSERT INTO client_map FORMAT Parquet/.test(e.query)), 'the client map is uploaded');
  });

  test('when a generated case (proxies, IPv6, sessions, grants, subjects, query routes) is analyzed on a server then its figures equal DuckDB\'s', () => {
    const casePath = generatedCase(7);
    // The password from CLICKHOUSE_PASSWORD, the URL without it.
    const r = runCli(['analyze', casePath, '--json', '--engine', 'clickhouse', '--clickhouse-url', `http://127.0.0.1:${shim!.port}`, '--events', parquetSet(casePath)], { env: { CLICKHOUSE_PASSWORD: PASSWORD } });
    assert.equal(r.code, 0, r.stderr);
    const remote = JSON.parse(r.stdout) as AnalyzeJson;
    assert.deepEqual(figures(remote), figures(analyzeJson(casePath)));
    assert.ok((remote.detectors.find((d) => d.id === 'document_id_enumeration')?.findings ?? 0) > 0);
  });

  test('when the evidence pack is written through a server then its evidence files are byte-identical to DuckDB\'s', () => {
    const casePath = copySample('resident-portal');
    const out = tempDir();
    const env = { SOURCE_DATE_EPOCH: '1430000000' };
    assert.equal(runCli(['report', casePath, '--out', path.join(out, 'duckdb')], { env }).code, 0);
    const r = runCli(['report', casePath, '--out', path.join(out, 'server'), '--engine', 'clickhouse', '--clickhouse-url', url(), '--events', parquetSet(casePath)], { env });
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['evidence.csv', 'evidence.parquet', 'subjects.csv', 'report.md', 'report.html']) {
      assert.ok(readFileSync(path.join(out, 'server', f)).equals(readFileSync(path.join(out, 'duckdb', f))), f);
    }
    const manifest = readFileSync(path.join(out, 'server', 'manifest.json'), 'utf8');
    assert.match(manifest, /"--clickhouse-url",\s*"http:\/\/default:\*\*\*@127\.0\.0\.1:/, 'the recorded command line keeps the URL, not its password');
    assert.doesNotMatch(manifest, new RegExp(PASSWORD));
  });

  test('when the password is wrong then analyze exits 2 saying the login was refused, showing neither password', () => {
    const casePath = copySample('ticketviewer');
    const r = runCli(['analyze', casePath, '--engine', 'clickhouse', '--clickhouse-url', `http://default:wrong-9c1e@127.0.0.1:${shim!.port}`, '--events', parquetSet(casePath)], { env: { CLICKHOUSE_PASSWORD: PASSWORD } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /refused the login/);
    assert.match(r.stderr, /wrong user name or password/);
    assert.doesNotMatch(r.stderr + r.stdout, /wrong-9c1e|pw-7f3a/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('when the location holds no Parquet set then analyze exits 2 naming it', () => {
    const casePath = copySample('ticketviewer');
    const r = runCli(['analyze', casePath, '--engine', 'clickhouse', '--clickhouse-url', url(), '--events', tempDir()]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /holds no manifest-I-of-N\.json/);
  });

  test('when the set at the location lacks a reference file then analyze exits 2 naming it, and the run\'s database is dropped', async () => {
    const casePath = copySample('ticketviewer');
    const set = parquetSet(casePath);
    rmSync(path.join(set, 'reference', 'owners.parquet'));
    const r = runCli(['analyze', casePath, '--engine', 'clickhouse', '--clickhouse-url', url(), '--events', set]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /ClickHouse cannot read reference\/owners\.parquet of the Parquet set/);
    assert.equal(await serverQuery(shim!, "SELECT count() FROM system.databases WHERE name LIKE 'breachscope%'"), '0\n');
  });

  test('when the run is interrupted with Ctrl-C while it works on the server then its database is dropped', async () => {
    const casePath = copySample('resident-portal');
    const set = parquetSet(casePath);
    const before = readFileSync(shim!.log, 'utf8').length;
    const child = spawnCli(['analyze', casePath, '--engine', 'clickhouse', '--clickhouse-url', url(), '--events', set]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupted once the run's tables are being built in its database.
    for (let i = 0; i < 600 && !readFileSync(shim!.log, 'utf8').slice(before).includes('CREATE TABLE doc_events'); i++) await sleep(100);
    assert.equal(await serverQuery(shim!, "SELECT count() FROM system.databases WHERE name LIKE 'breachscope%'"), '1\n', 'the run has its database');
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.equal(await serverQuery(shim!, "SELECT count() FROM system.databases WHERE name LIKE 'breachscope%'"), '0\n');
    assert.ok(existsSync(set));
  });

  test('when --clickhouse-url is given without --events then analyze exits 2 saying the server reads the set itself', () => {
    const r = runCli(['analyze', copySample('ticketviewer'), '--engine', 'clickhouse', '--clickhouse-url', url()]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--clickhouse-url needs --events LOCATION/);
  });
});

describe('analyze --clickhouse-url failures before the run', { skip: chdbMissing }, () => {
  test('when nothing listens at the URL then analyze exits 3 saying the server cannot be reached, with no stack trace', () => {
    const casePath = copySample('ticketviewer');
    const r = runCli(['analyze', casePath, '--engine', 'clickhouse', '--clickhouse-url', `http://default:${PASSWORD}@127.0.0.1:1`, '--events', parquetSet(casePath)]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cannot reach the ClickHouse server at http:\/\/127\.0\.0\.1:1\//);
    assert.doesNotMatch(r.stderr, new RegExp(PASSWORD));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('when the server is older than 24.8 then analyze exits 2 naming its version and the one needed', async () => {
    const old = await startShim(['--pretend-version', '23.8.2.7']);
    try {
      const casePath = copySample('ticketviewer');
      const r = runCli(['analyze', casePath, '--engine', 'clickhouse', '--clickhouse-url', `http://default:${PASSWORD}@127.0.0.1:${old.port}`, '--events', parquetSet(casePath)]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /runs version 23\.8\.2\.7; breachscope needs 24\.8 or later/);
    } finally {
      await stopShim(old);
    }
  });

  test('when --events is an s3:// location without --clickhouse-url then analyze exits 2 saying a server reads it', () => {
    const r = runCli(['analyze', copySample('ticketviewer'), '--engine', 'clickhouse', '--events', 's3://bucket/case/']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the in-process engine reads a folder of this machine/);
  });

  test('when --clickhouse-cluster is given without --clickhouse-url then analyze exits 2', () => {
    const r = runCli(['analyze', copySample('ticketviewer'), '--engine', 'clickhouse', '--clickhouse-cluster', 'prod']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--clickhouse-cluster needs --clickhouse-url/);
  });
});
