// Every case-file error that test/case/case-file.test.ts triggers, as the CLI prints it (the
// `error:` / `where:` / `why:` / `fix:` lines of formatUserMessage), compared exactly with
// test/case/golden/case-file-errors.txt. The temporary case folder is shown as <case-dir>. After an
// intended change to a message, refresh the golden with:
//   BREACHSCOPE_UPDATE_GOLDENS=1 node test/run.mjs test/case/case-file-errors-golden
// and read the diff before committing it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadCaseFile } from '../../src/case/case-file.js';
import { checkCaseWithDuckDb } from '../../src/case/duckdb-checks.js';
import { formatUserMessage, UserError } from '../../src/util/user-error.js';
import { makeCase } from '../helpers.js';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden', 'case-file-errors.txt');
const LOG = '203.0.113.7 - - [16/Mar/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"\n';
const SOURCE = 'sources: [{name: web, path: access.log}]\n';

/** The inputs of case-file.test.ts that a case file is refused for, by the name of the test. */
const CASES: readonly (readonly [string, string])[] = [
  ['misspelt key', 'case: x\nsources:\n  - name: web\n    path: access.log\n    fromat: combined\n'],
  ['unknown top-level key', `case: x\nwindw: {from: 2015-01-01}\n${SOURCE}`],
  ['wrong type', 'case: x\nsources:\n  - name: web\n    path: 42\n'],
  ['missing required key', 'case: x\nsources:\n  - name: web\n    format: combined\n'],
  ['unknown format', 'case: x\nsources:\n  - {name: web, path: access.log, format: combind}\n'],
  ['bad CIDR', `case: x\n${SOURCE}network:\n  trusted_proxies: [10.0.0.0/24, 10.0.0.0/33]\n`],
  ['time not ISO 8601', `case: x\nwindow: {from: "16/03/2015"}\n${SOURCE}`],
  ['reversed window', `case: x\nwindow: {from: 2015-04-01T00:00:00Z, to: 2015-03-01T00:00:00Z}\n${SOURCE}`],
  ['time zone not IANA', 'case: x\nsources: [{name: web, path: access.log, timezone: Europe/Londn}]\n'],
  ['fields on a non-jsonl source', 'case: x\nsources: [{name: web, path: access.log, format: combined, fields: {time: ts}}]\n'],
  ['unknown event field', 'case: x\nsources: [{name: app, path: access.log, format: jsonl, fields: {acount: user}}]\n'],
  ['reference files missing', `case: x\n${SOURCE}documents:\n  routes: [/d/{doc}]\n  owners: nope.csv\n  grants: nope2.csv\n`],
  ['source name used twice', 'case: x\nsources: [{name: web, path: access.log}, {name: web, path: access.log}]\n'],
  ['broken YAML', 'case: x\nsources:\n  - name: web\n   path: access.log\n'],
  ['time zone BST', `case: x\ntimezone: BST\n${SOURCE}`],
  ['time zones IST and PST', 'case: x\nsources:\n  - {name: a, path: access.log, timezone: IST}\n  - {name: b, path: access.log, timezone: PST}\n'],
  ...['CST', 'EST', 'MST', 'HST', 'CET', 'EET', 'MET', 'WET', 'EST5EDT', 'PST8PDT', 'ACT', 'CTT', 'bst'].map((z) => [`time zone ${z}`, `case: x\ntimezone: ${z}\n${SOURCE}`] as const),
  ['regex route with lookahead and backreference', `case: x\n${SOURCE}documents:\n  routes:\n    - /ok/{doc}\n    - "regex:^/d/(?<doc>[0-9]+)(?=/)"\n    - "regex:^/(a)\\\\1/(?<doc>[0-9]+)"\n`],
  ['apache strftime DuckDB cannot read', `case: x\nsources:\n  - name: web\n    path: access.log\n    timezone: UTC\n    format: {apache: '%h %l %u [%{%d/%b/%Y %H:%M:%S %Q}t] "%r" %>s %b'}\n`],
  ['detector parameters out of range', `case: x\n${SOURCE}detectors:\n  document_id_enumeration:\n    window_minutes: 1e18\n    min_documents: .nan\n    min_sequential: -5\n  document_access_attempts: {burst_minutes: .inf, burst_min: 2.5}\n`],
];

/** What the CLI prints for the case file (loaded, then compiled by DuckDB as every command does). */
async function printed(yaml: string): Promise<string> {
  const file = makeCase(yaml, { 'access.log': LOG });
  try {
    await checkCaseWithDuckDb(loadCaseFile(file));
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    // The case file is named relative to the working folder, or absolute: both depend on the machine.
    const dir = path.dirname(file);
    return e.messages.map(formatUserMessage).join('\n').replaceAll(path.relative(process.cwd(), dir), '<case-dir>').replaceAll(dir, '<case-dir>');
  }
  return assert.fail('the case file was accepted');
}

describe('case-file error goldens', () => {
  it('when each refused case file of the case-file tests is loaded then its messages equal the golden file', async () => {
    const sections: string[] = [];
    for (const [name, yaml] of CASES) sections.push(`## ${name}\n${await printed(yaml)}\n`);
    const actual = sections.join('\n');
    if (process.env.BREACHSCOPE_UPDATE_GOLDENS === '1') {
      mkdirSync(path.dirname(GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, actual);
      return;
    }
    assert.ok(existsSync(GOLDEN), `no golden file ${GOLDEN}: write it with BREACHSCOPE_UPDATE_GOLDENS=1 (see the top of this test)`);
    const expected = readFileSync(GOLDEN, 'utf8');
    // Section by section, so that a failure names the case whose message changed.
    const split = (t: string) => new Map(t.split(/\n(?=## )/).map((s) => [s.slice(0, s.indexOf('\n')), s.trim()]));
    const want = split(expected);
    for (const [title, text] of split(actual)) assert.equal(text, want.get(title), `${title} differs from the golden file`);
    assert.equal(actual, expected);
  });
});
