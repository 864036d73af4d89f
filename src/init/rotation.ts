import path from 'node:path';

/**
 * The name a rotated file was written under before rotation: `access.log.2.gz`, `access.log.1`,
 * `access.log-20240101.gz` and `access.log.2024-01-01` all come from `access.log`.
 */
export function rotationBase(fileName: string): string {
  let base = fileName.replace(/\.gz$/i, '');
  base = base.replace(/[.-](\d{8}|\d{4}-\d{2}-\d{2})(?:[.-]\d+)?$/, '');
  base = base.replace(/\.\d{1,4}$/, '');
  return base === '' ? fileName : base;
}

export interface RotatedSet<T> {
  /** Folder, relative to where the case file is written, with `/` separators ('' for the same folder). */
  readonly dir: string;
  readonly base: string;
  readonly members: readonly T[];
}

/**
 * Groups files into rotated sets: same folder, same base name, and the same `kind` (the format
 * sniffed), so that an `access.log` and an `access.log.old` of another layout stay apart.
 */
export function groupRotated<T>(files: readonly T[], relPath: (f: T) => string, kind: (f: T) => string): RotatedSet<T>[] {
  const sets = new Map<string, { dir: string; base: string; members: T[] }>();
  for (const f of files) {
    const rel = relPath(f);
    const dir = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
    const base = rotationBase(path.posix.basename(rel));
    const key = JSON.stringify([dir, base, kind(f)]);
    const set = sets.get(key) ?? { dir, base, members: [] };
    set.members.push(f);
    sets.set(key, set);
  }
  return [...sets.values()].sort((a, b) => (a.dir + '/' + a.base < b.dir + '/' + b.base ? -1 : 1));
}

/** A source name from a file's base name: `nginx-access.jsonl` -> `nginx-access`, unique among `taken`. */
export function sourceName(base: string, taken: Set<string>): string {
  const stem = base.replace(/\.(log|jsonl|json|txt|csv)$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._-]+/, '') || 'logs';
  let name = stem;
  for (let i = 2; taken.has(name); i++) name = `${stem}-${i}`;
  taken.add(name);
  return name;
}
