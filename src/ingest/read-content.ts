import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { once } from 'node:events';
import { Readable } from 'node:stream';

/** Reading a log file's bytes: its compression, its decompressed content in whole lines, and read errors. */

const LF = 0x0a;

function magic(file: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw readError(e);
  }
  try {
    const head = Buffer.alloc(6);
    return head.subarray(0, readSync(fd, head, 0, 6, 0));
  } finally {
    closeSync(fd);
  }
}

export const isGzip = (file: string) => {
  const m = magic(file);
  return m[0] === 0x1f && m[1] === 0x8b;
};

/** Compressions breachscope does not read, by magic bytes, so the message can say how to fix it. */
export function unsupportedCompression(file: string): string | undefined {
  const m = magic(file);
  if (m.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (m[0] === 0xfd && m.subarray(1, 6).toString('latin1') === '7zXZ\0') return 'xz';
  if (m[0] === 0x28 && m[1] === 0xb5 && m[2] === 0x2f && m[3] === 0xfd) return 'zstd';
  if (m.subarray(0, 4).toString('latin1') === 'PK\x03\x04') return 'zip';
  return undefined;
}

/**
 * Streams the decompressed content in chunks that end at a line end (the last one may not).
 * A decompression error (a truncated or corrupt gzip stream) ends the stream after the data
 * before it; `damage.message` then says what happened. Errors reading the file itself are the
 * caller's (`Opened.rawError`): they are not damage in the content.
 */
export async function* lineChunks(content: Readable, damage: { message?: string }, maxLine = Number.POSITIVE_INFINITY): AsyncGenerator<Buffer> {
  // The unfinished line is kept in parts and joined once: joining at every chunk is quadratic in a long line.
  let parts: Buffer[] = [];
  let carried = 0;
  try {
    for await (const chunk of content as AsyncIterable<Buffer>) {
      const cut = chunk.lastIndexOf(LF);
      if (cut < 0) {
        parts.push(chunk);
        carried += chunk.length;
        if (carried > maxLine) {
          // A line longer than any reader takes (a binary or NUL-filled file): passed on in pieces
          // that do not end at a line end, instead of held whole in memory.
          yield* parts;
          parts = [];
          carried = 0;
        }
        continue;
      }
      parts.push(chunk.subarray(0, cut + 1));
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      parts = cut + 1 < chunk.length ? [chunk.subarray(cut + 1)] : [];
      carried = chunk.length - cut - 1;
    }
  } catch (e) {
    damage.message = (e as Error).message;
  }
  if (carried > 0) yield Buffer.concat(parts);
}

export interface Opened {
  readonly content: Readable;
  readonly rawEnd: Promise<unknown>;
  /** Bytes read from the file so far. */
  readonly seen: () => number;
  /** An error reading the file (not decompressing it), if one happened. */
  readonly rawError: () => Error | undefined;
}

/**
 * Reads the first `bytes` bytes of the file and no more: a log still being written grows while it
 * is read, and everything breachscope records of a file (hash, length, lines) must describe one
 * and the same run of bytes. The rest is read by the next run, as a grown file. `onRaw` sees each
 * chunk of the file's own bytes as read (compressed, for a gzip file): what its SHA-256 is of.
 */
export function openContent(file: string, gzip: boolean, bytes: number, onRaw?: (n: number, chunk: Buffer) => void): Opened {
  // createReadStream cannot read zero bytes (`end` is inclusive): an empty file is an empty stream.
  const raw: Readable = bytes > 0 ? createReadStream(file, { highWaterMark: 1 << 20, start: 0, end: bytes - 1 }) : Readable.from([]);
  // `once` rejects on 'error'; the error itself is kept in rawError, for the caller to throw.
  const rawEnd = once(raw, 'close').catch(() => undefined);
  let seen = 0;
  let rawError: Error | undefined;
  raw.on('error', (e: Error) => (rawError = e));
  raw.on('data', (chunk) => {
    const b = chunk as Buffer;
    seen += b.length;
    onRaw?.(b.length, b);
  });
  const opened = { rawEnd, seen: () => seen, rawError: () => rawError };
  if (!gzip) return { content: raw, ...opened };
  const gunzip = createGunzip();
  raw.on('error', (e: Error) => gunzip.destroy(e));
  // The raw stream is read to its end even when decompression fails, so the hash covers every byte.
  gunzip.on('error', () => raw.resume());
  return { content: raw.pipe(gunzip), ...opened };
}

/** An error from the file system (not from the content), with its code: EACCES, EIO, ENOENT... */
export class FileReadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

export function readError(e: unknown): FileReadError {
  const err = e as NodeJS.ErrnoException;
  return new FileReadError(err.code ?? 'EIO', err.message);
}

