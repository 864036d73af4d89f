import { Store } from '../db/store.js';
import { compileRoute } from './routes.js';
import { compileDefinition } from '../formats/defined.js';
import { UserError, type UserMessage } from '../util/user-error.js';
import type { CaseFile } from './case-file.js';

/** What RE2 says, and what to write instead, for the constructs people bring from other engines. */
function regexHelp(error: string): string {
  if (/invalid perl operator: \(\?(=|!|<=|<!)/.test(error)) return 'RE2 (DuckDB) has no lookahead or lookbehind: match the text itself, e.g. (?<doc>[0-9]+) followed by what must come next';
  if (/invalid perl operator: \(\?</.test(error)) return 'RE2 names a group (?P<name>...); only (?<doc>...) is rewritten so';
  if (/invalid escape sequence: \\[1-9]/.test(error)) return 'RE2 (DuckDB) has no backreferences (\\1): write the repeated part out';
  if (/invalid repetition size/.test(error)) return 'RE2 allows repetition counts up to 1000';
  return 'write the route in RE2 syntax (https://github.com/google/re2/wiki/Syntax), the regex engine DuckDB runs';
}

/**
 * Compiles, in DuckDB itself, what the case file hands to DuckDB as text: every route's regex
 * (RE2, which refuses lookarounds and backreferences JavaScript takes) and each format
 * definition's pattern and strftime. A problem is a case-file error (exit 2) naming the key and
 * line, before any log is read, rather than a DuckDB failure (exit 3) halfway through a run.
 */
export async function checkCaseWithDuckDb(caseFile: CaseFile): Promise<void> {
  const checks: { kind: 'regex' | 'strptime'; text: string; path: (string | number)[]; what: string }[] = [];
  caseFile.documents.routes.forEach((r, i) => {
    checks.push({ kind: 'regex', text: compileRoute(r).pathRegex, path: ['documents', 'routes', i], what: `route '${r}' is not a regex DuckDB can run` });
  });
  caseFile.sources.forEach((s, i) => {
    if (typeof s.format === 'string') return;
    const compiled = compileDefinition(s.format);
    const path = ['sources', i, 'format', s.format.server];
    checks.push({ kind: 'regex', text: compiled.pattern, path, what: `this ${s.format.server} format cannot be read: its pattern is not a regex DuckDB can run` });
    if (compiled.strptime !== undefined) checks.push({ kind: 'strptime', text: compiled.strptime, path, what: `this ${s.format.server} format cannot be read: DuckDB cannot read times written as '${compiled.strptime}'` });
  });
  if (checks.length === 0) return;
  const problems: UserMessage[] = [];
  const store = await Store.memory();
  try {
    for (const c of checks) {
      try {
        if (c.kind === 'regex') await store.run("SELECT regexp_matches('', $re)", { re: c.text });
        else await store.run("SELECT try_strptime('', $f)", { f: c.text });
      } catch (e) {
        const why = (e as Error).message.split('\n')[0]!.replace(/^Invalid Input Error: /, '');
        const help =
          c.kind === 'regex'
            ? regexHelp(why)
            : 'use the strftime codes DuckDB reads (%d %b %Y %H %M %S %z %f ...; see https://duckdb.org/docs/sql/functions/dateformat), or %t';
        problems.push({ what: `${c.path.map((k) => (typeof k === 'number' ? `[${k}]` : k)).join('.').replaceAll('.[', '[')}: ${c.what}`, why, where: caseFile.locate(c.path), help });
      }
    }
  } finally {
    store.close();
  }
  if (problems.length > 0) throw new UserError(problems);
}
