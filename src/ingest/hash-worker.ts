import { parentPort } from 'node:worker_threads';
import { HashState } from './hash-state.js';

/**
 * The hash worker's script (see digests.ts): hashes the chunks the main thread posts while the
 * main thread counts lines, one job at a time. Each chunk is acknowledged once hashed, so the
 * main thread keeps a bounded number of bytes in flight.
 */

export type ToWorker =
  | { readonly type: 'start'; readonly job: number; readonly gzip: boolean; readonly offsets: readonly number[] }
  | { readonly type: 'raw' | 'content'; readonly slot: number; readonly chunk: Uint8Array }
  | { readonly type: 'end' | 'abort' };

/** Each answer names its job: acknowledgements of an aborted job's chunks may arrive once the next has started. */
export type FromWorker =
  | { readonly type: 'ack'; readonly job: number; readonly bytes: number; readonly slot: number }
  | { readonly type: 'done'; readonly job: number; readonly sha256: string; readonly contentSha256: string; readonly prefixes: readonly (readonly [number, string])[] };

let job = 0;
let raw: HashState | undefined;
let content: HashState | undefined;

function handle(m: ToWorker): void {
  if (m.type === 'start') {
    // A plain file's content is its bytes: the raw hash takes the prefixes. A gzip file's content is hashed apart.
    job = m.job;
    raw = new HashState(m.gzip ? undefined : m.offsets);
    content = m.gzip ? new HashState(m.offsets) : undefined;
    return;
  }
  if (m.type === 'raw' || m.type === 'content') {
    (m.type === 'raw' ? raw : content)!.update(m.chunk);
    // The chunk is a view of memory shared with the main thread: the slot is free for it to fill again.
    parentPort!.postMessage({ type: 'ack', job, bytes: m.chunk.byteLength, slot: m.slot } satisfies FromWorker);
    return;
  }
  if (m.type === 'end') {
    const r = raw!.end();
    const c = content?.end();
    parentPort!.postMessage({ type: 'done', job, sha256: r.sha256, contentSha256: c?.sha256 ?? r.sha256, prefixes: [...(c ?? r).prefixSha256] } satisfies FromWorker);
  }
  raw = undefined;
  content = undefined;
}

parentPort!.on('message', handle);
