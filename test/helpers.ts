import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The built CLI: `npm test` builds first (pretest), as `npm ci` does for `npx breachscope`. */
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
export const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'real-logs');
/** Published schema definitions (ECS, OCSF) the exports are checked against; beside the clone, like the corpus. */
export const SCHEMAS = path.resolve(ROOT, '..', 'shared', 'schemas');

/** A copy of a bundled sample case (without its store); returns the case file's path. */
export function copySample(name: string): string {
  const dir = path.join(tempDir(), name);
  cpSync(path.join(ROOT, 'sample-logs', name), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
  return path.join(dir, 'case.yaml');
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as `npx breachscope` does. */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
    // A child that hangs fails its test (status null, -1) instead of stalling the whole run.
    timeout: 300_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function spawnCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
}

export function tempDir(prefix = 'bs-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes files under `dir` (creating folders); `.gz` names are gzipped; Buffers are written as is. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    mkdirSync(path.dirname(full), { recursive: true });
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    writeFileSync(full, name.endsWith('.gz') && typeof content === 'string' ? gzipSync(bytes) : bytes);
  }
}

/** A case folder with a case.yaml and the given files; returns the case file's path. */
export function makeCase(yaml: string, files: Record<string, string | Buffer> = {}): string {
  const dir = tempDir();
  writeFiles(dir, { ...files, 'case.yaml': yaml });
  return path.join(dir, 'case.yaml');
}

export interface AnalyzeJson {
  case: string;
  window: { from: string | null; to: string | null };
  summary: {
    unauthorized_accesses: number;
    documents: number;
    unique_ips: number;
    affected_subjects: number;
    accounts: number;
    anonymous_accesses: number;
    first_access: string | null;
    last_access: string | null;
  };
  ingest: { lines: number; events: number; rejected_lines: number; files: { path: string; lines: number; rejected: number; sha256: string; format: string }[] };
  detectors: { id: string; findings: number | null; error: string | null; counts_as: string; line: number | null }[];
}

/** `analyze --json`, asserting exit 0 and exactly one JSON object on stdout. */
export function analyzeJson(casePath: string, extra: readonly string[] = []): AnalyzeJson {
  const r = runCli(['analyze', casePath, '--json', ...extra]);
  if (r.code !== 0) throw new Error(`analyze exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as AnalyzeJson;
}

/** One combined log line; `time` like 16/Mar/2015:10:00:00 +0000. */
export function combinedLine(o: { ip?: string; user?: string; time: string; method?: string; path: string; status?: number; bytes?: number | string; ua?: string; referer?: string }): string {
  return `${o.ip ?? '203.0.113.7'} - ${o.user ?? '-'} [${o.time}] "${o.method ?? 'GET'} ${o.path} HTTP/1.1" ${o.status ?? 200} ${o.bytes ?? 1234} "${o.referer ?? '-'}" "${o.ua ?? 'Mozilla/5.0'}"`;
}
