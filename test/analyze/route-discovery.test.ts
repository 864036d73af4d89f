import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Store } from '../../src/db/store.js';
import { caseRouteMatches, discoverRoutes, routeLine, topPathShapes } from '../../src/analyze/route-discovery.js';

/**
 * The discovery reads any relation with path, status and role (the seam the analysis will use for
 * the case's own events), so these tests feed it a small table of their own.
 */
let store: Store;

async function load(table: string, rows: readonly (readonly [string, number] | readonly [string, number, string])[]): Promise<void> {
  await store.run(`CREATE OR REPLACE TABLE ${table} (path VARCHAR, status INTEGER, role VARCHAR)`);
  for (const [path, status, role] of rows) await store.run(`INSERT INTO ${table} VALUES ($path, $status, $role)`, { path, status, role: role ?? 'access' });
}

/** The shape each path alone falls into. */
async function shapeOf(path: string): Promise<string> {
  await load('one', [[path, 200]]);
  const shapes = await topPathShapes(store, 'one', 5);
  assert.equal(shapes.length, 1);
  return shapes[0]!.shape;
}

before(async () => {
  store = await Store.memory();
});
after(() => store.close());

describe('path shapes', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['all digits', '/product/12900/21450/nice-red-shoe', '/product/{id}/{id}/{slug}'],
    ['a UUID', '/files/1b4e28ba-2fa1-11d2-883f-0016d3cca427', '/files/{id}'],
    ['hex of 8+ without a digit', '/blob/deadbeefcafe', '/blob/{id}'],
    ['letters and digits of 6+', '/tickets/IT40561182/image', '/tickets/{id}/image'],
    ['a percent-encoded id', '/tickets/%49T40561182/image', '/tickets/{id}/image'],
    ['base64url of 16+', '/s/aGVsbG8td29ybGQ9PQ', '/s/{id}'],
    ['a slug in another script, with dots and brackets', '/product/1/2/%D8%AF%D9%88%DA%86%D8%B1%D8%AE%D9%87-%D9%85%D8%AF%D9%84-NEVADA-1.7-(2016)', '/product/{id}/{id}/{slug}'],
    ['a file name with an id', '/statements/12345.pdf', '/statements/{id}.pdf'],
    ['an id behind a word prefix', '/docs/inv-00123.pdf', '/docs/inv-{id}.pdf'],
    ['static words, versions and short tokens', '/api/v1/tickets/image', '/api/v1/tickets/image'],
    ['camelCase words of 16+', '/api/getDocumentsForAccount', '/api/getDocumentsForAccount'],
    ['snake_case words with digits of 16+', '/help/reset_password_step2', '/help/reset_password_step2'],
    ['a short mixed token', '/img/p53', '/img/p53'],
    ['an absolute-form target', 'http://portal.example/tickets/IT40561182/image', '/tickets/{id}/image'],
    ['id-like query values, sorted by name, others dropped', '/download?statement=998877&lang=en&acct=M172273', '/download?acct={id}&statement={id}'],
    ['a query value that is a file name with an id', '/get?file=12345.pdf', '/get?file={id}'],
    ['a repeated parameter', '/get?id=1&id=x&id=2', '/get?id={id}'],
    ['a literal with braces', '/a/{id}/b', '/a/%7Bid%7D/b'],
  ];
  for (const [what, path, shape] of cases) {
    test(`when a path has ${what} then it collapses to ${shape}`, async () => {
      assert.equal(await shapeOf(path), shape);
    });
  }

  test('when a repeated parameter is first seen with a value that is not an id then the parameter is not a position', async () => {
    // A route reads the first `id=`, here `x`: the shape must not promise an id the route cannot read.
    assert.equal(await shapeOf('/get?id=x&id=2'), '/get');
  });

  test('when events of another role or without a path are in the relation then only access requests count', async () => {
    await load('mixed', [
      ['/tickets/IT40561182/image', 200],
      ['/tickets/IT40561183/image', 404],
      ['/tickets/IT40561184/image', 200, 'identity'],
      ['/login', 200],
    ]);
    await store.run('INSERT INTO mixed VALUES (NULL, 200, $r)', { r: 'access' });
    assert.deepEqual(await topPathShapes(store, 'mixed', 10), [
      { shape: '/tickets/{id}/image', requests: 2 },
      { shape: '/login', requests: 1 },
    ]);
  });

  test('when the relation name is not a plain name then it is refused before any SQL runs', async () => {
    await assert.rejects(topPathShapes(store, 'events; DROP TABLE x', 1), /not a relation name/);
  });
});

