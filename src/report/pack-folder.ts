import { lstatSync, mkdirSync, opendirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { terminalSafe } from '../util/terminal-safe.js';
import { MANIFEST, PACK_FILES } from './evidence-pack.js';
import { NOTICE_NAME, NOTICE_OUTPUTS, NOTICES_DIR } from './notice-files.js';
import { EXIT, UserError } from '../util/user-error.js';

/**
 * The folder `report --out` names holds the pack only: verify counts any other file as a change,
 * and a report must never delete what it did not write. The pack is built in a staging folder
 * beside it and renamed into place at the end, so a failed run leaves no half pack and a previous
 * pack stays whole until the new one is complete.
 */

export interface PackTarget {
  /** Absolute, with a symbolic link to a folder resolved (the link itself is left alone). */
  readonly dir: string;
  readonly holds: 'nothing' | 'previous pack';
}

const FIX = 'name a new or empty folder, or one holding only an evidence pack written by breachscope (it is then replaced)';

function refuse(dir: string, what: string, why: string, help = FIX): never {
  throw new UserError({ what, where: terminalSafe(dir), why, help });
}

function isBreachscopeManifest(file: string): boolean {
  try {
    if (!lstatSync(file).isFile()) return false;
    const m = JSON.parse(readFileSync(file, 'utf8')) as { tool?: { name?: unknown } } | null;
    return m?.tool?.name === 'breachscope';
  } catch {
    return false;
  }
}

/** Checks, without writing anything, that `out` may receive a pack. */
export function packTarget(out: string): PackTarget {
  let dir = path.resolve(out);
  let stat = lstatOrUndefined(dir);
  if (stat?.isSymbolicLink()) {
    try {
      dir = realpathSync(dir);
    } catch {
      refuse(dir, `--out ${terminalSafe(out)} is a symbolic link that leads nowhere`, 'the pack cannot be written through it');
    }
    stat = lstatSync(dir);
  }
  if (stat === undefined) return { dir, holds: 'nothing' };
  if (stat.isFile()) refuse(dir, `--out ${terminalSafe(out)} is a file, not a folder`, 'the evidence pack is a folder of seven files', `name a folder for the pack, e.g. --out ${terminalSafe(path.basename(dir))}-pack`);
  if (!stat.isDirectory()) refuse(dir, `--out ${terminalSafe(out)} is not a folder`, 'the evidence pack is a folder of seven files', 'name a new folder for the pack');
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) return { dir, holds: 'nothing' };
  const own = new Set<string>(PACK_FILES);
  const foreign = entries.filter((e) => (e === NOTICES_DIR ? !isNoticesFolder(path.join(dir, e)) : !own.has(e) || !lstatSync(path.join(dir, e)).isFile()));
  const shown = (names: readonly string[]) => `${names.slice(0, 5).map(terminalSafe).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
  if (foreign.length > 0) {
    refuse(dir, `the --out folder holds files that are not part of an evidence pack: ${shown(foreign)}`, 'the pack folder holds the pack only: report replaces a previous pack, and never deletes or mixes in files it did not write', `${FIX}; or move those files out`);
  }
  if (!isBreachscopeManifest(path.join(dir, MANIFEST))) {
    refuse(dir, `the --out folder holds ${shown(entries)} but no breachscope manifest.json`, 'only a folder holding a previous evidence pack, with its manifest, is replaced');
  }
  return { dir, holds: 'previous pack' };
}

/** A pack's `notices/` folder: a real folder of regular files named as report --notices names them, and nothing else. */
function isNoticesFolder(folder: string): boolean {
  if (!lstatSync(folder).isDirectory()) return false;
  const own = new Set<string>(NOTICE_OUTPUTS.map((p) => p.slice(NOTICES_DIR.length + 1)));
  const d = opendirSync(folder);
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) if (!e.isFile() || !(own.has(e.name) || NOTICE_NAME.test(e.name))) return false;
  } finally {
    d.closeSync();
  }
  return true;
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const leftoverPrefix = (dir: string, kind: 'tmp' | 'old') => `.${path.basename(dir)}.${kind}-`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what a run killed mid-way left beside the target: its staging folder or the pack it was replacing. */
function removeLeftovers(dir: string, kind: 'tmp' | 'old'): void {
  const prefix = leftoverPrefix(dir, kind);
  for (const e of readdirSync(path.dirname(dir))) {
    const pid = e.startsWith(prefix) ? Number(e.slice(prefix.length)) : NaN;
    if (Number.isSafeInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(path.join(path.dirname(dir), e), { recursive: true, force: true });
  }
}

/** A new, empty staging folder beside the target (same file system, so the final rename is atomic). */
export function stagePack(target: PackTarget): string {
  const parent = path.dirname(target.dir);
  const prefix = leftoverPrefix(target.dir, 'tmp');
  try {
    mkdirSync(parent, { recursive: true });
    removeLeftovers(target.dir, 'tmp');
    const staging = path.join(parent, `${prefix}${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    return staging;
  } catch (e) {
    throw new UserError({ what: `cannot create the evidence pack's staging folder beside ${terminalSafe(target.dir)}`, why: terminalSafe((e as Error).message), help: 'choose --out in a folder you can write to' }, EXIT.runtime);
  }
}

/**
 * Moves the finished pack into place. A previous pack is moved aside first and deleted only once
 * the new one is in place (POSIX has no atomic swap of two folders; between the two renames the
 * folder's name is briefly absent, and the old pack is whole under `.NAME.old-PID`).
 */
export function placePack(staging: string, target: PackTarget): void {
  // Checked again: the folder may have changed while the case was analysed.
  const now = packTarget(target.dir);
  if (now.holds === 'nothing') {
    renameSync(staging, now.dir); // onto a missing or empty folder: one atomic rename
  } else {
    const old = path.join(path.dirname(now.dir), `${leftoverPrefix(now.dir, 'old')}${process.pid}`);
    rmSync(old, { recursive: true, force: true });
    renameSync(now.dir, old);
    try {
      renameSync(staging, now.dir);
    } catch (e) {
      renameSync(old, now.dir);
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
  }
  removeLeftovers(now.dir, 'old');
}

export function discardStaging(staging: string): void {
  rmSync(staging, { recursive: true, force: true });
}
