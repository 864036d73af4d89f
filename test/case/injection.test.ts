import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeJson, combinedLine, makeCase, runCli } from '../helpers.js';

/*
 * Every case value that reaches SQL (paths and globs, route patterns, field names, account names,
 * document ids from the reference CSVs, CIDRs) is a bound parameter or goes through one quoting
 * helper (src/db/sql.ts). Here each holds quotes, backslashes, `'); DROP TABLE events; --`, NUL
 * and newlines, and the analysis must still count exactly what it would count for tame names.
 */

const DROP = `'); DROP TABLE events; --`;
/** The same, as an NCSA user field can carry it (no spaces). */
const DROP_WORD = `');DROP/**/TABLE/**/events;--`;
const T = '16/Mar/2015:10:00:00 +0000';
/** A YAML double-quoted scalar for any string (JSON is valid YAML). */
const y = (s: string) => JSON.stringify(s);

describe('hostile case values', () => {
  test('when every SQL-bound case value holds quotes, backslashes, a DROP TABLE, NUL and a newline then the figures are exact and the store is intact', () => {
    const logName = `it's "odd" \\ ${DROP}\nx.log`;
    const alice = `alice${DROP_WORD}`;
    const carol = `carol${DROP_WORD}`;
    const staff = `staff"\\${DROP}\u0000`;
    const lines = [
      combinedLine({ ip: '198.51.100.1', user: 'alice', time: T, path: "/docs/D'1/view" }), // unauthorized: D'1 is bob\'s
      combinedLine({ ip: '198.51.100.2', user: alice, time: T, path: '/docs/D%222/view' }), // unauthorized: D"2 is carol...'s
      combinedLine({ ip: '198.51.100.3', user: carol, time: T, path: '/docs/D%222/view' }), // her own document
      combinedLine({ ip: '198.51.100.4', time: T, path: "/x');DROP--/D'1" }), // anonymous, through the hostile route
      combinedLine({ ip: '198.51.100.5', user: 'staff-impostor', time: T, path: "/docs/D'1/view" }), // unauthorized
    ];
    // The staff account (NUL and all) cannot be written in an NCSA user field; its access comes from a JSON log.
    const json = `${JSON.stringify({ time: '2015-03-16T10:00:00Z', [`who'${DROP}`]: staff, remote_addr: '198.51.100.6', request_uri: "/docs/D'1/view", status: 200 })}\n`;
    const casePath = makeCase(
      [
        'case: hostile values',
        'sources:',
        '  - name: web',
        `    path: ${y(logName)}`,
        '    format: combined',
        '  - name: app',
        `    path: ${y(`app${DROP}.jsonl`)}`,
        '    format: jsonl',
        '    fields:',
        `      account: ${y(`who'${DROP}`)}`,
        'network:',
        '  trusted_proxies: [10.0.0.0/8]',
        'documents:',
        `  routes: [${y('/docs/{doc}/view')}, ${y(`/x');DROP--/{doc}`)}]`,
        '  owners: owners.csv',
        'authorized:',
        `  accounts: [${y(staff)}]`,
      ].join('\n'),
      {
        [logName]: `${lines.join('\n')}\n`,
        [`app${DROP}.jsonl`]: json,
        'owners.csv': `document_id,owner_account\n"D'1","bob\\"\n"D""2",${y(carol).replaceAll('\\"', '""')}\n`,
      },
    );
    const first = analyzeJson(casePath);
    // Unauthorized: lines 1, 2, 4 and 5 of the web log; line 3 is the owner's, the app log's is staff's.
    const expected = { unauthorized_accesses: 4, documents: 2, unique_ips: 4, affected_subjects: 2, accounts: 3, anonymous_accesses: 1 };
    assert.deepEqual(
      Object.fromEntries(Object.keys(expected).map((k) => [k, first.summary[k as keyof typeof first.summary]])),
      expected,
    );
    assert.deepEqual([first.ingest.events, first.ingest.rejected_lines], [6, 0]);
    // A second run reads the same store: the events table is still there, and nothing was read twice.
    const second = analyzeJson(casePath);
    assert.deepEqual(second.summary, first.summary);
    assert.equal(second.ingest.events, 6);
  });

  test('when a CIDR, a JSON key or a glob cannot be used then it is a case-file or no-match error naming the key, never SQL', () => {
    const cidr = runCli(['analyze', makeCase(`case: c\nsources:\n  - {name: w, path: a.log}\nnetwork:\n  trusted_proxies: [${y(`10.0.0.0/8${DROP}`)}]\n`, { 'a.log': '' })]);
    assert.equal(cidr.code, 2);
    assert.match(cidr.stderr, /network\.trusted_proxies\[0\]/);
    const key = runCli(['analyze', makeCase(`case: c\nsources:\n  - name: w\n    path: a.log\n    format: jsonl\n    fields: {account: ${y('who\\')}}\n`, { 'a.log': '' })]);
    assert.equal(key.code, 2);
    assert.match(key.stderr, /sources\[0\]\.fields\.account: 'who\\' cannot be read: a key with a double quote or a backslash/);
    const glob = runCli(['analyze', makeCase(`case: c\nsources:\n  - {name: w, path: ${y(`*${DROP}*.log`)}}\n`, { 'a.log': '' })]);
    assert.equal(glob.code, 2);
    assert.match(glob.stderr, /matches no file/);
  });
});
