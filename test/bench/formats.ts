// Per-format ingest speed: each reader's own sample lines, cycled to N lines (timestamps and
// addresses as in the samples), ingested with `format:` set so that no sniffing is measured.
// The file is read by the same pipeline as any log; what differs between rows is the reader.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS } from '../../src/formats/registry.js';
import { measure } from './measure.js';

export interface FormatSpeed {
  readonly format: string;
  readonly lines: number;
  readonly seconds: number | undefined;
  readonly events: number | undefined;
  readonly note: string | undefined;
  /** Milliseconds per stage of the run (see stageTimes); empty when it failed. */
  readonly stages: Readonly<Record<string, number>>;
}

/** The stages of a general-reader ingest, in the table's order (the fast path's own stages count as `other`). */
const STAGES = ['resolved', 'examined', 'lines-read', 'line-facts', 'events-inserted', 'lines-inserted', 'committed', 'selected'] as const;

/**
 * Milliseconds per stage from the trace on stderr (`stage NAME SUBJECT +Nms`, since the trace module
 * loaded): `resolved` is from then to the first file resolved (case file, store opened), each other
 * stage from the one before, and `outside` is the wall time outside the trace (Node starting and
 * loading the modules before it, closing the store after the last stage).
 */
function stageTimes(stderr: string, wallSeconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  let last = 0;
  for (const m of stderr.matchAll(/^stage (\S+).* \+(\d+)ms$/gm)) {
    const at = Number(m[2]);
    const name = (STAGES as readonly string[]).includes(m[1]!) ? m[1]! : 'other';
    out[name] = (out[name] ?? 0) + at - last;
    last = at;
  }
  out.outside = Math.max(0, Math.round(wallSeconds * 1000) - last);
  return out;
}

/** The samples cycled to `lines` lines (every reader's samples stand alone, W3C's headerless IIS included). */
function fileFor(samples: readonly string[], lines: number): string {
  const body: string[] = [];
  for (let i = 0; i < lines; i++) body.push(samples[i % samples.length]!);
  return `${body.join('\n')}\n`;
}

export async function benchFormats(mainJs: string, workDir: string, lines: number, timeoutSeconds: number): Promise<FormatSpeed[]> {
  const out: FormatSpeed[] = [];
  for (const f of FORMATS) {
    const dir = join(workDir, `format-${f.name}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'access.log'), fileFor(f.samples, lines));
    // Formats whose samples carry no offset read them in UTC.
    writeFileSync(join(dir, 'case.yaml'), `case: bench ${f.name}\nsources:\n  - name: web\n    path: access.log\n    format: ${f.name}\n    timezone: UTC\n`);
    process.stdout.write(`breachscope ingest, format ${f.name} ... `);
    const m = await measure([process.execPath, mainJs, 'ingest', join(dir, 'case.yaml'), '--json'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', BREACHSCOPE_TRACE_STAGES: '1' },
      timeoutSeconds,
      outPrefix: join(dir, 'ingest'),
    });
    let events: number | undefined;
    let note: string | undefined;
    try {
      const report = JSON.parse(readFileSync(m.stdoutPath, 'utf8')) as { files: { events: number; rejected: number }[] };
      events = report.files[0]?.events;
      const rejected = report.files[0]?.rejected ?? 0;
      if (rejected > 0) note = `${rejected} sample lines rejected`;
    } catch {
      note = `failed (exit ${String(m.exitCode)})`;
    }
    const ok = m.exitCode === 0 && !m.timedOut;
    const stages = ok ? stageTimes(readFileSync(m.stderrPath, 'utf8'), m.wallSeconds) : {};
    out.push({ format: f.name, lines, seconds: ok ? m.wallSeconds : undefined, events, note, stages });
    process.stdout.write(ok ? `${m.wallSeconds.toFixed(2)} s\n` : `FAILED\n`);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export function renderFormatSpeeds(rows: readonly FormatSpeed[]): string {
  const columns = [...STAGES, 'other', 'outside'];
  const lines = [`| format | lines | s | lines/s | ${columns.map((c) => `${c} ms`).join(' | ')} | note |`, `|---|---|---|---|${columns.map(() => '---|').join('')}---|`];
  for (const r of rows) {
    const rate = r.seconds ? Math.round(r.lines / r.seconds).toLocaleString('en-US') : '-';
    const stages = columns.map((c) => (r.stages[c] === undefined ? '-' : String(r.stages[c]))).join(' | ');
    lines.push(`| ${r.format} | ${r.lines.toLocaleString('en-US')} | ${r.seconds?.toFixed(2) ?? '-'} | ${rate} | ${stages} | ${r.note ?? (r.events === r.lines ? '' : `${String(r.events)} events`)} |`);
  }
  return lines.join('\n');
}
