import { Worker } from 'node:worker_threads';
import { EXIT, UserError } from '../util/user-error.js';
import type { DigestJob, DigestRequest, Digests } from './digests.js';
import type { FromWorker, ToWorker } from './hash-worker.js';

/** Hashing in a worker thread (see digests.ts): the main thread's side. */

/** Bytes per message: small gzip chunks are gathered, so a message costs little per byte. */
const BATCH = 1 << 20;
/** Bytes posted to the worker and not yet hashed, at most (then the reading waits): room for the worker's start. */
const IN_FLIGHT = 32 * BATCH;

/** A worker thread that hashes one job at a time; it never keeps the process alive while idle. */
export class HashWorker {
  private readonly worker: Worker;
  private job: WorkerJob | undefined;
  private jobs = 0;
  private failure: Error | undefined;

  constructor(script: URL) {
    // Node's own flags (--input-type, --eval...) are not the worker's.
    this.worker = new Worker(script, { execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => {
      if (this.job?.id === m.job) this.job.receive(m);
    });
    this.worker.on('error', (e: Error) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the hash worker stopped (exit code ${code})`)));
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** A job, or undefined when the worker is busy with another file or has failed (the caller hashes in-thread then). */
  start(r: DigestRequest): DigestJob | undefined {
    if (this.job || this.failure) return undefined;
    // Referenced while it works: the process waits for the digests; unreferenced when idle.
    this.worker.ref();
    const id = ++this.jobs;
    this.job = new WorkerJob(id, r.file, (m) => this.worker.postMessage(m), () => this.release());
    this.worker.postMessage({ type: 'start', job: id, gzip: r.gzip, offsets: r.offsets } satisfies ToWorker);
    return this.job;
  }

  private release(): void {
    this.job = undefined;
    this.worker.unref();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.job?.fail(e);
    this.release();
  }
}

/** Bytes gathered for one stream (raw or content) in a shared slot until a message is worth sending. */
interface Batch {
  slot: number;
  buf: Uint8Array | undefined;
  fill: number;
}

class WorkerJob implements DigestJob {
  private posted = 0;
  private acked = 0;
  /**
   * Shared memory the chunks are copied into, reused once the worker acknowledges a slot: fresh
   * memory for every chunk, or transferring it, cost more than the hashing saved.
   */
  private readonly slots: SharedArrayBuffer[] = [];
  private readonly free: number[] = [];
  private readonly batches: Record<'raw' | 'content', Batch> = { raw: { slot: -1, buf: undefined, fill: 0 }, content: { slot: -1, buf: undefined, fill: 0 } };
  private waiting: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private finishing: { resolve: (d: Digests) => void; reject: (e: Error) => void } | undefined;
  private failure: UserError | undefined;
  private ended = false;

  constructor(
    readonly id: number,
    private readonly file: string,
    private readonly post: (m: ToWorker) => void,
    private readonly release: () => void,
  ) {}

  raw(chunk: Buffer): void {
    this.send('raw', chunk);
  }

  content(chunk: Buffer): void {
    this.send('content', chunk);
  }

  /** Copies the chunk into its stream's batch (the chunk's own memory stays the main thread's). */
  private send(type: 'raw' | 'content', chunk: Buffer): void {
    if (this.failure || this.ended || chunk.length === 0) return;
    const b = this.batches[type];
    if (b.buf && b.fill + chunk.length > b.buf.length) this.flush(type);
    if (!b.buf) this.take(b, chunk.length);
    b.buf!.set(chunk, b.fill);
    b.fill += chunk.length;
    if (b.fill >= BATCH) this.flush(type);
  }

  /** A free slot for the batch; a chunk larger than a slot (a long gzip line) gets memory of its own, not kept. */
  private take(b: Batch, length: number): void {
    if (length > BATCH) {
      b.slot = -1;
      b.buf = new Uint8Array(new SharedArrayBuffer(length));
      return;
    }
    b.slot = this.free.pop() ?? this.slots.push(new SharedArrayBuffer(BATCH)) - 1;
    b.buf = new Uint8Array(this.slots[b.slot]!);
  }

  private flush(type: 'raw' | 'content'): void {
    const b = this.batches[type];
    if (b.buf && b.fill > 0) {
      this.post({ type, slot: b.slot, chunk: b.buf.subarray(0, b.fill) });
      this.posted += b.fill;
    } else if (b.slot >= 0) this.free.push(b.slot);
    b.buf = undefined;
    b.fill = 0;
  }

  ready(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.posted - this.acked <= IN_FLIGHT) return undefined;
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  finish(): Promise<Digests> {
    if (this.failure) return Promise.reject(this.failure);
    this.flush('raw');
    this.flush('content');
    this.ended = true;
    const done = new Promise<Digests>((resolve, reject) => (this.finishing = { resolve, reject }));
    this.post({ type: 'end' });
    return done;
  }

  abort(): void {
    if (this.ended) return;
    this.ended = true;
    this.post({ type: 'abort' });
    this.release();
  }

  receive(m: FromWorker): void {
    if (m.type === 'ack') {
      this.acked += m.bytes;
      if (m.slot >= 0) this.free.push(m.slot);
      if (this.waiting && this.posted - this.acked <= IN_FLIGHT) this.settleWaiting();
      return;
    }
    this.release();
    this.finishing?.resolve({ sha256: m.sha256, contentSha256: m.contentSha256, prefixSha256: new Map(m.prefixes) });
  }

  private settleWaiting(e?: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    if (e) w?.reject(e);
    else w?.resolve();
  }

  fail(e: Error): void {
    this.failure = new UserError(
      {
        what: `${this.file}: hashing the file failed in its worker thread`,
        why: e.message,
        help: 'run again: the files already read are skipped; if it fails again, set BREACHSCOPE_HASH_WORKER_MIN_BYTES=Infinity to hash on the main thread, and report it to the breachscope developers',
      },
      EXIT.runtime,
    );
    this.settleWaiting(this.failure);
    this.finishing?.reject(this.failure);
  }
}
