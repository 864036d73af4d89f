import { HashState } from './hash-state.js';
import { HashWorker } from './worker-digest.js';

/**
 * A file's digests as `examine` reads it: the SHA-256 of its bytes, of its content (a gzip file's
 * decompressed bytes) and of the content's prefixes. A large file is hashed in a worker thread
 * while the main thread counts its lines; a small one on the main thread, so short commands do not
 * pay for starting a worker.
 */

export interface Digests {
  readonly sha256: string;
  /** The same as sha256 for a plain file. */
  readonly contentSha256: string;
  readonly prefixSha256: ReadonlyMap<number, string>;
}

/** One file's hashing: fed the raw bytes and (gzip) the content in order, then finished once. */
export interface DigestJob {
  raw(chunk: Buffer): void;
  content(chunk: Buffer): void;
  /** A promise to wait for while the worker is behind (a bounded number of bytes in flight); undefined when it is not. */
  ready(): Promise<void> | undefined;
  finish(): Promise<Digests>;
  /** Ends the job without digests (the read failed); idempotent. */
  abort(): void;
}

export interface DigestRequest {
  readonly file: string;
  readonly gzip: boolean;
  /** Content offsets whose prefix digests are wanted. */
  readonly offsets: readonly number[];
  readonly size: number;
}

/**
 * From this size on a worker is worth starting. Measured on this project's 2-core machine (Node 20,
 * shared): a worker adds 80-90 ms before its first digest (examine of a 1 MB file: 140 ms against
 * 50 ms), the main thread hashes about 700 MB/s, and copying the chunks for the worker costs about
 * a tenth of hashing them. Tests set BREACHSCOPE_HASH_WORKER_MIN_BYTES to use it on small files.
 */
const DEFAULT_MIN_BYTES = 64 * 1024 * 1024;

function minBytes(): number {
  const set = process.env.BREACHSCOPE_HASH_WORKER_MIN_BYTES;
  // 'Infinity' never starts one.
  return set === undefined || set.trim() === '' || Number.isNaN(Number(set)) ? DEFAULT_MIN_BYTES : Number(set);
}

/**
 * The worker's script next to this module, in dist. Run from the sources (tsx: tests, scripts), a
 * worker cannot load TypeScript on Node 20: everything is hashed on the main thread then.
 */
const SCRIPT = import.meta.url.endsWith('.js') ? new URL('./hash-worker.js', import.meta.url) : undefined;

/** The process's one hash worker, created on first use; replaced once it failed. */
let shared: HashWorker | undefined;

export function startDigests(r: DigestRequest): DigestJob {
  if (!SCRIPT || r.size < minBytes()) return new InThreadDigest(r);
  if (!shared || shared.failed) shared = new HashWorker(SCRIPT);
  return shared.start(r) ?? new InThreadDigest(r);
}

class InThreadDigest implements DigestJob {
  private readonly rawHash: HashState;
  private readonly contentHash: HashState | undefined;

  constructor(r: DigestRequest) {
    this.rawHash = new HashState(r.gzip ? undefined : r.offsets);
    this.contentHash = r.gzip ? new HashState(r.offsets) : undefined;
  }

  raw(chunk: Buffer): void {
    this.rawHash.update(chunk);
  }

  content(chunk: Buffer): void {
    this.contentHash?.update(chunk);
  }

  ready(): undefined {
    return undefined;
  }

  async finish(): Promise<Digests> {
    const r = this.rawHash.end();
    const c = this.contentHash?.end();
    return { sha256: r.sha256, contentSha256: c?.sha256 ?? r.sha256, prefixSha256: (c ?? r).prefixSha256 };
  }

  abort(): void {}
}

