import { closeSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { CaseFile } from '../case/case-file.js';
import { resolveSourceFiles } from '../ingest/ingest.js';

/** A line still being written is waited for this long before its file is read anyway. */
const PARTIAL_LINE_WAIT_MS = 1000;
const GLOB_CHARS = /[*?[\]{}()!]/;

/**
 * Tells when the case's source files changed: lines appended, a file rotated, a new file matching
 * a source's glob. fs.watch on their folders reacts at once; a poll every second catches what
 * watching misses (network file systems, editors that replace files). Only a changed size, time
 * or file list counts, so an unchanged case is never re-read.
 */
export class SourceWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private seen: ReadonlyMap<string, string>;
  private partialSince: number | undefined;
  private closed = false;
  private onChange: () => void = () => undefined;

  /** Takes the files' state now: changes from here on are reported, even those made before `start`. */
  constructor(
    private readonly caseFile: CaseFile,
    private readonly o: { pollMs: number; settleMs: number } = { pollMs: 1000, settleMs: 30 },
  ) {
    this.seen = this.fingerprint();
  }

  start(onChange: () => void): void {
    this.onChange = onChange;
    this.watchFolders();
    this.check();
    this.timer = setInterval(() => this.check(), this.o.pollMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.settle);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private soon(): void {
    if (this.closed || this.settle) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      this.check();
    }, this.o.settleMs);
  }

  private check(): void {
    if (this.closed) return;
    const now = this.fingerprint();
    const changed = [...now].filter(([file, state]) => this.seen.get(file) !== state).map(([file]) => file);
    if (changed.length === 0 && now.size === this.seen.size) return;
    if (changed.some(endsMidLine)) {
      // A writer mid-line: reading now would cut the line, and its rest would never be read.
      this.partialSince ??= Date.now();
      if (Date.now() - this.partialSince < PARTIAL_LINE_WAIT_MS) return;
    }
    this.partialSince = undefined;
    this.seen = now;
    this.watchFolders();
    this.onChange();
  }

  /** Each file the sources match, with its size and modification time. */
  private fingerprint(): Map<string, string> {
    const files = new Map<string, string>();
    this.caseFile.sources.forEach((s, i) => {
      try {
        for (const f of resolveSourceFiles(this.caseFile, s, i)) {
          const st = statSync(f.abs, { throwIfNoEntry: false });
          files.set(f.abs, st ? `${st.size} ${st.mtimeMs}` : 'gone');
        }
      } catch {
        // No file matches (yet): nothing to read.
      }
    });
    return files;
  }

  /** Watches each folder a source's files are in or its glob starts from, so new files are seen too. */
  private watchFolders(): void {
    const folders = new Set<string>();
    this.caseFile.sources.forEach((s, i) => {
      for (const pattern of s.paths) folders.add(staticBase(path.resolve(this.caseFile.dir, pattern)));
      try {
        for (const f of resolveSourceFiles(this.caseFile, s, i)) folders.add(path.dirname(f.abs));
      } catch {
        // No file matches yet: the glob's folder is watched, and the poll goes on.
      }
    });
    for (const dir of folders) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => this.soon());
        w.on('error', () => {
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch {
        // A folder that cannot be watched is still polled.
      }
    }
  }
}

/** The folder a glob starts from: its path up to the first segment with a wildcard. */
function staticBase(pattern: string): string {
  const segments = pattern.split(path.sep);
  const firstDynamic = segments.findIndex((seg) => GLOB_CHARS.test(seg));
  const fixed = firstDynamic === -1 ? segments.slice(0, -1) : segments.slice(0, firstDynamic);
  return fixed.join(path.sep) || path.sep;
}

/** Whether a plain file's last byte is not a line end: its writer is mid-line. */
function endsMidLine(file: string): boolean {
  if (file.endsWith('.gz')) return false;
  try {
    const size = statSync(file).size;
    if (size === 0) return false;
    const fd = openSync(file, 'r');
    try {
      const b = Buffer.alloc(1);
      return readSync(fd, b, 0, 1, size - 1) === 1 && b[0] !== 0x0a;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}
