import { createHash, type Hash } from 'node:crypto';

/** What hashing one stream of bytes gives: its SHA-256 and the SHA-256 of each prefix asked for that it reaches. */
export interface StreamDigest {
  readonly sha256: string;
  readonly prefixSha256: ReadonlyMap<number, string>;
}

/**
 * One stream's SHA-256, fed chunk by chunk in order, with the digests of its prefixes at the
 * offsets asked for (see Prefixes). The same code runs on the main thread and in the hash worker,
 * so both give the same digests.
 */
export class HashState {
  private readonly hash: Hash = createHash('sha256');
  private readonly prefixes: Prefixes | undefined;
  private pos = 0;

  constructor(offsets: readonly number[] | undefined) {
    this.prefixes = offsets ? new Prefixes([...new Set(offsets)].filter((n) => n >= 0).sort((a, b) => a - b)) : undefined;
  }

  update(chunk: Uint8Array): void {
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.prefixes) this.prefixes.update(this.hash, b, this.pos);
    else this.hash.update(b);
    this.pos += b.length;
  }

  end(): StreamDigest {
    // Offsets at the very end of the stream are reached only once it is done.
    this.prefixes?.update(this.hash, Buffer.alloc(0), this.pos);
    return { sha256: this.hash.digest('hex'), prefixSha256: this.prefixes?.digests ?? new Map() };
  }
}

/**
 * Hashes a stream while taking the digest of every prefix asked for on the way: at each offset
 * the running hash is copied and finished, so one pass gives the whole hash and every prefix's.
 */
class Prefixes {
  readonly digests = new Map<number, string>();
  private next = 0;

  constructor(private readonly offsets: readonly number[]) {}

  /** Feeds `chunk`, which starts at content offset `at`, into `hash`. */
  update(hash: Hash, chunk: Buffer, at: number): void {
    let from = 0;
    while (this.next < this.offsets.length && this.offsets[this.next]! <= at + chunk.length) {
      const cut = this.offsets[this.next]! - at;
      if (cut > from) hash.update(chunk.subarray(from, cut));
      from = Math.max(from, cut);
      this.digests.set(this.offsets[this.next]!, hash.copy().digest('hex'));
      this.next++;
    }
    if (from < chunk.length) hash.update(chunk.subarray(from));
  }
}
