import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';

/**
 * Reading a pack's files as hostile input (verify): a file is opened only if it is a regular file,
 * never a FIFO (that would block) or a device, and without following a link unless asked.
 */

/** Opens a file for reading only if it is a regular file: never a FIFO (that would block) or a device. */
export function openRegular(file: string, follow: boolean): { fd: number; stat: Stats } | { why: string } {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (follow ? 0 : constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = openSync(file, flags);
  } catch (e) {
    return { why: (e as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symbolic link' : `cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const stat = fstatSync(fd);
  if (stat.isFile()) return { fd, stat };
  closeSync(fd);
  return { why: kindOf(stat) };
}

export function kindOf(s: Stats): string {
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** SHA-256 and length of the first `limit` bytes of an open file (all of it without a limit). */
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

