// The peer tools breachscope is compared with, each run so that it must read and parse
// every line of the same file, and each checked to have counted every line: a peer that
// silently skipped lines would look fast for the wrong reason.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath, measure, tail, type Measurement } from './measure.js';

export const PEER_NAMES = ['lnav', 'lnav-ips', 'lnav-fields', 'goaccess'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export type PeerResult =
  | {
      readonly kind: 'measured';
      readonly peer: PeerName;
      readonly tool: string;
      readonly step: string;
      readonly version: string;
      readonly measurement: Measurement;
      readonly countedLines: number;
      /** lnav's value row as printed, e.g. the distinct count; undefined for GoAccess. */
      readonly resultRow: string | undefined;
    }
  | { readonly kind: 'not-installed'; readonly peer: PeerName; readonly tool: string; readonly step: string; readonly message: string }
  | { readonly kind: 'failed'; readonly peer: PeerName; readonly tool: string; readonly step: string; readonly message: string; readonly measurement: Measurement | undefined };

export interface PeerContext {
  readonly logPath: string;
  readonly lines: number;
  readonly workDir: string;
  readonly timeoutSeconds: number;
}

// count(*) makes lnav index the whole file: every line is matched against the access_log
// format's regex to find its timestamp. It does not materialise the column values, which
// lnav extracts lazily, so a second query touches every column breachscope also uses.
// The distinct count of client addresses reads one column, the one whose cardinality the `high`
// fixture raises: breachscope's ratio to it is the cardinality comparison.
export const LNAV_COUNT_SQL = ';SELECT count(*) FROM access_log';
export const LNAV_DISTINCT_IP_SQL = ';SELECT count(*), count(DISTINCT c_ip) FROM access_log';
export const LNAV_FIELDS_SQL =
  ';SELECT count(*), count(DISTINCT c_ip), count(DISTINCT cs_username), count(DISTINCT cs_uri_stem), ' +
  'count(DISTINCT cs_uri_query), sum(sc_status), sum(sc_bytes), count(DISTINCT cs_user_agent), count(DISTINCT cs_referer), ' +
  'min(log_time), max(log_time) FROM access_log';

interface PeerSpec {
  readonly tool: string;
  readonly step: string;
  readonly binary: string;
  readonly versionArgs: readonly string[];
  readonly args: (ctx: PeerContext, outDir: string) => readonly string[];
  /** Lines the tool says it parsed, or an error sentence. */
  readonly countedLines: (m: Measurement, outDir: string) => number | string;
  readonly resultRow?: (m: Measurement) => string | undefined;
}

/** lnav prints a header row and then the value row. */
function lnavValueRow(m: Measurement): string | undefined {
  const rows = readFileSync(m.stdoutPath, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const header = rows.findIndex((row) => row.startsWith('count(*)'));
  return header >= 0 ? rows[header + 1] : undefined;
}

/** count(*) is the first column of every lnav query here. */
function lnavFirstCount(m: Measurement): number | string {
  const first = lnavValueRow(m)?.split(/\s+/)[0];
  if (first === undefined || !/^\d+$/.test(first)) return `lnav printed no count; stdout: ${tail(m.stdoutPath, 500)} stderr: ${tail(m.stderrPath, 500)}`;
  return Number(first);
}

const PEERS: Readonly<Record<PeerName, PeerSpec>> = {
  lnav: {
    tool: 'lnav',
    step: 'SQL count(*)',
    binary: 'lnav',
    versionArgs: ['-V'],
    args: (ctx) => ['-n', '-c', LNAV_COUNT_SQL, ctx.logPath],
    countedLines: lnavFirstCount,
    resultRow: lnavValueRow,
  },
  'lnav-ips': {
    tool: 'lnav',
    step: 'SQL count(*), count(distinct c_ip)',
    binary: 'lnav',
    versionArgs: ['-V'],
    args: (ctx) => ['-n', '-c', LNAV_DISTINCT_IP_SQL, ctx.logPath],
    countedLines: lnavFirstCount,
    resultRow: lnavValueRow,
  },
  'lnav-fields': {
    tool: 'lnav',
    step: 'SQL all fields',
    binary: 'lnav',
    versionArgs: ['-V'],
    args: (ctx) => ['-n', '-c', LNAV_FIELDS_SQL, ctx.logPath],
    countedLines: lnavFirstCount,
    resultRow: lnavValueRow,
  },
  goaccess: {
    tool: 'goaccess',
    step: 'JSON report',
    binary: 'goaccess',
    versionArgs: ['-V'],
    args: (ctx, outDir) => [ctx.logPath, '--log-format=COMBINED', '--no-global-config', '--no-progress', '-o', join(outDir, 'report.json')],
    countedLines: (m, outDir) => {
      const report = join(outDir, 'report.json');
      if (!existsSync(report)) return `goaccess wrote no report; stderr: ${tail(m.stderrPath, 500)}`;
      const general = (JSON.parse(readFileSync(report, 'utf8')) as { general?: { total_requests?: unknown; valid_requests?: unknown; failed_requests?: unknown } }).general;
      const total = general?.total_requests;
      const valid = general?.valid_requests;
      if (typeof total !== 'number' || typeof valid !== 'number') return 'goaccess report has no general.total_requests/valid_requests';
      // A line goaccess could not parse is counted in total_requests but not in valid_requests.
      if (valid !== total) return `goaccess parsed ${valid} of ${total} lines (failed_requests ${String(general?.failed_requests)})`;
      return valid;
    },
  },
};

export function peerVersion(binary: string, args: readonly string[]): string {
  const r = spawnSync(binary, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0]?.trim() ?? '';
}

export function peerInstalled(name: PeerName): boolean {
  return findOnPath(PEERS[name].binary) !== undefined;
}

export async function runPeer(name: PeerName, ctx: PeerContext): Promise<PeerResult> {
  const spec = PEERS[name];
  const base = { peer: name, tool: spec.tool, step: spec.step };
  if (!peerInstalled(name)) {
    return { kind: 'not-installed', ...base, message: `${spec.binary}: not installed (apt-get install ${spec.binary})` };
  }
  const outDir = join(ctx.workDir, name);
  rmSync(outDir, { recursive: true, force: true });
  // A fresh HOME per run: no user config, installed formats, or session state from an
  // earlier run can change what the peer does; it runs with its shipped defaults.
  const home = join(outDir, 'home');
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TERM: 'dumb' };
  delete env['XDG_CONFIG_HOME'];
  delete env['XDG_DATA_HOME'];
  const command = [spec.binary, ...spec.args(ctx, outDir)];
  const m = await measure(command, { cwd: outDir, env, timeoutSeconds: ctx.timeoutSeconds, outPrefix: join(outDir, 'run') });
  if (m.timedOut) return { kind: 'failed', ...base, measurement: m, message: `${spec.tool} did not finish within ${ctx.timeoutSeconds} s (raise --peer-timeout)` };
  if (m.exitCode !== 0) return { kind: 'failed', ...base, measurement: m, message: `${spec.tool} exited with ${String(m.exitCode)}: ${tail(m.stderrPath, 800)}` };
  const counted = spec.countedLines(m, outDir);
  if (typeof counted === 'string') return { kind: 'failed', ...base, measurement: m, message: counted };
  if (counted !== ctx.lines) {
    return { kind: 'failed', ...base, measurement: m, message: `${spec.tool} counted ${counted} lines, expected ${ctx.lines}: it did not parse the whole file, so its time is not comparable` };
  }
  return { kind: 'measured', ...base, version: peerVersion(spec.binary, spec.versionArgs), measurement: m, countedLines: counted, resultRow: spec.resultRow?.(m) };
}
