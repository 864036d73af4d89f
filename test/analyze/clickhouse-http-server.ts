/*
 * A stand-in ClickHouse server for the tests of `--clickhouse-url`: the part of ClickHouse's HTTP
 * interface that @clickhouse/client uses, answered by an in-process chdb Session. No real server
 * can be installed on the CI machine (Debian's clickhouse-server is 18.16: no Parquet, no ASOF), so
 * this tests the remote path (client, settings per query, temporary database, uploads, downloads,
 * errors) against the ClickHouse engine itself, on one node.
 *
 * Run as a process (the CLI tests block their own event loop while the CLI runs):
 *   node --import tsx test/analyze/clickhouse-http-server.ts --password P [--log FILE] [--pretend-version V]
 * prints `listening PORT` once it listens on 127.0.0.1.
 *
 * Speaks: GET /ping; POST / with the query in the body, or in the `query` parameter with INSERT
 * data in the body; `database`; every other parameter but the client's own is a setting, applied
 * for that query only; `default_format` or a trailing FORMAT; Basic, X-ClickHouse-User/Key or
 * user/password parameters; errors as `Code: N. DB::Exception: ...` with X-ClickHouse-Exception-Code.
 */
import { createWriteStream, mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

interface ChdbResult {
  bytes(): Uint8Array;
}
interface ChdbSession {
  queryAsync(sql: string, opts?: { format?: string }): Promise<ChdbResult>;
  close(): void;
}

/** URL parameters that are the client's, not settings. */
const NOT_SETTINGS = new Set(['query', 'database', 'default_format', 'query_id', 'session_id', 'role', 'user', 'password', 'default_format']);
/** Settings of the HTTP layer itself, which a session does not take. */
const HTTP_ONLY = new Set(['enable_http_compression', 'wait_end_of_query', 'send_progress_in_http_headers', 'http_headers_progress_interval_ms', 'http_wait_end_of_query']);

const quote = (v: string) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const ident = (v: string) => `\`${v.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;

interface Request {
  readonly database: string;
  readonly settings: [string, string][];
  readonly query: string;
  /** The INSERT data, when the query came as a parameter. */
  readonly data?: IncomingMessage;
}

class Shim {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'breachscope-shim-'));
  private readonly session: ChdbSession;

  constructor(private readonly o: { user: string; password: string; log?: string; version?: string }) {
    const chdb = createRequire(path.join(process.cwd(), 'package.json'))('chdb') as { Session: new (dir: string) => ChdbSession };
    this.session = new chdb.Session(path.join(this.dir, 'data'));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/ping') return void res.end('Ok.\n');
    if (!this.authorized(req, url)) {
      return fail(res, 401, 516, `${this.o.user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`);
    }
    const params = [...url.searchParams.entries()];
    const settings = params.filter(([k]) => !NOT_SETTINGS.has(k) && !k.startsWith('param_') && !HTTP_ONLY.has(k));
    const inUrl = url.searchParams.get('query');
    const request: Request = inUrl === null
      ? { database: url.searchParams.get('database') ?? 'default', settings, query: await text(req) }
      : { database: url.searchParams.get('database') ?? 'default', settings, query: inUrl, data: req };
    if (this.o.log) appendFileSync(this.o.log, `${JSON.stringify({ database: request.database, settings: Object.fromEntries(settings), query: request.query.slice(0, 200) })}\n`);
    const run = this.queue.then(() => this.execute(request, url.searchParams.get('default_format') ?? 'TabSeparated'));
    this.queue = run.catch(() => undefined);
    try {
      const { body, format } = await run;
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Query-Id': url.searchParams.get('query_id') ?? '',
        'X-ClickHouse-Timezone': 'UTC',
        'X-ClickHouse-Summary': JSON.stringify({ read_rows: '0', read_bytes: '0', written_rows: '0', written_bytes: '0', total_rows_to_read: '0', result_rows: '0', result_bytes: '0', elapsed_ns: '0' }),
      });
      res.end(body);
    } catch (e) {
      const message = (e as Error).message;
      const code = /^Code: (\d+)\./.exec(message)?.[1] ?? '1001';
      fail(res, 500, Number(code), message.replace(/^Code: \d+\. DB::Exception: /, ''));
    }
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    let user = req.headers['x-clickhouse-user'] ?? url.searchParams.get('user') ?? 'default';
    let password = req.headers['x-clickhouse-key'] ?? url.searchParams.get('password') ?? '';
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) [user, password] = splitOnce(Buffer.from(basic[1]!, 'base64').toString('utf8'));
    return user === this.o.user && password === this.o.password;
  }

  /** Runs one request in its database with its settings, which are reset afterwards. */
  private async execute(r: Request, defaultFormat: string): Promise<{ body: Uint8Array; format: string }> {
    await this.session.queryAsync(`USE ${ident(r.database)}`);
    for (const [k, v] of r.settings) await this.session.queryAsync(`SET ${ident(k)} = ${/^-?[0-9]+$/.test(v) ? v : quote(v)}`);
    try {
      if (r.data !== undefined) return { body: await this.insert(r.query, r.data), format: 'TabSeparated' };
      let query = r.query.trim().replace(/;\s*$/, '');
      if (this.o.version) query = query.replace(/\bversion\(\)/g, quote(this.o.version));
      const m = /\sFORMAT\s+(\w+)\s*$/i.exec(query);
      const format = m ? m[1]! : defaultFormat;
      if (m) query = query.slice(0, m.index);
      return { body: (await this.session.queryAsync(query, { format })).bytes(), format };
    } finally {
      for (const [k] of r.settings) await this.session.queryAsync(`SET ${ident(k)} = DEFAULT`);
    }
  }

  /** `INSERT INTO t FORMAT F` with the rows in the body: the body goes to a file that chdb reads. */
  private async insert(query: string, data: IncomingMessage): Promise<Uint8Array> {
    const m = /^\s*INSERT\s+INTO\s+(.+?)\s+FORMAT\s+(\w+)\s*$/is.exec(query);
    if (!m) throw new Error(`Code: 62. DB::Exception: this test server takes INSERT data only as INSERT INTO t FORMAT F, not: ${query.slice(0, 80)} (SYNTAX_ERROR)`);
    const file = path.join(this.dir, `insert-${process.hrtime.bigint()}.${m[2]}`);
    await pipeline(data, createWriteStream(file));
    try {
      await this.session.queryAsync(`INSERT INTO ${m[1]} SELECT * FROM file(${quote(file)}, ${m[2]})`);
    } finally {
      rmSync(file, { force: true });
    }
    return new Uint8Array();
  }

  close(): void {
    this.session.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function splitOnce(s: string): [string, string] {
  const i = s.indexOf(':');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function fail(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': String(code) });
  res.end(`Code: ${code}. DB::Exception: ${message} (version shim)\n`);
}

const { values } = parseArgs({ options: { password: { type: 'string', default: '' }, user: { type: 'string', default: 'default' }, log: { type: 'string' }, 'pretend-version': { type: 'string' } } });
const shim = new Shim({ user: values.user!, password: values.password!, log: values.log, version: values['pretend-version'] });
const server = createServer((req, res) => void shim.handle(req, res));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
const stop = () => server.close(() => {
  shim.close();
  process.exit(0);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
