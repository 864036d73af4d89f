import { closeSync, lstatSync, mkdtempSync, readdirSync, readSync, rmSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RecordBatchReader } from 'apache-arrow';
import { z } from 'zod';
import { quoteString } from '../db/sql.js';
import { Store } from '../db/store.js';
import { EVIDENCE_COLUMNS, MANIFEST, PACK_FILES, SIGNATURE, manifestText, sha256, type Manifest } from './evidence-pack.js';
import type { PublicKey } from './minisign.js';
import { checkPackSignature } from './sign-pack.js';
import { hashFd } from '../util/hash-file.js';
import { checkPackFile, kindOf, openRegular } from './pack-file.js';
import { checkNotices, isNoticeOutput } from './verify-notices.js';
import { NOTICES_DIR } from './notice-files.js';

/**
 * What `verify` checks in an evidence pack. The manifest is read as hostile: only the pack's own
 * file names are opened, each only if it is a regular file directly in the folder (lstat, no link
 * followed, a FIFO or device never opened), and its figures must agree with the rows of every
 * evidence file, so that rows dropped with all hashes recomputed still show.
 */

export type ProblemKind = 'changed' | 'missing' | 'extra' | 'unlisted' | 'foreign' | 'not-file' | 'invalid' | 'differs' | 'unsigned' | 'signature';

export interface Problem {
  readonly kind: ProblemKind;
  readonly file: string;
  readonly detail?: string;
}

/** `signature`: the trusted comment of a signature checked with --pubkey; 'not checked' when the pack is signed and no key was given. */
export type VerifyResult = { readonly pack: false } | { readonly pack: true; readonly problems: readonly Problem[]; readonly signature?: { readonly trustedComment: string } | 'not checked' };

const DATA_FILES = PACK_FILES.filter((f) => f !== MANIFEST && f !== SIGNATURE);
/** A minisign signature is four short lines. */
const MAX_SIGNATURE_BYTES = 64 * 1024;
/** A manifest this large is not one breachscope wrote (one line per input file). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const sha256Text = z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 in hex');
const count = z.number().int().nonnegative();
const isoOrNull = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'not an ISO 8601 UTC time').nullable();

const ManifestShape = z.object({
  tool: z.object({ name: z.literal('breachscope'), version: z.string(), duckdb: z.string() }),
  case: z.object({ title: z.string(), path: z.string(), sha256: sha256Text }),
  generated_at: z.string(),
  figures: z.object({
    unauthorized_accesses: count,
    documents: count,
    unique_ips: count,
    affected_subjects: count,
    accounts: count,
    anonymous_accesses: count,
    first_access: isoOrNull,
    last_access: isoOrNull,
    subjects_from: z.enum(['subjects file', 'owner accounts']),
  }),
  inputs: z.array(z.object({ role: z.string(), path: z.string().min(1), sha256: sha256Text, bytes: count.optional() })),
  outputs: z.array(z.object({ path: z.string(), sha256: sha256Text, bytes: count })),
  self_sha256: sha256Text,
  command: z.array(z.string()).optional(),
  detectors: z.array(z.object({
    id: z.string(),
    file: z.string(),
    sql_sha256: sha256Text.nullable(),
    params: z.record(z.string(), z.union([z.number(), z.string()])).nullable(),
    findings: count.nullable(),
    error: z.string().nullable(),
  })).optional(),
});

function readManifest(file: string): { text: string; bytes: Buffer } | { problem: Problem } {
  const opened = openRegular(file, false);
  if ('why' in opened) return { problem: { kind: 'not-file', file: MANIFEST, detail: `${opened.why}; not read` } };
  try {
    if (opened.stat.size > MAX_MANIFEST_BYTES) return { problem: { kind: 'invalid', file: MANIFEST, detail: `${opened.stat.size} bytes: too large to be a manifest` } };
    const buffer = Buffer.alloc(opened.stat.size);
    let at = 0;
    while (at < buffer.length) {
      const n = readSync(opened.fd, buffer, at, buffer.length - at, null);
      if (n === 0) break;
      at += n;
    }
    return { text: buffer.subarray(0, at).toString('utf8'), bytes: buffer.subarray(0, at) };
  } finally {
    closeSync(opened.fd);
  }
}

/** The figures an evidence file's rows give, in the manifest's terms. */
interface RowFigures {
  readonly rows: number;
  readonly documents: number;
  readonly unique_ips: number;
  readonly accounts: number;
  readonly anonymous_accesses: number;
  readonly first_access: string | null;
  readonly last_access: string | null;
}

