/** Closed vocabularies of the case file and detectors; types are derived from these arrays. */

/** Format names come from the reader registry (a name is valid when a reader has it). */
export { FORMAT_NAMES } from '../formats/registry.js';
export type FormatName = string;

export const SOURCE_ROLES = ['access', 'identity'] as const;
export type SourceRole = (typeof SOURCE_ROLES)[number];

/** Event fields a reader can fill (and a jsonl `fields` map can name): from the event schema. */
export { EVENT_FIELDS, type EventField } from '../db/schema.js';

export const DETECTOR_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const DETECTOR_STATUSES = ['experimental', 'test', 'stable', 'deprecated'] as const;
export const COUNTS_AS = ['disclosure', 'attempt', 'context'] as const;
export type CountsAs = (typeof COUNTS_AS)[number];
