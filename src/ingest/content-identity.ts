import { createHash } from 'node:crypto';
import type { SourceSpec } from '../case/case-file.js';
import type { Row, Store } from '../db/store.js';
import type { FileFacts } from './prepass.js';

/**
 * A file's identity is its decompressed content, not its name or compression. The store keeps
 * contents as chains of segments (a content that grew is its earlier content plus new lines), so a
 * file is matched against what is stored by the SHA-256 of its prefixes (see examine) and, where
 * only its lines can tell, line by line.
 */

/** A stored segment of a content chain read under the same source settings as the file at hand. */
/** Every stored segment read under these settings, with whether it is its chain's last (the tip). */
export async function storedSegments(store: Store, settings: string): Promise<Segment[]> {
  return store.all<Segment & Row>(
    `SELECT file_id, chain_id, path, abs_path, content_bytes, content_sha256, physical_lines, ends_with_lf, head_sha256, format,
       file_id = max(file_id) OVER (PARTITION BY chain_id) AS tip
     FROM files WHERE settings = $s ORDER BY file_id`,
    { s: settings },
  );
}

export interface Segment {
  file_id: number;
  chain_id: number;
  path: string;
  abs_path: string;
  content_bytes: number;
  content_sha256: string;
  physical_lines: number;
  ends_with_lf: boolean;
  head_sha256: string | null;
  format: string;
  tip: boolean;
}

/**
 * How a file's content relates to what the store holds (contents read under the same settings):
 * - `same`: it is a stored content up to a segment's end (a copy, a recompressed or renamed file);
 * - `grown`: it begins with a chain's whole content (the file grew, or was rotated after growing);
 * - `compare`: it begins like a chain (the same first line, or a segment's content) but only its
 *   lines can tell whether it is an earlier copy of that chain or a different content;
 * - `new`: nothing stored begins it.
 */
export type ContentMatch =
  | { readonly kind: 'same'; readonly segment: Segment }
  | { readonly kind: 'grown'; readonly tip: Segment }
  | { readonly kind: 'compare'; readonly chain: Segment; readonly from: number }
  | { readonly kind: 'new' };

export function matchContent(segments: readonly Segment[], facts: FileFacts, headSha: string | undefined): ContentMatch {
  const prefixOf = (s: Segment) => facts.prefixSha256.get(s.content_bytes) === s.content_sha256;
  const same = segments.find((s) => s.content_bytes === facts.contentBytes && s.content_sha256 === facts.contentSha256);
  if (same) return { kind: 'same', segment: same };
  const longest = (list: Segment[]) => list.sort((a, b) => b.content_bytes - a.content_bytes)[0];
  const tip = longest(segments.filter((s) => s.tip && s.content_bytes < facts.contentBytes && prefixOf(s)));
  if (tip) return { kind: 'grown', tip };
  const part = longest(segments.filter((s) => s.content_bytes < facts.contentBytes && prefixOf(s)));
  if (part) return { kind: 'compare', chain: part, from: part.physical_lines };
  const head = headSha === undefined ? undefined : segments.find((s) => s.head_sha256 === headSha);
  if (head) return { kind: 'compare', chain: head, from: 0 };
  return { kind: 'new' };
}

/**
 * What identifies the reading of a content: the same bytes read with another format, time zone,
 * role or field map give other events and are stored apart. The source's name is not part of it:
 * a file copied into two sources' folders is one content, counted once (under the name of the
 * source whose file holds it, see case_chain_file), and renaming a source reads nothing again.
 */
export function settingsKey(source: SourceSpec): string {
  const settings = { role: source.role, format: source.format, timezone: source.timezone ?? null, fields: Object.entries(source.fields).sort() };
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 32);
}

/**
 * Whether the lines in raw_lines, past line `from`, are the chain's own lines: the file is then an
 * earlier copy of that content (taken before it grew), and nothing of it is stored again.
 */
export async function isEarlierCopy(store: Store, chainId: number, from: number, facts: FileFacts): Promise<boolean> {
  // A copy taken while the server was writing may end inside a line: that line begins the stored
  // one (checked on the text where the store keeps it, else on the length: the fast path keeps only
  // the hash and length of a line that is the file's bytes).
  const cut = facts.endsWithLineEnd ? 0 : facts.physicalLines;
  const { differ } = await store.one<{ differ: number }>(
    `WITH f AS (
       SELECT rowid + 1 AS line, line AS raw, hash(line) AS h FROM raw_lines
       WHERE rowid + 1 > $from AND line IS NOT NULL AND NOT regexp_full_match(line, '[ \t]*') AND NOT starts_with(line, '#')
     ), c AS (
       SELECT l.line, l.raw AS c_raw, l.h AS c_h, l.len AS c_len FROM lines l JOIN files s ON s.file_id = l.file_id
       WHERE s.chain_id = $chain AND l.line > $from AND l.line <= $n
     )
     SELECT count(*) FILTER (WHERE (f.h IS DISTINCT FROM c_h OR strlen(f.raw) IS DISTINCT FROM c_len)
       AND NOT (line = $cut AND coalesce(starts_with(c_raw, f.raw), c_len > strlen(f.raw)))) AS differ
     FROM f FULL JOIN c USING (line)`,
    { chain: chainId, from, n: facts.physicalLines, cut },
  );
  return differ === 0;
}
