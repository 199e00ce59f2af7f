// The data API (/rest/v1/user_data) through supabase-js as one signed-in user: insert, select,
// every filter operator, order, limit, range and counts, single/maybeSingle, update, upsert,
// delete (reference sections 8, 9 and 11).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import {
  SUITE_TIMEOUT_MS, UUID_RE, expectDataError, expectOk, expectTimestamp, signUpUser,
} from './helpers.mjs';

// Four rows with distinct titles (so sorting by title is total), case variations in content
// for like/ilike, and two NULL metadata values for is/not/nullsFirst.
const SEED = [
  { title: 'a1', content: 'Hello World', metadata: { tag: 'x' } },
  { title: 'b2', content: 'hello there', metadata: null },
  { title: 'c3', content: 'bye hello', metadata: { tag: 'y' } },
  { title: 'd4', content: 'HELLO', metadata: null },
];

const titles = (rows) => rows.map((r) => r.title);
const sortedTitles = (rows) => titles(rows).sort();

// Filter cases, one named test each: what the query adds, and the titles it must return.
const FILTERS = [
  { name: 'eq', apply: (q) => q.eq('title', 'b2'), want: ['b2'] },
  { name: 'neq', apply: (q) => q.neq('title', 'b2'), want: ['a1', 'c3', 'd4'] },
  { name: 'gt', apply: (q) => q.gt('title', 'b2'), want: ['c3', 'd4'] },
  { name: 'gte', apply: (q) => q.gte('title', 'b2'), want: ['b2', 'c3', 'd4'] },
  { name: 'lt', apply: (q) => q.lt('title', 'b2'), want: ['a1'] },
  { name: 'lte', apply: (q) => q.lte('title', 'b2'), want: ['a1', 'b2'] },
  { name: 'like is case-sensitive', apply: (q) => q.like('content', 'hello%'), want: ['b2'] },
  { name: 'like with * as wildcard', apply: (q) => q.like('content', '*ello*'),
    want: ['a1', 'b2', 'c3'] },
  { name: 'ilike', apply: (q) => q.ilike('content', 'hello%'), want: ['a1', 'b2', 'd4'] },
  { name: 'is null', apply: (q) => q.is('metadata', null), want: ['b2', 'd4'] },
  { name: 'in (a value with a comma is quoted)', apply: (q) => q.in('title', ['a1', 'c3', 'no,such']),
    want: ['a1', 'c3'] },
  { name: 'not is null', apply: (q) => q.not('metadata', 'is', null), want: ['a1', 'c3'] },
  { name: 'not eq', apply: (q) => q.not('title', 'eq', 'a1'), want: ['b2', 'c3', 'd4'] },
  { name: 'not in', apply: (q) => q.not('title', 'in', '(a1,b2)'), want: ['c3', 'd4'] },
  { name: 'two filters on one column AND together',
    apply: (q) => q.gte('title', 'b2').lte('title', 'c3'), want: ['b2', 'c3'] },
  { name: 'eq on a uuid column', apply: (q, ids) => q.eq('id', ids.c3), want: ['c3'] },
  { name: 'or', apply: (q) => q.or('title.eq.a1,content.eq.HELLO'), want: ['a1', 'd4'] },
  { name: 'or with and-ed filters outside it',
    apply: (q) => q.or('title.eq.a1,title.eq.b2').is('metadata', null), want: ['b2'] },
];

const newRow = (title, extra = {}) => ({ title, content: `content of ${title}`, ...extra });

