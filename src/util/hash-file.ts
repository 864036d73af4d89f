import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** SHA-256 and length of an open file's bytes from where it stands, up to `limit`, read a megabyte at a time. */
export function hashFd(fd: number, limit = Number.POSITIVE_INFINITY): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let bytes = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, limit - bytes), null);
    if (n === 0) break;
    hash.update(buffer.subarray(0, n));
    bytes += n;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** SHA-256 and length of a file, without holding it in memory (evidence files run to gigabytes). */
export function hashFile(file: string): { sha256: string; bytes: number } {
  const fd = openSync(file, 'r');
  try {
    return hashFd(fd);
  } finally {
    closeSync(fd);
  }
}
