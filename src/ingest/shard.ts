import { UserError } from '../util/user-error.js';

/** Shard `index` (1-based) of `count`: the files whose SHA-256 falls in it are this process's share. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `--shard I/N` (1 <= I <= N): anything else is a usage error naming the form. */
export function parseShard(text: string): Shard {
  const m = /^([0-9]{1,6})\/([0-9]{1,6})$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UserError({
      what: `--shard ${JSON.stringify(text)} is not a shard`,
      why: 'a shard is I/N: this process reads shard I of N, with 1 <= I <= N',
      help: 'run N processes with --shard 1/N, --shard 2/N, ... --shard N/N, each with its own --db',
    });
  }
  return { index, count };
}

/**
 * Whether a file whose bytes hash to `sha256` (hex) belongs to `shard`: its first 8 hex digits as
 * an integer, modulo N, is I - 1. The same file (a copy too) lands in the same shard on every
 * machine, so N processes read every file once between them.
 */
export function inShard(sha256: string, shard: Shard): boolean {
  return Number.parseInt(sha256.slice(0, 8), 16) % shard.count === shard.index - 1;
}

export { fileSha256 } from '../util/file-sha256.js';
