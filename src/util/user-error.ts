import { terminalSafe } from './terminal-safe.js';

/**
 * The one shape of a message a person reads: what went wrong, why, where, and how to fix it
 * (after lnav's user_message). Thrown for mistakes in input; the CLI prints it without a stack.
 */
export const EXIT = {
  ok: 0,
  /** `verify`: the evidence pack changed, misses a file, holds another, or disagrees with its figures or inputs. */
  changed: 1,
  /** Usage or case-file error: the person can fix the input. */
  usage: 2,
  /** Runtime failure: the store is busy, a file cannot be read, DuckDB failed. */
  runtime: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface UserMessage {
  readonly what: string;
  readonly why?: string;
  /** A file:line, or a case-file key path such as `sources[0].format`. */
  readonly where?: string;
  readonly help?: string;
}

export class UserError extends Error {
  readonly messages: readonly UserMessage[];
  readonly exitCode: ExitCode;

  constructor(messages: UserMessage | readonly UserMessage[], exitCode: ExitCode = EXIT.usage) {
    const list = Array.isArray(messages) ? messages : [messages as UserMessage];
    super(list.map((m) => m.what).join('; '));
    this.name = 'UserError';
    this.messages = list;
    this.exitCode = exitCode;
  }
}

/**
 * The message as the terminal shows it. Every field may carry a file name or a value from a log
 * (a log named with an escape sequence, a FIFO in "matches no file"): each goes through the same
 * escaping as log fields, here, so that no caller has to remember it.
 */
export function formatUserMessage(m: UserMessage): string {
  const lines = [`error: ${terminalSafe(m.what)}`];
  if (m.where) lines.push(`  where: ${terminalSafe(m.where)}`);
  if (m.why) lines.push(`  why:   ${terminalSafe(m.why)}`);
  if (m.help) lines.push(`  fix:   ${terminalSafe(m.help)}`);
  return lines.join('\n');
}

/** Whether `e` is DuckDB running out of its memory limit (not a fault of the input it was reading). */
export function isOutOfMemory(e: unknown): boolean {
  return e instanceof Error && /^Out of Memory Error\b/.test(e.message);
}

/** DuckDB's out-of-memory failure as a message a person can act on (exit 3). */
export function outOfMemoryError(e: Error): UserError {
  return new UserError(
    {
      what: 'DuckDB ran out of the memory it may use',
      why: e.message.split('\n')[0]!,
      help: `set BREACHSCOPE_MEMORY_LIMIT higher (now ${process.env.BREACHSCOPE_MEMORY_LIMIT ?? '450MB'}; for example BREACHSCOPE_MEMORY_LIMIT=2GB), or BREACHSCOPE_THREADS=1; please report the case size to the breachscope developers`,
    },
    EXIT.runtime,
  );
}
