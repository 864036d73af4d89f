import { EXIT, UserError, type ExitCode, type UserMessage } from '../util/user-error.js';

/** What ingest says of each file a source matched: read, appended to, recognised, failed or passed over. */
/** `ignored`: a path a glob matched that is not a file to read (a named pipe, a symlink loop...). */
export type FileStatus = 'ingested' | 'appended' | 'skipped' | 'failed' | 'ignored';

export interface RejectExample {
  readonly line: number;
  readonly reason: string;
}

export interface FileReport {
  readonly source: string;
  readonly path: string;
  readonly status: FileStatus;
  readonly format: string | undefined;
  readonly formatReason: string | undefined;
  readonly sha256: string;
  /** Non-blank lines read by this run, comments excepted: events + rejected. */
  readonly lines: number;
  /** Lines starting with '#', counted and not parsed. */
  readonly comments: number;
  readonly events: number;
  readonly rejected: number;
  readonly rejectExamples: readonly RejectExample[];
  readonly warnings: readonly string[];
  readonly note: string | undefined;
  /** How to fix a failed file. */
  readonly fix?: string;
  /** Why a file failed: it cannot be read (exit 3), or its content cannot be (exit 2). */
  readonly failure?: 'unreadable' | 'content';
  /** Which reader parsed the file: DuckDB's CSV reader on a uniform file, or the general one. */
  readonly reader?: 'fast' | 'general';
  /** The stored content this file holds, up to which line: what a run of the case counts. */
  readonly chain?: { readonly id: number; readonly upto: number; readonly bytes: number; readonly abs: string };
  /** Contents this path held before it held this one (internal: ingestCase turns it into a warning). */
  readonly replaced?: readonly number[];
}

/** The counts of a file of which nothing was read this run (failed, recognised, passed over). */
export const NOTHING_READ = { format: undefined, formatReason: undefined, lines: 0, comments: 0, events: 0, rejected: 0, rejectExamples: [] } as const;


/**
 * Some files could not be read at all; the others were ingested and are in `reports`. Exit 3 when
 * a file cannot be read (permissions, I/O), else 2 (a content no format fits: fix the input).
 */
export class IngestFailure extends UserError {
  constructor(
    messages: readonly UserMessage[],
    readonly reports: readonly FileReport[],
    exitCode: ExitCode = EXIT.usage,
  ) {
    super(messages, exitCode);
  }
}
