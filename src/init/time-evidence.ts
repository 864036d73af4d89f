/** What a file's sampled lines say about the time zone of their timestamps. */
export interface TimeEvidence {
  /** Offsets written in the times (`+0000`, `+01:00`, `Z`), most frequent first. */
  readonly offsets: readonly string[];
  /** Sampled times written without an offset (ISO or CLF-style). */
  readonly withoutOffset: number;
  /** Sampled lines that hold a time at all. */
  readonly timed: number;
  /** A W3C header names local times (`date-local`/`time-local`). */
  readonly w3cLocal: boolean;
}

const ISO = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(Z|[+-]\d{2}:?\d{2}(?![\d:]))?/;
const CLF = /\[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: ([+-]\d{4}))?\]/;

/** Reads the first timestamp of each sampled line; no SQL, no parsing of the line's format. */
export function timeEvidence(sample: readonly string[]): TimeEvidence {
  const counts = new Map<string, number>();
  let withoutOffset = 0;
  let timed = 0;
  for (const line of sample) {
    if (line.startsWith('#')) continue;
    const m = ISO.exec(line) ?? CLF.exec(line);
    if (!m) continue;
    timed++;
    if (m[1]) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    else withoutOffset++;
  }
  const offsets = [...counts].sort((a, b) => b[1] - a[1]).map(([o]) => o);
  const w3cLocal = sample.some((l) => /^#Fields:.*\b(date-local|time-local)\b/.test(l));
  return { offsets, withoutOffset, timed, w3cLocal };
}

/** Formats whose times may be written without an offset, read in the source's `timezone:` then. */
const ZONE_READERS = new Set(['jsonl', 'caddy', 'traefik_json', 'cloudflare', 'haproxy']);
/** Formats whose times are UTC by definition. */
const UTC_BY_FORMAT: Record<string, string> = {
  w3c: 'W3C date/time are UTC',
  aws_alb: 'AWS writes UTC',
  aws_elb: 'AWS writes UTC',
  cloudfront: 'CloudFront writes UTC',
  aws_s3: 'S3 writes UTC offsets',
};

/** Whether the source needs `timezone:` to read its times, and the sentence that says why. */
export function zoneVerdict(format: string, e: TimeEvidence): { needsZone: boolean; evidence: string } {
  const seen = e.offsets.length > 0 ? `offsets ${e.offsets.slice(0, 4).join(', ')} written in the times` : 'no UTC offset in the sampled times';
  if (format === 'w3c' && e.w3cLocal) return { needsZone: true, evidence: 'the #Fields: header names date-local/time-local: local times' };
  if (UTC_BY_FORMAT[format]) return { needsZone: false, evidence: `${UTC_BY_FORMAT[format]} (${seen})` };
  if (!ZONE_READERS.has(format)) return { needsZone: false, evidence: e.timed === 0 ? 'no time found in the sample' : seen };
  // HAProxy's accept date never has an offset; an RFC 5424 header's offset serves when present.
  const needsZone = format === 'haproxy' ? e.offsets.length === 0 : e.withoutOffset > 0;
  const without = e.withoutOffset > 0 ? `${e.withoutOffset} of ${e.timed} sampled times without an offset` : seen;
  return { needsZone, evidence: needsZone ? `${without}: they are local times of a zone only the server's owner knows` : seen };
}
