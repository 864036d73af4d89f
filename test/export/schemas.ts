import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { SCHEMAS } from '../helpers.js';

/**
 * Checks records against the published definitions in ../shared/schemas (see its README):
 * ECS's fields.csv (every field exists, with a value of its type) and OCSF's HTTP Activity class
 * with the objects it uses (attributes exist, types match, required attributes and at_least_one
 * constraints hold, enums). Each returns the problems found, empty when the record fits.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** The rows of a CSV text (quoted cells hold commas, line ends and doubled quotes). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else if (c !== '\r') cell += c;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}

export function ecsVersion(): string {
  return readFileSync(path.join(SCHEMAS, 'ecs', 'version'), 'utf8').trim();
}

let ecsFields: Map<string, { type: string; array: boolean }> | undefined;
function ecs(): Map<string, { type: string; array: boolean }> {
  if (ecsFields) return ecsFields;
  const [head, ...rows] = csvRows(readFileSync(path.join(SCHEMAS, 'ecs', 'fields.csv'), 'utf8'));
  const at = (name: string) => head!.indexOf(name);
  ecsFields = new Map(rows.map((c) => [c[at('Field')]!, { type: c[at('Type')]!, array: (c[at('Normalization')] ?? '').includes('array') }] as const));
  return ecsFields;
}

function ecsTypeProblem(type: string, v: Json): string | undefined {
  switch (type) {
    case 'keyword': case 'constant_keyword': case 'wildcard': case 'match_only_text': case 'text':
      return typeof v === 'string' ? undefined : 'not a string';
    case 'long': case 'integer': case 'short': case 'byte': case 'unsigned_long':
      return Number.isInteger(v) ? undefined : 'not an integer';
    case 'float': case 'scaled_float': case 'double':
      return typeof v === 'number' ? undefined : 'not a number';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'not a boolean';
    case 'date':
      return typeof v === 'string' && ISO.test(v) ? undefined : 'not an ISO 8601 date';
    case 'ip':
      return typeof v === 'string' && isIP(v) !== 0 ? undefined : 'not an IP address';
    case 'object': case 'flattened':
      return isObject(v) ? undefined : 'not an object';
    default:
      return `unchecked ECS type ${type}`;
  }
}

/** Every leaf outside `breachscope.*` (custom fields, as ECS advises) is an ECS field with a value of its type. */
export function ecsProblems(record: Record<string, Json>): string[] {
  const problems: string[] = [];
  const fields = ecs();
  const walk = (prefix: string, v: Json) => {
    if (prefix === 'breachscope' || prefix.startsWith('breachscope.')) return;
    const field = fields.get(prefix);
    if (field && field.type !== 'object' && field.type !== 'nested') {
      const values = Array.isArray(v) ? v : [v];
      if (Array.isArray(v) && !field.array && v.length !== 1) problems.push(`${prefix}: an array, and ECS does not make it one`);
      for (const x of values) {
        const p = ecsTypeProblem(field.type, x);
        if (p) problems.push(`${prefix}: ${JSON.stringify(x)} is ${p} (ECS type ${field.type})`);
      }
      return;
    }
    if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
      return;
    }
    problems.push(`${prefix}: not an ECS field`);
  };
  walk('', record);
  for (const required of ['@timestamp', 'ecs.version', 'event.kind', 'event.category', 'event.type', 'event.dataset', 'event.original', 'log.file.path', 'message']) {
    const value = required.split('.').reduce<Json | undefined>((o, k) => (isObject(o) ? o[k] : undefined), record);
    if (value === undefined) problems.push(`${required}: missing`);
  }
  return problems;
}

interface OcsfAttribute {
  readonly requirement?: string;
  readonly type?: string;
  readonly enum?: Record<string, unknown>;
}
interface OcsfFile {
  readonly attributes: Record<string, OcsfAttribute>;
  readonly constraints?: { readonly at_least_one?: readonly string[] };
  readonly extends?: string;
}
interface OcsfDefinition {
  readonly attributes: Record<string, OcsfAttribute>;
  /** Each group needs one of its attributes: the definition's own and those of what it extends. */
  readonly atLeastOne: readonly (readonly string[])[];
}
interface OcsfDictionary {
  readonly attributes: Record<string, { type: string; is_array?: boolean; enum?: Record<string, unknown> }>;
  readonly types: { attributes: Record<string, { type?: string }> };
}

const ocsfDir = () => path.join(SCHEMAS, 'ocsf');
/**
 * Attributes a profile adds to every class that includes it (base_event includes `host`): the
 * profile files are not in ../shared/schemas, so the one a record uses is named here, and a
 * record may use them only when metadata.profiles declares the profile, as OCSF asks.
 */
const PROFILE_ATTRIBUTES: Record<string, readonly string[]> = { host: ['actor', 'device'] };
/** Checked against the class arithmetic below, not an enum (base_event's enum lists only 0). */
const COMPUTED = new Set(['class_uid', 'category_uid', 'type_uid']);
const readJson = <T>(...parts: string[]) => JSON.parse(readFileSync(path.join(ocsfDir(), ...parts), 'utf8')) as T;

export function ocsfVersion(): string {
  return readJson<{ version: string }>('version.json').version;
}

