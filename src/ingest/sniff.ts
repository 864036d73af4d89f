import type { LogFormat } from '../formats/format.js';
import { FORMATS } from '../formats/registry.js';

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
];

/**
 * Picks the format that fits most of a file's sample lines (ties go to the more specific format,
 * earlier in FORMATS). The reason names the counts, so `ingest` can say why it chose.
 */
export function sniffFormat(sample: readonly string[]): SniffResult {
  const lines = sample.filter((l) => !l.startsWith('#'));
  const comments = sample.filter((l) => l.startsWith('#'));
  const fits = FORMATS.map((format) => ({ format, fit: lines.filter((l) => format.sniff(l, comments)).length, of: lines.length }));
  // A combined line also starts like a common one; prefer the format that accounts for more fields.
  const best = fits.reduce((a, b) => (b.fit > a.fit ? b : a));
  if (best.fit === 0 || best.fit * 2 < lines.length) {
    const errorLog = ERROR_LOG_PATTERNS.find(([re]) => lines.filter((l) => re.test(l)).length * 2 >= lines.length);
    return { ok: false, fits: [...fits].sort((a, b) => b.fit - a.fit), notAccessLog: errorLog?.[1] };
  }
  const others = fits.filter((f) => f !== best).map((f) => `${f.format.name} ${f.fit}`).join(', ');
  return { ok: true, format: best.format, reason: `${best.fit} of ${best.of} sampled lines fit ${best.format.name} (${others})` };
}
