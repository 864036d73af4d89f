import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { EXIT, UserError } from '../../util/user-error.js';
import { chQuote, MACROS, macroName, SETTINGS } from './clickhouse-dialect.js';
import { firstLine } from './clickhouse-location.js';
import { onlyRow, type ChRow, type ClickHouse, type TransferFormat } from './clickhouse.js';

/**
 * The oldest server the engine runs on: 24.8 brought the `use_hive_partitioning` setting that
 * SETTINGS sends with every query (a server rejects a query carrying a setting it does not know);
 * Parquet, ASOF JOIN, SQL functions, formatQuerySingleLine and `session_timezone` are older.
 */
export const MIN_SERVER_VERSION = [24, 8] as const;

/** Error codes of a refused login: AUTHENTICATION_FAILED, UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD. */
const AUTH_CODES = new Set(['516', '192', '193', '194']);

/** Long queries are normal at scale: a request waits as long as the server works on it. */
const REQUEST_TIMEOUT_MS = 24 * 3_600_000;
const PING_TIMEOUT_MS = 15_000;

interface Target {
  /** The URL without user, password or parameters: safe to show. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/** `--clickhouse-url` parsed; the user and password come from it or from CLICKHOUSE_USER / CLICKHOUSE_PASSWORD. */
export function serverTarget(raw: string, env: NodeJS.ProcessEnv = process.env): Target {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError({ what: '--clickhouse-url is not a URL', help: 'give it as http://host:8123 or https://host:8443 (user and password in the URL or in CLICKHOUSE_USER / CLICKHOUSE_PASSWORD)' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UserError({ what: `--clickhouse-url must be http:// or https:// (found ${u.protocol})`, help: 'give the HTTP interface of the server, as http://host:8123 or https://host:8443' });
  }
  const decoded = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new UserError({ what: `--clickhouse-url: the ${what} holds a % not followed by two hex digits`, help: `write % as %25 in the URL, or give the ${what} in CLICKHOUSE_${what === 'user' ? 'USER' : 'PASSWORD'}` });
    }
  };
  const username = decoded(u.username, 'user') || env.CLICKHOUSE_USER || 'default';
  const password = decoded(u.password, 'password') || env.CLICKHOUSE_PASSWORD || '';
  return { url: `${u.protocol}//${u.host}${u.pathname}`, username, password };
}

/**
 * A ClickHouse server (or a cluster's node) over HTTP(S) through @clickhouse/client. The run's
 * tables live in a fresh database `breachscope_<random>`, dropped when the run ends, fails or is
 * interrupted; every query carries SETTINGS; the macros are server-wide functions, created once.
 */
export class ClickHouseServer implements ClickHouse {
  private closed = false;
  private readonly onSignal = (): void => {
    void this.close().finally(() => process.exit(130));
  };

