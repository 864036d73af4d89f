import type { FormatName } from '../case/vocabulary.js';
import { combined, common, vhostCombined } from './clf.js';
import type { LogFormat } from './format.js';
import { jsonl } from './jsonl.js';

/** Every reader, most specific first: `auto` prefers the earlier one when two fit equally. */
export const FORMATS: readonly LogFormat[] = [vhostCombined, combined, common, jsonl];

export function formatByName(name: Exclude<FormatName, 'auto'>): LogFormat {
  const f = FORMATS.find((x) => x.name === name);
  if (!f) throw new Error(`no reader for format ${name}`);
  return f;
}