describe('data API', { timeout: SUITE_TIMEOUT_MS }, () => {
  let db;    // supabase client signed in as the seeding user
  let user;  // that user
  const ids = {};  // title -> id of the seeded rows

  before(async () => {
    ({ client: db, user } = await signUpUser('data'));
    const rows = expectOk(await db.from('user_data').insert(SEED).select(), 'seeding insert');
    for (const row of rows) ids[row.title] = row.id;
  });

  // A second user for tests that write, so the seeded rows stay as they are.
  const writer = async (tag) => (await signUpUser(tag)).client;

  test('insert of one row with select().single() returns it with its defaults', async () => {
    const { client, user: me } = await signUpUser('insertone');
    const metadata = { n: 1, nested: { list: [1, 'two', null, true] }, text: 'żółw ✓' };
    const result = await client.from('user_data')
        .insert({ title: 'first', content: 'body', metadata }).select().single();
    const row = expectOk(result, 'insert().select().single()');
    assert.equal(result.status, 201);
    assert.ok(!Array.isArray(row), 'single() returns an object');
    assert.match(row.id, UUID_RE);
    assert.equal(row.user_id, me.id, 'user_id defaults to the caller');
    assert.equal(row.title, 'first');
    assert.equal(row.content, 'body');
    assert.deepEqual(row.metadata, metadata, 'metadata round-trips as JSON');
    const created = expectTimestamp(row.created_at, 'created_at');
    assert.ok(Math.abs(created.getTime() - Date.now()) < 120_000, row.created_at);
    expectTimestamp(row.updated_at, 'updated_at');
  });

  test('insert of an array returns every row, missing keys as null', async () => {
    const client = await writer('insertmany');
    const result = await client.from('user_data')
        .insert([newRow('m1'), newRow('m2', { metadata: { k: [1, 2] } })]).select();
    const rows = expectOk(result, 'insert([...]).select()');
    assert.equal(result.status, 201);
    assert.deepEqual(sortedTitles(rows), ['m1', 'm2']);
    const m1 = rows.find((r) => r.title === 'm1');
    const m2 = rows.find((r) => r.title === 'm2');
    assert.equal(m1.metadata, null);
    assert.deepEqual(m2.metadata, { k: [1, 2] });
    assert.notEqual(m1.id, m2.id);
  });

  test('insert without select answers 201 with no body', async () => {
    const client = await writer('insertminimal');
    const result = await client.from('user_data').insert(newRow('quiet'));
    assert.equal(result.error, null, JSON.stringify(result.error));
    assert.equal(result.status, 201);
    assert.equal(result.data, null);
    const rows = expectOk(await client.from('user_data').select('title'), 'select');
    assert.deepEqual(titles(rows), ['quiet']);
  });

  test('select with a column list returns only those columns', async () => {
    const result = await db.from('user_data').select('id,title').order('title');
    const rows = expectOk(result, "select('id,title')");
    assert.equal(result.status, 200);
    assert.deepEqual(titles(rows), ['a1', 'b2', 'c3', 'd4']);
    for (const row of rows) assert.deepEqual(Object.keys(row).sort(), ['id', 'title']);
    assert.equal(rows[0].id, ids.a1);
  });

  test("select('*') returns every column of the user's rows", async () => {
    const rows = expectOk(await db.from('user_data').select('*'), "select('*')");
    assert.equal(rows.length, SEED.length);
    for (const row of rows) {
      for (const column of ['id', 'title', 'content', 'metadata', 'user_id', 'created_at',
                            'updated_at']) {
        assert.ok(column in row, `${column} missing from ${JSON.stringify(row)}`);
      }
      assert.equal(row.user_id, user.id);
    }
  });

  for (const { name, apply, want } of FILTERS) {
    test(`filter: ${name}`, async () => {
      const rows = expectOk(await apply(db.from('user_data').select('title'), ids), name);
      assert.deepEqual(sortedTitles(rows), want);
    });
  }

  test('order ascending and descending', async () => {
    const asc = expectOk(await db.from('user_data').select('title').order('title'), 'asc');
    assert.deepEqual(titles(asc), ['a1', 'b2', 'c3', 'd4']);
    const desc = expectOk(
        await db.from('user_data').select('title').order('title', { ascending: false }), 'desc');
    assert.deepEqual(titles(desc), ['d4', 'c3', 'b2', 'a1']);
  });

  test('order with nullsFirst, then by a second column', async () => {
    const first = expectOk(await db.from('user_data').select('title')
                               .order('metadata', { nullsFirst: true }).order('title'),
                           'nullsFirst: true');
    assert.deepEqual(titles(first), ['b2', 'd4', 'a1', 'c3']);
    const last = expectOk(await db.from('user_data').select('title')
                              .order('metadata', { nullsFirst: false }).order('title'),
                          'nullsFirst: false');
    assert.deepEqual(titles(last), ['a1', 'c3', 'b2', 'd4']);
  });

  test('order puts nulls last ascending and first descending by default (PostgreSQL)', async () => {
    const asc = expectOk(await db.from('user_data').select('title')
                             .order('metadata').order('title'), 'asc');
    assert.deepEqual(titles(asc), ['a1', 'c3', 'b2', 'd4']);
    const desc = expectOk(await db.from('user_data').select('title')
                              .order('metadata', { ascending: false }).order('title'), 'desc');
    assert.deepEqual(titles(desc), ['b2', 'd4', 'c3', 'a1']);
  });

  test('limit', async () => {
    const rows = expectOk(await db.from('user_data').select('title').order('title').limit(2),
                          'limit(2)');
    assert.deepEqual(titles(rows), ['a1', 'b2']);
  });

  test('range with count exact answers 206 with the page and the total', async () => {
    const page = await db.from('user_data').select('title', { count: 'exact' })
                     .order('title').range(1, 2);
    assert.deepEqual(titles(expectOk(page, 'range(1, 2)')), ['b2', 'c3']);
    assert.equal(page.status, 206, 'a partial page is 206');
    assert.equal(page.count, 4);
    const all = await db.from('user_data').select('title', { count: 'exact' });
    expectOk(all, 'count exact');
    assert.equal(all.status, 200, 'the whole result is 200');
    assert.equal(all.count, 4);
    const none = await db.from('user_data').select('title', { count: 'exact' }).eq('title', 'zz');
    assert.deepEqual(expectOk(none, 'empty count'), []);
    assert.equal(none.count, 0);
  });

  test('HEAD count returns the count and no rows', async () => {
    const all = await db.from('user_data').select('*', { count: 'exact', head: true });
    expectOk(all, 'head count');
    assert.equal(all.status, 200);
    assert.equal(all.data, null);
    assert.equal(all.count, 4);
    const some = await db.from('user_data').select('*', { count: 'exact', head: true })
                     .is('metadata', null);
    expectOk(some, 'head count with a filter');
    assert.equal(some.count, 2);
  });

  test('single() returns one row as an object', async () => {
    const result = await db.from('user_data').select('*').eq('title', 'c3').single();
    const row = expectOk(result, 'single()');
    assert.equal(result.status, 200);
    assert.equal(row.id, ids.c3);
    assert.deepEqual(row.metadata, { tag: 'y' });
  });

  test('single() with zero rows fails with PGRST116 (406)', async () => {
    const none = await db.from('user_data').select('*').eq('title', 'missing').single();
    expectDataError(none, 406, 'PGRST116', 'single() on no rows');
    assert.equal(none.data, null);
    const many = await db.from('user_data').select('*').single();
    expectDataError(many, 406, 'PGRST116', 'single() on four rows');
  });

  test('maybeSingle() gives null for no rows and the object for one', async () => {
    const none = await db.from('user_data').select('*').eq('title', 'missing').maybeSingle();
    assert.equal(none.error, null, JSON.stringify(none.error));
    assert.equal(none.data, null);
    const one = expectOk(await db.from('user_data').select('*').eq('title', 'a1').maybeSingle(),
                         'maybeSingle() on one row');
    assert.equal(one.id, ids.a1);
  });

  test('update with a filter and select returns only the updated rows', async () => {
    const client = await writer('update');
    const rows = expectOk(await client.from('user_data').insert([newRow('u1'), newRow('u2')])
                              .select(), 'insert');
    const target = rows.find((r) => r.title === 'u1');
    const result = await client.from('user_data')
        .update({ content: 'changed', metadata: { v: 2 } }).eq('id', target.id).select();
    const updated = expectOk(result, 'update().eq().select()');
    assert.equal(result.status, 200);
    assert.equal(updated.length, 1);
    assert.equal(updated[0].id, target.id);
    assert.equal(updated[0].content, 'changed');
    assert.deepEqual(updated[0].metadata, { v: 2 });
    assert.equal(updated[0].title, 'u1', 'columns not in the patch are kept');
    assert.ok(expectTimestamp(updated[0].updated_at, 'updated_at') >=
                  expectTimestamp(target.updated_at, 'old updated_at'),
              'updated_at does not go back');
    const other = expectOk(await client.from('user_data').select('content').eq('title', 'u2')
                               .single(), 'untouched row');
    assert.equal(other.content, 'content of u2');
    const quiet = await client.from('user_data').update({ content: 'again' }).eq('title', 'u2');
    assert.equal(quiet.error, null, JSON.stringify(quiet.error));
    assert.equal(quiet.status, 204, 'update without select answers 204');
    assert.equal(quiet.data, null);
  });

  test('upsert on id updates the existing row and inserts the new one', async () => {
    const client = await writer('upsert');
    const existing = expectOk(await client.from('user_data').insert(newRow('before')).select()
                                  .single(), 'insert');
    const fresh = randomUUID();
    const result = await client.from('user_data').upsert([
      { id: existing.id, title: 'after', content: existing.content },
      { id: fresh, title: 'new', content: 'inserted by upsert' },
    ], { onConflict: 'id' }).select();
    const rows = expectOk(result, 'upsert().select()');
    assert.ok([200, 201].includes(result.status), `status ${result.status}`);
    assert.deepEqual(sortedTitles(rows), ['after', 'new']);
    const all = expectOk(await client.from('user_data').select('id,title').order('title'),
                         'select after upsert');
    assert.deepEqual(all, [{ id: existing.id, title: 'after' }, { id: fresh, title: 'new' }]);
  });

  test('upsert with ignoreDuplicates leaves the existing row alone', async () => {
    const client = await writer('upsertignore');
    const existing = expectOk(await client.from('user_data').insert(newRow('kept')).select()
                                  .single(), 'insert');
    const result = await client.from('user_data').upsert(
        { id: existing.id, title: 'ignored', content: 'ignored' },
        { onConflict: 'id', ignoreDuplicates: true }).select();
    const rows = expectOk(result, 'upsert(ignoreDuplicates).select()');
    assert.ok(!titles(rows).includes('ignored'), `returned ${JSON.stringify(rows)}`);
    const after = expectOk(await client.from('user_data').select('title,content')
                               .eq('id', existing.id).single(), 'select after upsert');
    assert.deepEqual(after, { title: 'kept', content: existing.content });
  });

  test('delete with a filter and select returns the deleted rows', async () => {
    const client = await writer('delete');
    expectOk(await client.from('user_data').insert([newRow('d1'), newRow('d2'), newRow('d3')]),
             'insert');
    const result = await client.from('user_data').delete().in('title', ['d1', 'd2']).select();
    const deleted = expectOk(result, 'delete().in().select()');
    assert.equal(result.status, 200);
    assert.deepEqual(sortedTitles(deleted), ['d1', 'd2']);
    const left = expectOk(await client.from('user_data').select('title'), 'select after delete');
    assert.deepEqual(titles(left), ['d3']);
    const quiet = await client.from('user_data').delete().eq('title', 'd3');
    assert.equal(quiet.error, null, JSON.stringify(quiet.error));
    assert.equal(quiet.status, 204, 'delete without select answers 204');
    assert.deepEqual(expectOk(await client.from('user_data').select('title'), 'select'), []);
  });

  test('update and delete that match nothing are not errors', async () => {
    const client = await writer('nomatch');
    const missing = randomUUID();
    const updated = await client.from('user_data').update({ content: 'x' }).eq('id', missing)
                        .select();
    assert.deepEqual(expectOk(updated, 'update of no rows'), []);
    const deleted = await client.from('user_data').delete().eq('id', missing).select();
    assert.deepEqual(expectOk(deleted, 'delete of no rows'), []);
  });

  test('an unknown column in an insert fails with PGRST204 (400)', async () => {
    const client = await writer('badcol');
    const result = await client.from('user_data').insert({ title: 't', content: 'c', nope: 1 });
    expectDataError(result, 400, 'PGRST204', 'insert with an unknown column');
  });
});