describe('discoverRoutes', () => {
  before(async () => {
    const rows: [string, number][] = [];
    // Real documents: 4 ids, all in the owners file; one request each plus a 404.
    for (const id of ['DOC10001', 'DOC10002', 'DOC10003', 'DOC10004']) rows.push([`/account/M172273/doc/${id}/view?download=${id}.pdf&lang=en`, 200]);
    rows.push(['/account/M172273/doc/DOC10005/view?download=DOC10005.pdf', 404]);
    // An image cache with more distinct values, none of them documents.
    for (let i = 0; i < 8; i++) rows.push([`/thumb/${90000 + i}`, 200]);
    rows.push(['/login', 200], ['/login', 302]);
    await load('ev', rows);
    await store.run("CREATE OR REPLACE TABLE own AS SELECT * FROM (VALUES ('DOC10001'), ('DOC10002'), ('DOC10003'), ('DOC10004')) t(document_id)");
  });

  test('when an owners file is given then the shape whose values are documents ranks first, each position with its line', async () => {
    const d = await discoverRoutes(store, { eventsRelation: 'ev', ownersRelation: 'own', top: 10 });
    assert.equal(d.accessRequests, 15);
    assert.equal(d.shapes, 3);
    assert.equal(d.shapesWithIds, 2);
    const first = d.top[0]!;
    assert.equal(first.shape, '/account/{id}/doc/{id}/view?download={id}');
    assert.equal(first.requests, 5);
    assert.equal(first.share2xx, 4 / 5);
    assert.deepEqual(
      first.candidates.map((c) => [c.segment ?? c.queryParameter, c.distinctValues, c.ownersMatchShare, c.route]),
      [
        // DOC10001..DOC10005: 4 of 5 in the owners file.
        [4, 5, 0.8, '/account/*/doc/{doc}/view'],
        // DOC10001.pdf..DOC10005.pdf: none; more distinct values than the account segment (M172273 alone).
        ['download', 5, 0, '/account/*/doc/*/view?download={doc}'],
        [2, 1, 0, '/account/{doc}/doc/*/view'],
      ],
    );
    assert.deepEqual([d.top[1]!.shape, d.top[1]!.candidates[0]!.ownersMatchShare, d.top[1]!.candidates[0]!.distinctValues], ['/thumb/{id}', 0, 8]);
  });

  test('when there is no owners file then distinct values rank first and no share is given', async () => {
    const d = await discoverRoutes(store, { eventsRelation: 'ev', top: 1 });
    assert.equal(d.top.length, 1);
    assert.equal(d.top[0]!.shape, '/thumb/{id}');
    assert.equal(d.top[0]!.candidates[0]!.ownersMatchShare, undefined);
    assert.equal(d.top[0]!.candidates[0]!.route, '/thumb/{doc}');
  });

  test('when no path has an id position then there is nothing to propose and the totals still count', async () => {
    await load('static', [['/login', 200], ['/', 200], ['/', 304]]);
    const d = await discoverRoutes(store, { eventsRelation: 'static', top: 5 });
    assert.deepEqual(d, { accessRequests: 3, shapes: 2, shapesWithIds: 0, top: [] });
  });

  test('when a proposed line is used as a route then it matches exactly the requests of its shape', async () => {
    const d = await discoverRoutes(store, { eventsRelation: 'ev', ownersRelation: 'own', top: 10 });
    const lines = d.top[0]!.candidates.map((c) => c.route!);
    const matches = await caseRouteMatches(store, lines, 'ev');
    // Every request of the shape names a document through each of its lines (the 404 too: routes match any status).
    assert.deepEqual(matches.map((m) => m.requests), [5, 5, 5]);
  });
});

describe('routeLine', () => {
  test('when a shape has a slug and several ids then only the chosen position becomes {doc}', () => {
    assert.equal(routeLine('/product/{id}/{id}/{slug}', { segment: 2 }), '/product/{doc}/*/*');
    assert.equal(routeLine('/product/{id}/{id}/{slug}', { segment: 3 }), '/product/*/{doc}/*');
  });

  test('when the id is part of a segment then the literal around it stays', () => {
    assert.equal(routeLine('/statements/inv-{id}.pdf', { segment: 2 }), '/statements/inv-{doc}.pdf');
  });

  test('when the id is a query value then the path ids become * and other parameters are left out', () => {
    assert.equal(routeLine('/a/{id}?b={id}&c={id}', { query: 'c' }), '/a/*?c={doc}');
  });

  test('when the route language cannot say it then there is no line', () => {
    assert.equal(routeLine('{id}', { segment: 0 }), undefined);
    assert.equal(routeLine('/x?a{b={id}', { query: 'a{b' }), undefined);
  });

  test('when a literal held braces then that segment becomes *', () => {
    assert.equal(routeLine('/a/%7Bid%7D/{id}', { segment: 3 }), '/a/*/{doc}');
  });
});