/** A class or object with the attributes of what it extends (objects not in the folder, `object` and `_entity`, add none). */
function definition(kind: 'events' | 'objects', name: string): OcsfDefinition {
  const files: Record<string, string[]> = { http_activity: ['events', 'network', 'http_activity.json'], network: ['events', 'network', 'network.json'], base_event: ['events', 'base_event.json'] };
  let own: OcsfFile;
  try {
    own = readJson<OcsfFile>(...(kind === 'events' ? files[name]! : ['objects', `${name}.json`]));
  } catch {
    return { attributes: {}, atLeastOne: [] };
  }
  const parent: OcsfDefinition = own.extends ? definition(kind, own.extends) : { attributes: {}, atLeastOne: [] };
  const attributes: Record<string, OcsfAttribute> = { ...parent.attributes };
  for (const [k, v] of Object.entries(own.attributes)) if (k !== '$include') attributes[k] = { ...attributes[k], ...v };
  return { attributes, atLeastOne: [...parent.atLeastOne, ...(own.constraints?.at_least_one ? [own.constraints.at_least_one] : [])] };
}

function scalarProblem(type: string, dict: OcsfDictionary, v: Json): string | undefined {
  const base = dict.types.attributes[type]?.type ?? type;
  if (['integer_t', 'long_t', 'port_t', 'timestamp_t'].includes(type) || ['integer_t', 'long_t'].includes(base)) return Number.isInteger(v) ? undefined : 'not an integer';
  if (type === 'float_t') return typeof v === 'number' ? undefined : 'not a number';
  if (type === 'boolean_t') return typeof v === 'boolean' ? undefined : 'not a boolean';
  if (type === 'json_t') return undefined;
  if (type === 'ip_t') return typeof v === 'string' && isIP(v) !== 0 ? undefined : 'not an IP address';
  if (type === 'datetime_t') return typeof v === 'string' && ISO.test(v) ? undefined : 'not an RFC 3339 time';
  if (type === 'string_t' || base === 'string_t') return typeof v === 'string' ? undefined : 'not a string';
  return `unchecked OCSF type ${type}`;
}

/** Every attribute exists in HTTP Activity (with network and base_event) or its object, typed right; required ones present. */
export function ocsfProblems(record: Record<string, Json>): string[] {
  const dict = readJson<OcsfDictionary>('dictionary.json');
  const problems: string[] = [];
  const declared = isObject(record.metadata) && Array.isArray(record.metadata.profiles) ? record.metadata.profiles.map(String) : [];
  const check = (where: string, def: OcsfDefinition, value: Record<string, Json>) => {
    for (const [name, attr] of Object.entries(def.attributes)) {
      if (attr.requirement === 'required' && !(name in value)) problems.push(`${where}${name}: required, missing`);
    }
    for (const group of def.atLeastOne) if (!group.some((g) => g in value)) problems.push(`${where || '(record)'}: needs at least one of ${group.join(', ')}`);
    for (const [name, v] of Object.entries(value)) {
      const fromProfile = where === '' && declared.some((p) => PROFILE_ATTRIBUTES[p]?.includes(name));
      const attr = def.attributes[name] ?? (fromProfile ? {} : undefined);
      if (!attr) {
        problems.push(`${where}${name}: not an attribute here`);
        continue;
      }
      const entry = dict.attributes[name];
      const type = attr.type ?? entry?.type;
      if (!type) {
        problems.push(`${where}${name}: no type in the dictionary`);
        continue;
      }
      const values = entry?.is_array ? (Array.isArray(v) ? v : (problems.push(`${where}${name}: must be an array`), [])) : [v];
      for (const x of values) {
        if (type === 'object') {
          if (!isObject(x)) problems.push(`${where}${name}: not an object`);
        } else if (type.endsWith('_t')) {
          const p = scalarProblem(type, dict, x);
          if (p) problems.push(`${where}${name}: ${JSON.stringify(x)} is ${p}`);
          const allowed = attr.enum ?? entry?.enum;
          if (allowed && !COMPUTED.has(name) && !(String(x) in allowed) && !['0', '99'].includes(String(x))) problems.push(`${where}${name}: ${String(x)} is not in its enum`);
        } else if (!isObject(x)) problems.push(`${where}${name}: not a ${type} object`);
        else check(`${where}${name}.`, definition('objects', type), x);
      }
    }
  };
  check('', definition('events', 'http_activity'), record);
  if (record.class_uid !== 4002) problems.push('class_uid is not 4002 (HTTP Activity)');
  if (record.category_uid !== 4) problems.push('category_uid is not 4 (Network Activity)');
  if (record.type_uid !== 4002 * 100 + Number(record.activity_id)) problems.push('type_uid is not class_uid * 100 + activity_id');
  return problems;
}

/** Timesketch's JSONL import needs message, datetime (ISO 8601) and timestamp_desc; timestamp is epoch microseconds. */
export function timesketchProblems(record: Record<string, Json>): string[] {
  const problems: string[] = [];
  if (typeof record.message !== 'string' || record.message === '') problems.push('message: missing');
  if (typeof record.datetime !== 'string' || !ISO.test(record.datetime) || !/[+-]\d\d:\d\d$/.test(record.datetime)) problems.push('datetime: not ISO 8601 with an offset');
  if (typeof record.timestamp_desc !== 'string' || record.timestamp_desc === '') problems.push('timestamp_desc: missing');
  if (!Number.isInteger(record.timestamp) || Number(record.timestamp) !== Date.parse(String(record.datetime)) * 1000) problems.push('timestamp: not the datetime in epoch microseconds');
  for (const [k, v] of Object.entries(record)) if (isObject(v)) problems.push(`${k}: nested, and Timesketch fields are flat`);
  return problems;
}
