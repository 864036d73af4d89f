import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Store } from '../../src/db/store.js';
import { compileRoute, documentSql, RouteError } from '../../src/case/routes.js';
import { tempDir } from '../helpers.js';

describe('compileRoute', () => {
  test('when a route has no {doc} then it is refused', () => {
    assert.throws(() => compileRoute('/tickets/image'), (e) => e instanceof RouteError && /must contain \{doc\} exactly once/.test(e.message));
  });

  test('when a route has {doc} twice then it is refused', () => {
    assert.throws(() => compileRoute('/a/{doc}/{doc}'), (e) => e instanceof RouteError && /exactly once/.test(e.message));
    assert.throws(() => compileRoute('/a/{doc}?pcn={doc}'), (e) => e instanceof RouteError && /exactly once/.test(e.message));
    assert.throws(() => compileRoute('/a?x={doc}&y={doc}'), (e) => e instanceof RouteError && /may appear once/.test(e.message));
  });

  test('when a route does not start with / then it is refused', () => {
    assert.throws(() => compileRoute('tickets/{doc}/image'), (e) => e instanceof RouteError && /must start with \//.test(e.message));
  });

  test('when a brace holds something other than doc then it is refused', () => {
    assert.throws(() => compileRoute('/tickets/{id}/image'), (e) => e instanceof RouteError && /only \{doc\} may stand in braces/.test(e.message));
    assert.throws(() => compileRoute('/evidence?pcn={id}'), (e) => e instanceof RouteError && /\?name=\{doc\}/.test(e.message));
  });

  test('when a regex route has no named group doc then it is refused', () => {
    assert.throws(() => compileRoute('regex:^/tickets/([^/]+)/image$'), (e) => e instanceof RouteError && /named group \(\?<doc>/.test(e.message));
  });

  test('when a regex route does not compile then it is refused with the reason', () => {
    assert.throws(() => compileRoute('regex:^/tickets/(?<doc>[^/]+/image$'), RouteError);
  });

  test('when a regex route has groups before doc then the capture index counts only capturing groups', () => {
    assert.equal(compileRoute('regex:^/(api|v2)/(?:docs|files)/(?<doc>[^/?]+)').group, 2);
    assert.equal(compileRoute('regex:^/[(]x[)]/(?P<doc>[^/]+)$').group, 1);
    assert.equal(compileRoute('regex:^/\\(x\\)/(a)/(?<doc>[^/]+)$').group, 2);
  });
});

describe('documentSql evaluated by DuckDB', () => {
  let store: Store;
  before(async () => {
    store = await Store.open(tempDir());
  });
  after(() => store.close());

  const docOf = async (routes: readonly string[], target: string | null): Promise<string | null> => {
    const sql = `SELECT ${documentSql(routes.map(compileRoute), '$p')} AS d`;
    const [row] = await store.all<{ d: string | null }>(sql, { p: target });
    return row!.d;
  };

  test('when a path matches a {doc} route then the segment is the document id', async () => {
    assert.equal(await docOf(['/tickets/{doc}/image'], '/tickets/IT1/image'), 'IT1');
    assert.equal(await docOf(['/tickets/{doc}/image'], '/tickets/IT1/image?size=large&x=1'), 'IT1');
  });

  test('when the path has more or fewer segments than the route then it does not match', async () => {
    const r = ['/tickets/{doc}/image'];
    assert.equal(await docOf(r, '/tickets/IT1/image/extra'), null);
    assert.equal(await docOf(r, '/prefix/tickets/IT1/image'), null);
    assert.equal(await docOf(r, '/tickets/IT1/image/'), null);
    assert.equal(await docOf(r, '/tickets/a/b/image'), null);
    assert.equal(await docOf(r, '/tickets//image'), null);
    assert.equal(await docOf(r, '/tickets/IT1/imagex'), null);
  });

  test('when the id is percent-encoded then it is decoded, and %2F stays inside its segment', async () => {
    const r = ['/tickets/{doc}/image'];
    assert.equal(await docOf(r, '/tickets/IT%31234/image'), 'IT1234');
    assert.equal(await docOf(r, '/tickets/A%2FB/image'), 'A/B');
    assert.equal(await docOf(r, '/tickets/A%20B/image'), 'A B');
  });

  test('when the id does not decode to valid UTF-8 then the query does not fail', async () => {
    for (const target of ['/tickets/%ff/image', '/tickets/%c0%af/image']) {
      const d = await docOf(['/tickets/{doc}/image'], target);
      assert.ok(d === null || d === target.split('/')[2], `${target} gave ${String(d)}`);
    }
    const q = await docOf(['/evidence.aspx?pcn={doc}'], '/evidence.aspx?pcn=%C3');
    assert.ok(q === null || q === '%C3', String(q));
  });

  test('when a route has * then it matches exactly one segment', async () => {
    const r = ['/cases/*/documents/{doc}'];
    assert.equal(await docOf(r, '/cases/77/documents/D1'), 'D1');
    assert.equal(await docOf(r, '/cases/77/88/documents/D1'), null);
    assert.equal(await docOf(r, '/cases/documents/D1'), null);
  });

  test('when {doc} is part of a segment then only that part is the id and the literal part must match', async () => {
    const r = ['/files/IT{doc}.png'];
    assert.equal(await docOf(r, '/files/IT123.png'), '123');
    assert.equal(await docOf(r, '/files/IT123xpng'), null);
    assert.equal(await docOf(r, '/files/XX123.png'), null);
  });

  test('when the id is a query parameter then it is found wherever it stands, and other names do not match', async () => {
    const r = ['/evidence.aspx?pcn={doc}'];
    assert.equal(await docOf(r, '/evidence.aspx?pcn=X1'), 'X1');
    assert.equal(await docOf(r, '/evidence.aspx?a=1&pcn=X2'), 'X2');
    assert.equal(await docOf(r, '/evidence.aspx?pcn=X3&a=1'), 'X3');
    assert.equal(await docOf(r, '/evidence.aspx?a=1&pcn=X%34&b=2'), 'X4');
    assert.equal(await docOf(r, '/evidence.aspx?xpcn=X5'), null);
    assert.equal(await docOf(r, '/evidence.aspx?a=1&pcnx=X5'), null);
    assert.equal(await docOf(r, '/evidence.aspx?pcn='), null);
    assert.equal(await docOf(r, '/evidence.aspx'), null);
    assert.equal(await docOf(r, '/other.aspx?pcn=X6'), null);
    assert.equal(await docOf(r, '/evidence.aspx/x?pcn=X6'), null);
  });

  test('when the route names a required key=value then a request without it does not match', async () => {
    const r = ['/download?type=pcn&id={doc}'];
    assert.equal(await docOf(r, '/download?id=7&type=pcn'), '7');
    assert.equal(await docOf(r, '/download?type=pcn&id=8'), '8');
    assert.equal(await docOf(r, '/download?id=9&type=pcnx'), null);
    assert.equal(await docOf(r, '/download?id=9'), null);
  });

  test('when the target is in absolute form then its path is matched', async () => {
    assert.equal(await docOf(['/tickets/{doc}/image'], 'http://tickets.example:8080/tickets/IT9/image'), 'IT9');
  });

  test('when several routes match then the first one listed wins', async () => {
    const r = ['/files/{doc}', 'regex:^/files/(?<doc>.+)$'];
    assert.equal(await docOf(r, '/files/a'), 'a');
    assert.equal(await docOf(r, '/files/a/b'), 'a/b');
  });

  test('when a regex route has a named group doc then it matches path and query and the group is decoded', async () => {
    const r = ['regex:^/api/(v1|v2)/(?:docs|files)/(?<doc>[A-Za-z0-9%]+)(?:\\?.*)?$'];
    assert.equal(await docOf(r, '/api/v2/docs/AB12'), 'AB12');
    assert.equal(await docOf(r, '/api/v1/files/CD34?dl=1'), 'CD34');
    assert.equal(await docOf(r, '/api/v1/files/%45F56'), 'EF56');
    assert.equal(await docOf(r, '/api/v3/docs/AB12'), null);
    assert.equal(await docOf(r, '/api/v2/other/AB12'), null);
  });

  test('when a route holds a quote or backslash then the SQL is still well formed', async () => {
    assert.equal(await docOf(["/o'brien/{doc}"], "/o'brien/D1"), 'D1');
    assert.equal(await docOf(['regex:^/x\\\\y/(?<doc>[0-9]+)$'], '/x\\y/42'), '42');
  });

  test('when there are no routes or no path then there is no document', async () => {
    assert.equal(documentSql([], '$p'), 'NULL::VARCHAR');
    assert.equal(await docOf(['/tickets/{doc}/image'], null), null);
  });
});
