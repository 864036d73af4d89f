import { InvalidArgumentError } from 'commander';

/**
 * `--top`, `--gap-hours`, `--max-rows`: a whole number of at least 1, written as digits. parseInt
 * read `1e9` as 1 and `abc` as NaN; a value that is not plainly a count is refused (exit 2).
 */
export function positiveInteger(text: string): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`'${text}' is not a whole number of at least 1 (digits only, e.g. 10).`);
  }
  return value;
}
