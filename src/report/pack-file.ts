import { closeSync, constants, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { hashFd } from '../util/hash-file.js';
import type { Problem } from './verify-pack.js';

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

/**
 * One file of a pack checked against its manifest entry: missing, not a regular file (never
 * opened), not listed (`against.unlisted` says why it should be), or changed. Without `against`
 * (no manifest) the file is only opened. Returns whether it could be read.
 */
export function checkPackFile(
  file: string,
  name: string,
  problems: Problem[],
  against?: { readonly output: { readonly sha256: string; readonly bytes: number } | undefined; readonly unlisted: string },
): boolean {
  let stat: Stats;
  try {
    stat = lstatSync(file);
  } catch {
    problems.push({ kind: 'missing', file: name });
    return false;
  }
  const opened = stat.isFile() ? openRegular(file, false) : { why: kindOf(stat) };
  if ('why' in opened) {
    problems.push({ kind: 'not-file', file: name, detail: `${opened.why}, not a regular file; not opened` });
    return false;
  }
  try {
    if (!against) return true;
    if (!against.output) problems.push({ kind: 'unlisted', file: name, detail: against.unlisted });
    else {
      const got = hashFd(opened.fd);
      if (got.sha256 !== against.output.sha256 || got.bytes !== against.output.bytes) problems.push({ kind: 'changed', file: name });
    }
    return true;
  } finally {
    closeSync(opened.fd);
  }
}
