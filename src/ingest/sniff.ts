import type { LogFormat } from '../formats/format.js';
import { autoReader, FORMATS } from '../formats/registry.js';

export interface FormatFit {
  readonly format: LogFormat;
  readonly fit: number;
  readonly of: number;
}

export type SniffResult =
  | { readonly ok: true; readonly format: LogFormat; readonly reason: string }
  | { readonly ok: false; readonly fits: readonly FormatFit[]; readonly notAccessLog: string | undefined };

/** Error logs say so in their first lines; they are recognised so the message can say what the file is. */
const ERROR_LOG_PATTERNS: readonly [RegExp, string][] = [
  [/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[(emerg|alert|crit|error|warn|notice|info|debug)\] \d+#\d+:/, 'an nginx error log'],
  [/^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{1,2} [\d:.]+ \d{4}\] \[[\w:]*(error|warn|notice|info|debug|crit|alert|emerg)[\w:]*\]/, 'an Apache error log'],
  [/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+ \[(NOTICE|INFO|ERROR|WARN|DEBUG)\] \[\d+\]/, 'a LiteSpeed error log'],
];

/**
 * Formats read by one reader: the NCSA shapes all go through the same SQL, which reads every
 * shape on every line. A file that interleaves them (rotated configs, a vhost line among plain
 * ones) fits the family as a whole; the family member most lines fit names it.
 */
const FAMILIES: readonly (readonly string[])[] = [['traefik_clf', 'vhost_combined', 'combined', 'common']];

/**
 * Picks the format that fits most of a file's sample lines (ties go to the more specific format,
 * earlier in FORMATS). The reason names the counts, so `ingest` can say why it chose.
 */
export function sniffFormat(sample: readonly string[]): SniffResult {
  const lines = sample.filter((l) => !l.startsWith('#'));
  const comments = sample.filter((l) => l.startsWith('#'));
  const fits = FORMATS.map((format) => ({ format, fit: lines.filter((l) => format.sniff(l, comments)).length, of: lines.length }));
  // A group's fit counts the lines any of its members fit; a format outside every family is its own group.
  const groups = FORMATS.map((format) => FAMILIES.find((f) => f.includes(format.name)) ?? [format.name]).filter((g, i, all) => all.indexOf(g) === i);
  const scored = groups.map((names) => {
    const members = FORMATS.filter((f) => names.includes(f.name));
    const fit = lines.filter((l) => members.some((f) => f.sniff(l, comments))).length;
    // Within a family, the member most lines fit (ties: the earlier, more specific one).
    const best = members.map((m) => fits.find((x) => x.format === m)!).reduce((a, b) => (b.fit > a.fit ? b : a));
    return { best, fit, members };
  });
  const top = scored.reduce((a, b) => (b.fit > a.fit ? b : a));
  // Error-log lines interleaved with requests (one server writing both to a file) do not count
  // against the format; they are read, rejected, and named as error-log lines.
  const errorLines = lines.filter((l) => ERROR_LOG_PATTERNS.some(([re]) => re.test(l))).length;
  if (top.fit === 0 || top.fit * 2 < lines.length - errorLines) {
    const errorLog = ERROR_LOG_PATTERNS.find(([re]) => lines.filter((l) => re.test(l)).length * 2 >= lines.length);
    return { ok: false, fits: [...fits].sort((a, b) => b.fit - a.fit), notAccessLog: errorLog?.[1] };
  }
  const family = top.members.length > 1 ? `; ${top.fit} fit one of ${top.members.map((m) => m.name).join('/')}, all read by one reader` : '';
  const others = fits.filter((f) => f !== top.best && f.fit > 0).map((f) => `${f.format.name} ${f.fit}`).join(', ');
  const errors = errorLines > 0 ? `; ${errorLines} are error-log lines` : '';
  return { ok: true, format: autoReader(top.best.format), reason: `${top.best.fit} of ${top.best.of} sampled lines fit ${top.best.format.name}${family}${errors}${others ? ` (${others})` : ''}` };
}
