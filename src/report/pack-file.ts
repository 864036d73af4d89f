import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';

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
