import { compileDefinition, type FormatDefinition } from './defined.js';
import { alb, cloudfront, elb, s3 } from './aws.js';
import { combined, common, vhostCombined } from './clf.js';
import type { LogFormat } from './format.js';
import { jsonl } from './jsonl.js';
import { haproxy } from './haproxy.js';
import { caddy, cloudflare, traefikClf, traefikJson } from './proxies.js';
import { w3c } from './w3c.js';

/** Every reader, most specific first: `auto` prefers the earlier one when two fit equally. */
export const FORMATS: readonly LogFormat[] = [caddy, traefikJson, traefikClf, haproxy, cloudflare, alb, elb, cloudfront, s3, w3c, vhostCombined, combined, common, jsonl];

/** The names a case file's `format:` takes: `auto` and every reader's. */
export const FORMAT_NAMES: readonly string[] = ['auto', ...FORMATS.map((f) => f.name)];

/** What the registry needs of a case-file source: the format it names. */
export interface FormatChoice {
  readonly format: string | FormatDefinition;
}

export function formatByName(name: string): LogFormat {
  const f = FORMATS.find((x) => x.name === name);
  if (!f) throw new Error(`no reader for format ${name}`);
  return f;
}

/** The reader `auto` reads a file with once it picked `format` (an NCSA format: the whole family). */
export function autoReader(format: LogFormat): LogFormat {
  return format.auto ?? format;
}

/**
 * The reader a source names: a built-in one, or the one its format definition compiles to;
 * with `name` (the format a file was read with), `auto`'s reader for that format.
 */
export function readerFor(source: FormatChoice, name?: string): LogFormat {
  if (typeof source.format === 'object') {
    const compiled = compileDefinition(source.format).format;
    if (name === undefined || name === compiled.name) return compiled;
  }
  if (source.format === 'auto' && name !== undefined) return autoReader(formatByName(name));
  return formatByName(name ?? (source.format as string));
}
