import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder (holding package.json and queries/), whether run from src/ or dist/. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the breachscope package folder');
    dir = up;
  }
  return dir;
}

/** The version in package.json, for --version and the evidence manifest. */
export function toolVersion(): string {
  return (JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** A file as the package names it (`queries/x.sql`); a file outside the package keeps its absolute path. */
export function packagePath(file: string): string {
  const rel = path.relative(projectRoot(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}
