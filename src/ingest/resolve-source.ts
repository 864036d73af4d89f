import { lstatSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { CaseFile, SourceSpec } from '../case/case-file.js';
import { UserError } from '../util/user-error.js';

export interface ResolvedFile {
  readonly source: SourceSpec;
  readonly abs: string;
  readonly shown: string;
  readonly size: number;
}

/** A path a source's globs matched that is not read, and why (undefined: a folder, not worth a line). */
export interface PassedOver {
  readonly source: SourceSpec;
  readonly abs: string;
  readonly shown: string;
  readonly why: string | undefined;
}

/** Files a source's globs match, sorted, relative names as a person reads them. */
export function resolveSourceFiles(caseFile: CaseFile, source: SourceSpec, index: number): ResolvedFile[] {
  return resolveSource(caseFile, source, index).files;
}

/**
 * The regular files a source's globs match, and what else they matched. Globs do not descend
 * through symbolic links (a link loop would never end), but a link a glob matches is followed:
 * to a file, it is read, once, however many matched names lead to it; to a loop, a pipe or
 * nothing, it is passed over with the reason. Nothing here opens a file, so a FIFO cannot block.
 */
export function resolveSource(caseFile: CaseFile, source: SourceSpec, index: number): { files: ResolvedFile[]; passedOver: PassedOver[] } {
  const shown = (abs: string) => path.relative(caseFile.dir, abs) || abs;
  const namesOf = new Map<string, Set<string>>();
  const others = new Map<string, string | undefined>();
  const consider = (abs: string) => {
    const kind = entryKind(abs);
    if (kind.file) namesOf.set(kind.target, (namesOf.get(kind.target) ?? new Set()).add(abs));
    else others.set(abs, kind.why);
  };
  for (const pattern of source.paths) {
    const literal = path.resolve(caseFile.dir, pattern);
    if (lstatSync(literal, { throwIfNoEntry: false })) {
      consider(literal);
      continue;
    }
    // Matches are resolved here, not by fast-glob (its absolute option turns a `\` in a name into `/`).
    const { cwd, glob } = globBase(caseFile.dir, pattern);
    const matches = fg.sync(glob, { cwd, onlyFiles: false, dot: true, followSymbolicLinks: false, suppressErrors: true });
    for (const m of matches) consider(path.resolve(cwd, m));
  }
  const kept = new Set<string>();
  for (const [target, names] of namesOf) {
    // The file under its own name wins over a link to it; otherwise the first name in order.
    const name = names.has(target) ? target : [...names].sort()[0]!;
    kept.add(name);
    for (const other of names) if (other !== name) others.set(other, `a symbolic link to ${shown(name)}, which is read once, under that name`);
  }
  const passedOver = [...others].map(([abs, why]) => ({ source, abs, shown: shown(abs), why })).sort((a, b) => (a.abs < b.abs ? -1 : 1));
  if (kept.size === 0) {
    const named = passedOver.map((p) => `${p.shown} is ${p.why ?? 'a folder'}`);
    throw new UserError({
      what: `source '${source.name}': ${source.paths.map((p) => `'${p}'`).join(', ')} matches no file`,
      ...(named.length > 0 ? { why: named.slice(0, 5).join('; ') + (named.length > 5 ? `; and ${named.length - 5} more` : '') } : {}),
      where: `${caseFile.path} (sources[${index}].path)`,
      help: `paths and globs are relative to the case file's folder (${caseFile.dir})${passedOver.some((p) => p.why === undefined) ? '; a glob such as logs/* reads the files in a folder' : ''}`,
    });
  }
  // A file gone since it was listed (rotated away) is read as such and named: size 0 until then.
  const files = [...kept].sort().map((abs) => ({ source, abs, shown: shown(abs), size: sizeOf(abs) }));
  return { files, passedOver };
}

/**
 * A glob split into the longest leading folder that exists as written, which is searched from (its
 * name may hold characters a glob reads as syntax: brackets, parentheses, braces), and the rest,
 * which is the glob. `\` is a character of a name on POSIX (an escape in the glob) and a folder
 * separator on Windows.
 */
export function globBase(dir: string, pattern: string): { cwd: string; glob: string } {
  const written = path.sep === '\\' ? pattern.replaceAll('\\', '/') : pattern;
  const segments = written.split('/');
  let cwd = path.isAbsolute(written) ? path.parse(path.resolve(written)).root : dir;
  let i = path.isAbsolute(written) ? 1 : 0;
  for (; i < segments.length - 1; i++) {
    const next = path.join(cwd, segments[i]!);
    if (!statSync(next, { throwIfNoEntry: false })?.isDirectory()) break;
    cwd = next;
  }
  return { cwd, glob: segments.slice(i).join('/') };
}

/** A matched file's size, 0 when it cannot be told (reading it then says why it fails). */
export function sizeOf(abs: string): number {
  try {
    return statSync(abs, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

export type EntryKind = { readonly file: true; readonly target: string } | { readonly file: false; readonly why: string | undefined };

/** What a matched path is, without opening it (stat follows links; lstat tells a link from what it leads to). */
export function entryKind(abs: string): EntryKind {
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { file: false, why: 'a symbolic link loop (it leads back to itself): not read' };
    if (code === 'ENOENT' && lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink()) return { file: false, why: 'a symbolic link to a missing file: not read' };
    // Matched but not statable (gone since it was listed, permissions): it is read, and fails
    // with the reason (exit 3), never passed over.
    return { file: true, target: abs };
  }
  if (st.isFile()) {
    let target = abs;
    try {
      target = realpathSync(abs);
    } catch {
      // stat succeeded, so the path works; the name as matched identifies the file then.
    }
    return { file: true, target };
  }
  if (st.isDirectory()) return { file: false, why: undefined };
  if (st.isFIFO()) return { file: false, why: 'a named pipe (FIFO), not a file: not read (reading would wait for a writer)' };
  if (st.isSocket()) return { file: false, why: 'a socket, not a file: not read' };
  return { file: false, why: 'a device, not a file: not read' };
}