/** Over a relation with event_time (ISO text), client_ip, account and document. */
const FIGURES_SQL = (relation: string) => `
SELECT count(*) AS rows, count(DISTINCT document) AS documents, count(DISTINCT client_ip) AS unique_ips,
  count(DISTINCT account) AS accounts, count(*) FILTER (WHERE account IS NULL) AS anonymous_accesses,
  min(event_time) AS first_access, max(event_time) AS last_access
FROM (${relation})`;

/** Undoes the CSV's formula guard (a quote put before a cell that needed one, or began with one). */
const unguarded = (column: string) => `CASE WHEN starts_with(${column}, '''') THEN ${column}[2:] ELSE ${column} END`;

const csvSource = (file: string) => `read_csv(${quoteString(file)}, header = true, all_varchar = true, quote = '"', escape = '"', delim = ',', allow_quoted_nulls = false)`;

async function columnsOf(store: Store, relation: string): Promise<string[]> {
  return (await store.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${relation}`)).map((r) => r.column_name);
}

function checkColumns(columns: readonly string[]): void {
  if (columns.join(',') !== EVIDENCE_COLUMNS.join(',')) throw new Error(`its columns are ${columns.join(', ')}, not the evidence columns`);
}

async function csvFigures(store: Store, file: string): Promise<RowFigures> {
  checkColumns(await columnsOf(store, csvSource(file)));
  const cols = ['event_time', 'client_ip', 'account', 'document'].map((c) => `${unguarded(c)} AS ${c}`).join(', ');
  return store.one<RowFigures & Record<string, number>>(FIGURES_SQL(`SELECT ${cols} FROM ${csvSource(file)}`));
}

async function parquetFigures(store: Store, file: string): Promise<RowFigures> {
  const source = `read_parquet(${quoteString(file)})`;
  checkColumns(await columnsOf(store, source));
  return store.one<RowFigures & Record<string, number>>(FIGURES_SQL(`SELECT event_time::VARCHAR AS event_time, client_ip, account, document FROM ${source}`));
}

/** Reads the Arrow file a record batch at a time into DuckDB (only the four columns the figures need). */
async function arrowFigures(store: Store, file: string): Promise<RowFigures> {
  await store.run('CREATE OR REPLACE TEMP TABLE arrow_rows (event_time VARCHAR, client_ip VARCHAR, account VARCHAR, document VARCHAR)');
  const names = ['event_time', 'client_ip', 'account', 'document'] as const;
  // A file handle, not a stream: the IPC file format is read from its footer, batch by batch,
  // where a stream would be buffered whole (an 800 MB file took 2 GB).
  const handle = await open(file, 'r');
  try {
    await readArrowInto(store, handle, names);
  } finally {
    await handle.close();
  }
  return store.one<RowFigures & Record<string, number>>(FIGURES_SQL('SELECT * FROM arrow_rows'));
}

async function readArrowInto(store: Store, handle: FileHandle, names: readonly string[]): Promise<void> {
  const reader = await RecordBatchReader.from(handle);
  for await (const batch of reader) {
    checkColumns(batch.schema.fields.map((f) => f.name));
    const columns = names.map((n) => batch.getChild(n)!);
    await store.appendText('arrow_rows', (function* () {
      for (let i = 0; i < batch.numRows; i++) {
        yield columns.map((c, j) => {
          const v: unknown = c.get(i);
          if (v === null || v === undefined) return null;
          return j === 0 ? new Date(Number(v)).toISOString().replace('.000Z', 'Z') : String(v);
        });
      }
    })());
  }
}

async function subjectRows(store: Store, file: string): Promise<number> {
  const r = await store.one<{ n: number }>(`SELECT count(*) AS n FROM read_csv(${quoteString(file)}, header = true, all_varchar = true, quote = '"', escape = '"', delim = ',')`);
  return r.n;
}

/** Seconds precision: the evidence files write times to the second. */
const second = (t: string | null) => (t === null ? null : `${t.slice(0, 19)}Z`);

function disagreements(f: Manifest['figures'], rows: RowFigures): string[] {
  const pairs: [string, unknown, unknown, string][] = [
    ['unauthorized_accesses', f.unauthorized_accesses, rows.rows, 'rows'],
    ['documents', f.documents, rows.documents, 'distinct documents'],
    ['unique_ips', f.unique_ips, rows.unique_ips, 'distinct client IPs'],
    ['accounts', f.accounts, rows.accounts, 'distinct accounts'],
    ['anonymous_accesses', f.anonymous_accesses, rows.anonymous_accesses, 'rows without an account'],
    ['first_access', second(f.first_access), second(rows.first_access), 'earliest event_time'],
    ['last_access', second(f.last_access), second(rows.last_access), 'latest event_time'],
  ];
  return pairs.filter(([, a, b]) => a !== b).map(([name, a, b, what]) => `${name} is ${String(a)} in the manifest; the file has ${String(b)} ${what}`);
}

async function crossCheck(dir: string, figures: Manifest['figures'], readable: ReadonlySet<string>): Promise<Problem[]> {
  const problems: Problem[] = [];
  const store = await Store.memory();
  const spill = mkdtempSync(path.join(tmpdir(), 'breachscope-verify-'));
  try {
    await store.run(`SET temp_directory = ${quoteString(spill)}`);
    const evidence: [string, (s: Store, f: string) => Promise<RowFigures>][] = [
      ['evidence.csv', csvFigures],
      ['evidence.parquet', parquetFigures],
      ['evidence.arrow', arrowFigures],
    ];
    for (const [name, figuresOf] of evidence) {
      if (!readable.has(name)) continue;
      try {
        for (const d of disagreements(figures, await figuresOf(store, path.join(dir, name)))) problems.push({ kind: 'differs', file: name, detail: d });
      } catch (e) {
        problems.push({ kind: 'differs', file: name, detail: `cannot be read as evidence: ${(e as Error).message.split('\n')[0]}` });
      }
    }
    if (readable.has('subjects.csv')) {
      try {
        const n = await subjectRows(store, path.join(dir, 'subjects.csv'));
        if (n !== figures.affected_subjects) problems.push({ kind: 'differs', file: 'subjects.csv', detail: `affected_subjects is ${figures.affected_subjects} in the manifest; the file has ${n} rows` });
      } catch (e) {
        problems.push({ kind: 'differs', file: 'subjects.csv', detail: `cannot be read as CSV: ${(e as Error).message.split('\n')[0]}` });
      }
    }
  } finally {
    store.close();
    rmSync(spill, { recursive: true, force: true });
  }
  return problems;
}

/** Re-hashes the case's inputs named in the manifest; their paths are relative to the case file's folder. */
export function checkInputs(manifest: Manifest, caseDir: string): Problem[] {
  const problems: Problem[] = [];
  for (const input of manifest.inputs) {
    const file = path.resolve(caseDir, input.path);
    const detail = (what: string) => `input (${input.role}): ${what}`;
    let stat: Stats;
    try {
      stat = statSync(file);
    } catch {
      problems.push({ kind: 'missing', file: input.path, detail: detail(`not found at ${file}`) });
      continue;
    }
    // A log file may be a symbolic link (the ingest followed it too), never a FIFO or device.
    const opened = stat.isFile() ? openRegular(file, true) : { why: kindOf(stat) };
    if ('why' in opened) {
      problems.push({ kind: 'not-file', file: input.path, detail: detail(`${opened.why}; not read`) });
      continue;
    }
    try {
      // A log hashed at ingest may have grown since: the bytes the report read are its first `bytes`.
      const got = hashFd(opened.fd, input.bytes);
      if (got.sha256 !== input.sha256 || (input.bytes !== undefined && got.bytes !== input.bytes)) {
        problems.push({ kind: 'changed', file: input.path, detail: detail(input.bytes !== undefined && got.bytes < input.bytes ? `${got.bytes} bytes now, ${input.bytes} when reported` : 'its SHA-256 differs from the manifest\'s') });
      }
    } finally {
      closeSync(opened.fd);
    }
  }
  return problems;
}

export interface VerifyOptions {
  /** The case file: its inputs are hashed again too. */
  readonly caseDir?: string;
  /** The signer's public key: manifest.json.minisig must be there and be its valid signature of manifest.json. */
  readonly publicKey?: PublicKey;
}

/** Reads the signature file as hostile input: a regular file, directly in the folder, of a signature's size. */
function readSignature(file: string): { text: string } | { problem: Problem } | undefined {
  try {
    lstatSync(file);
  } catch {
    return undefined;
  }
  const opened = openRegular(file, false);
  if ('why' in opened) return { problem: { kind: 'not-file', file: SIGNATURE, detail: `${opened.why}; not read` } };
  try {
    if (opened.stat.size > MAX_SIGNATURE_BYTES) return { problem: { kind: 'signature', file: SIGNATURE, detail: `${opened.stat.size} bytes: not a minisign signature` } };
    const buffer = Buffer.alloc(opened.stat.size);
    const n = readSync(opened.fd, buffer, 0, buffer.length, null);
    return { text: buffer.subarray(0, n).toString('utf8') };
  } finally {
    closeSync(opened.fd);
  }
}

/** Every check of a pack folder; `{ pack: false }` when it has no manifest.json at all. */
export async function verifyPack(dir: string, o: VerifyOptions = {}): Promise<VerifyResult> {
  const problems: Problem[] = [];
  const own = new Set<string>(PACK_FILES);
  try {
    lstatSync(path.join(dir, MANIFEST));
  } catch {
    return { pack: false };
  }
  for (const e of readdirSync(dir).sort()) if (!own.has(e) && e !== NOTICES_DIR) problems.push({ kind: 'extra', file: e });

  let manifest: Manifest | undefined;
  let signature: { readonly trustedComment: string } | 'not checked' | undefined;
  const read = readManifest(path.join(dir, MANIFEST));
  const signed = readSignature(path.join(dir, SIGNATURE));
  if (signed !== undefined && 'problem' in signed) problems.push(signed.problem);
  else if (o.publicKey !== undefined) {
    if (signed === undefined) problems.push({ kind: 'unsigned', file: SIGNATURE, detail: 'missing: --pubkey asks for a signed pack (report --sign)' });
    else if (!('problem' in read)) {
      const check = checkPackSignature(o.publicKey, read.bytes, signed.text);
      if (check.ok) signature = { trustedComment: check.trustedComment };
      else problems.push({ kind: 'signature', file: SIGNATURE, detail: check.why });
    }
  } else if (signed !== undefined) signature = 'not checked';
  if ('problem' in read) problems.push(read.problem);
  else {
    let raw: unknown;
    try {
      raw = JSON.parse(read.text);
    } catch {
      problems.push({ kind: 'invalid', file: MANIFEST, detail: 'not JSON' });
    }
    // The manifest's own hash first, whatever its shape: a changed byte shows as such.
    const selfOk = typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      && sha256(manifestText({ ...(raw as Manifest), self_sha256: '' })) === (raw as Manifest).self_sha256 && read.text === manifestText(raw as Manifest);
    if (!selfOk) problems.push({ kind: 'changed', file: MANIFEST });
    if (raw !== undefined) {
      const parsed = ManifestShape.safeParse(raw);
      if (parsed.success) manifest = raw as Manifest;
      else for (const issue of parsed.error.issues) problems.push({ kind: 'invalid', file: MANIFEST, detail: `${issue.path.join('.') || '(the whole manifest)'}: ${issue.message}` });
    }
  }

  const { readable, notices } = checkDataFiles(dir, manifest, problems);
  if (manifest) {
    problems.push(...(await crossCheck(dir, manifest.figures, readable)));
    problems.push(...(await checkNotices(dir, notices, manifest.figures)));
    if (o.caseDir !== undefined) problems.push(...checkInputs(manifest, o.caseDir));
  }
  return { pack: true, problems, ...(signature === undefined ? {} : { signature }) };
}

/** Each data file against the manifest's outputs; the notices' outputs are returned for checkNotices. */
function checkDataFiles(dir: string, manifest: Manifest | undefined, problems: Problem[]): { readable: Set<string>; notices: Manifest['outputs'][number][] } {
  const listed = new Map<string, Manifest['outputs'][number]>();
  const notices: Manifest['outputs'][number][] = [];
  for (const output of manifest?.outputs ?? []) {
    if (isNoticeOutput(output.path)) notices.push(output);
    else if (!DATA_FILES.includes(output.path as (typeof DATA_FILES)[number])) problems.push({ kind: 'foreign', file: output.path, detail: 'listed in the manifest, but not a file of an evidence pack; not opened' });
    else if (listed.has(output.path)) problems.push({ kind: 'invalid', file: MANIFEST, detail: `${output.path} is listed twice` });
    else listed.set(output.path, output);
  }

  const readable = new Set<string>();
  for (const name of DATA_FILES) {
    const against = manifest ? { output: listed.get(name), unlisted: 'every pack lists it in manifest.json' } : undefined;
    if (checkPackFile(path.join(dir, name), name, problems, against)) readable.add(name);
  }

  return { readable, notices };
}
