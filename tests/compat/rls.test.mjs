// Who sees which rows of /rest/v1/user_data (reference sections 3, 10 and 11): users are
// confined to their own rows without errors, writes for someone else are 42501, anon sees
// nothing, service_role sees everything; and the data API's errors for bad tokens and queries.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  SUITE_TIMEOUT_MS, clientWithBearer, expectDataError, expectOk, newClient, serviceClient,
  signUpUser, tamper,
} from './helpers.mjs';

describe('row-level security', { timeout: SUITE_TIMEOUT_MS }, () => {
  let alice;  // { client, user, session }
  let bob;
  let aliceRow;

  before(async () => {
    alice = await signUpUser('alice');
    bob = await signUpUser('bob');
    aliceRow = expectOk(await alice.client.from('user_data')
                            .insert({ title: 'secret', content: 'of alice' }).select().single(),
                        'alice inserts');
  });

  async function aliceRowNow() {
    return expectOk(await alice.client.from('user_data').select('*').eq('id', aliceRow.id)
                        .single(), "alice reads her row");
  }

  test("a user cannot see another user's rows", async () => {
    const byId = await bob.client.from('user_data').select('*').eq('id', aliceRow.id);
    assert.deepEqual(expectOk(byId, 'bob selects alice row by id'), []);
    assert.equal(byId.status, 200);
    const all = expectOk(await bob.client.from('user_data').select('id'), 'bob selects all');
    assert.ok(!all.some((r) => r.id === aliceRow.id), 'bob saw alice row');
    const counted = await bob.client.from('user_data')
                        .select('*', { count: 'exact', head: true }).eq('id', aliceRow.id);
    expectOk(counted, 'bob counts alice row');
    assert.equal(counted.count, 0);
  });

  test("a user cannot update another user's rows: zero rows, no error", async () => {
    const result = await bob.client.from('user_data').update({ content: 'by bob' })
                       .eq('id', aliceRow.id).select();
    assert.deepEqual(expectOk(result, 'bob updates alice row'), []);
    assert.equal((await aliceRowNow()).content, 'of alice');
  });

  test("a user cannot delete another user's rows: zero rows, no error", async () => {
    const result = await bob.client.from('user_data').delete().eq('id', aliceRow.id).select();
    assert.deepEqual(expectOk(result, 'bob deletes alice row'), []);
    assert.equal((await aliceRowNow()).id, aliceRow.id);
  });

  test("insert with another user's user_id fails with 42501 (403)", async () => {
    const result = await bob.client.from('user_data')
                       .insert({ title: 'forged', content: 'x', user_id: alice.user.id }).select();
    expectDataError(result, 403, '42501', 'bob inserts a row for alice');
    const rows = expectOk(await alice.client.from('user_data').select('title'), 'alice rows');
    assert.ok(!rows.some((r) => r.title === 'forged'), 'the forged row exists');
  });

  test('update that hands a row to another user fails with 42501 (403)', async () => {
    const own = expectOk(await bob.client.from('user_data')
                             .insert({ title: 'mine', content: 'x' }).select().single(),
                         'bob inserts');
    const result = await bob.client.from('user_data').update({ user_id: alice.user.id })
                       .eq('id', own.id).select();
    expectDataError(result, 403, '42501', 'bob gives his row to alice');
    const still = expectOk(await bob.client.from('user_data').select('user_id').eq('id', own.id)
                               .single(), 'bob reads his row');
    assert.equal(still.user_id, bob.user.id);
  });

  test('the anon key alone sees no rows', async () => {
    const result = await newClient().from('user_data').select('*');
    assert.deepEqual(expectOk(result, 'anon select'), []);
  });

  test('the anon key alone cannot insert: 42501 (401)', async () => {
    const result = await newClient().from('user_data').insert({ title: 'anon', content: 'x' });
    expectDataError(result, 401, '42501', 'anon insert');
  });

  test('the service_role key sees and edits the rows of every user', async () => {
    const bobRow = expectOk(await bob.client.from('user_data')
                                .insert({ title: 'bobs', content: 'y' }).select().single(),
                            'bob inserts');
    const admin = serviceClient();
    const rows = expectOk(await admin.from('user_data').select('id,user_id')
                              .in('id', [aliceRow.id, bobRow.id]), 'service select');
    const owners = Object.fromEntries(rows.map((r) => [r.id, r.user_id]));
    assert.deepEqual(owners, { [aliceRow.id]: alice.user.id, [bobRow.id]: bob.user.id });
    const updated = expectOk(await admin.from('user_data').update({ content: 'by service' })
                                 .eq('id', bobRow.id).select(), 'service update');
    assert.equal(updated.length, 1);
    assert.equal(updated[0].user_id, bob.user.id, 'the owner stays');
  });

  test('a bad signature on the data API is 401, not a fall-back to anon', async () => {
    const forged = await clientWithBearer(tamper(alice.session.access_token))
                       .from('user_data').select('*');
    expectDataError(forged, 401, /^PGRST3\d\d$/, 'tampered user token');
    const garbage = await clientWithBearer('not-a-jwt').from('user_data').select('*');
    expectDataError(garbage, 401, /^PGRST3\d\d$/, 'Bearer not-a-jwt');
  });
});

describe('data API errors', { timeout: SUITE_TIMEOUT_MS }, () => {
  let db;
  before(async () => {
    ({ client: db } = await signUpUser('dataerr'));
  });

  test('an unknown filter operator fails with a PGRST code (400)', async () => {
    const result = await db.from('user_data').select('*').filter('title', 'nosuchop', 'x');
    expectDataError(result, 400, /^PGRST1\d\d$/, 'title=nosuchop.x');
  });

  test('an unknown column fails with 42703 (400)', async () => {
    const selected = await db.from('user_data').select('id,nosuch');
    expectDataError(selected, 400, '42703', "select('id,nosuch')");
    const filtered = await db.from('user_data').select('*').eq('nosuch', 'x');
    expectDataError(filtered, 400, '42703', 'nosuch=eq.x');
  });

  test('a malformed uuid fails with 22P02 (400)', async () => {
    const result = await db.from('user_data').select('*').eq('id', 'not-a-uuid');
    expectDataError(result, 400, '22P02', 'id=eq.not-a-uuid');
  });
});