  private constructor(
    private readonly admin: ClickHouseClient,
    private readonly client: ClickHouseClient,
    readonly database: string,
    private readonly dir: string,
  ) {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  static async open(url: string): Promise<ClickHouseServer> {
    const target = serverTarget(url);
    const config = {
      url: target.url,
      username: target.username,
      password: target.password,
      application: 'breachscope',
      request_timeout: REQUEST_TIMEOUT_MS,
      // Progress headers keep a long query's connection alive through load balancers' idle timeouts.
      clickhouse_settings: { ...SETTINGS, send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '60000' } as ClickHouseSettings,
      // Failures reach the person as breachscope's own messages, never the client's log lines.
      log: { level: ClickHouseLogLevel.OFF },
    };
    const admin = createClient(config);
    try {
      await checkServer(admin, target.url);
      await createMacros(admin);
      const database = `breachscope_${randomBytes(8).toString('hex')}`;
      await admin.command({ query: `CREATE DATABASE ${database}` });
      const dir = mkdtempSync(path.join(tmpdir(), 'breachscope-clickhouse-'));
      return new ClickHouseServer(admin, createClient({ ...config, database }), database, dir);
    } catch (e) {
      await admin.close();
      throw e;
    }
  }

  async run(sql: string): Promise<void> {
    await this.call(() => this.client.command({ query: sql }));
  }

  async all<T extends ChRow = ChRow>(sql: string): Promise<T[]> {
    return this.call(async () => (await this.client.query({ query: sql, format: 'JSONEachRow' })).json<T>());
  }

  async one<T extends ChRow = ChRow>(sql: string): Promise<T> {
    return onlyRow(await this.all<T>(sql));
  }

  async upload(table: string, file: string, format: TransferFormat): Promise<void> {
    await this.call(() => this.client.insert({ table, values: createReadStream(file), format }));
  }

  async download(select: string, file: string, format: TransferFormat): Promise<void> {
    await this.call(async () => {
      const result = await this.client.exec({ query: `${select} FORMAT ${format}` });
      await pipeline(result.stream, createWriteStream(file));
    });
  }

  tempPath(name: string): string {
    return path.join(this.dir, name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    try {
      await this.admin.command({ query: `DROP DATABASE IF EXISTS ${this.database} SYNC` });
    } catch (e) {
      process.stderr.write(`warning: the temporary database ${this.database} could not be dropped on the ClickHouse server (${firstLine(e)}): drop it by hand\n`);
    }
    await Promise.allSettled([this.client.close(), this.admin.close()]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A server's own error (bad SQL, a detector that fails) passes as it is; a lost connection is a runtime error. */
  private async call<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof ClickHouseError) throw e;
      throw new UserError({ what: 'the connection to the ClickHouse server failed during the run', why: firstLine(e), help: 'check the server and the network, then run again' }, EXIT.runtime);
    }
  }
}

/** Reachable, credentials accepted, recent enough: each refused with its own message. */
async function checkServer(admin: ClickHouseClient, shown: string): Promise<void> {
  const ping = await admin.ping({ select: false, abort_signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
  if (!ping.success) {
    throw new UserError(
      { what: `cannot reach the ClickHouse server at ${shown}`, why: firstLine(ping.error), help: 'check the host and port of --clickhouse-url (the HTTP interface: 8123, or 8443 with TLS) and that the server runs' },
      EXIT.runtime,
    );
  }
  let version: string;
  try {
    version = String(onlyRow(await (await admin.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>()).v);
  } catch (e) {
    if (e instanceof ClickHouseError && AUTH_CODES.has(String(e.code))) {
      throw new UserError({
        what: `the ClickHouse server at ${shown} refused the login`,
        why: 'authentication failed: wrong user name or password',
        help: 'give the user and password in the URL (http://user:password@host:8123) or in CLICKHOUSE_USER and CLICKHOUSE_PASSWORD',
      });
    }
    throw new UserError({ what: `the ClickHouse server at ${shown} did not answer a first query`, why: firstLine(e), help: 'check that --clickhouse-url is the HTTP interface of a ClickHouse server' }, EXIT.runtime);
  }
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor, needMinor] = MIN_SERVER_VERSION;
  if (major < needMajor || (major === needMajor && minor < needMinor)) {
    throw new UserError({
      what: `the ClickHouse server at ${shown} runs version ${version}; breachscope needs ${needMajor}.${needMinor} or later`,
      why: `every query carries the use_hive_partitioning setting, which ClickHouse ${needMajor}.${needMinor} introduced`,
      help: 'upgrade the server, or run in-process (leave out --clickhouse-url)',
    });
  }
}

/**
 * The macros as server-wide functions: created when missing; one that exists with another body
 * (another breachscope version, or someone else's function of that name) stops the run, since its
 * figures would not be breachscope's.
 */
async function createMacros(admin: ClickHouseClient): Promise<void> {
  for (const [duckdbName, body] of Object.entries(MACROS)) {
    const name = macroName(duckdbName);
    const create = `CREATE FUNCTION ${name} AS ${body}`;
    await admin.command({ query: `CREATE FUNCTION IF NOT EXISTS ${name} AS ${body}` });
    const rows = await (
      await admin.query({
        query: `SELECT create_query = formatQuerySingleLine(${chQuote(create)}) AS same FROM system.functions WHERE name = ${chQuote(name)}`,
        format: 'JSONEachRow',
      })
    ).json<{ same: number | boolean }>();
    if (rows.length === 1 && !Number(rows[0]!.same)) {
      throw new UserError(
        {
          what: `the ClickHouse server already has a function ${name} with another body than breachscope's`,
          why: 'breachscope creates its SQL functions as breachscope_*; this one was made by another version of breachscope or by someone else',
          help: `if no other breachscope run uses the server, drop it (DROP FUNCTION ${name}) and run again`,
        },
        EXIT.runtime,
      );
    }
  }
}
