// The admin API (/auth/v1/admin/users) through supabase-js with the service_role key
// (reference 7.11), and its refusal of every other token.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  SUITE_TIMEOUT_MS, UUID_RE, clientWithBearer, expectAuthError, expectOk, expectTimestamp,
  newClient, newPassword, rawGetUser, serviceClient, signIn, signUpUser, uniqueEmail,
} from './helpers.mjs';

const admin = () => serviceClient().auth.admin;

async function createUser(tag, attrs = {}) {
  const email = uniqueEmail(tag);
  const password = newPassword();
  const { user } = expectOk(
      await admin().createUser({ email, password, email_confirm: true, ...attrs }),
      `admin.createUser ${email}`);
  return { email, password, user };
}

describe('admin API', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('createUser with email_confirm, user_metadata and app_metadata', async () => {
    const { email, password, user } = await createUser('admincreate', {
      user_metadata: { name: 'Grace' },
      app_metadata: { plan: 'pro' },
    });
    assert.match(user.id, UUID_RE);
    assert.equal(user.email, email);
    assert.equal(user.user_metadata.name, 'Grace');
    assert.equal(user.app_metadata.plan, 'pro');
    assert.equal(user.app_metadata.provider, 'email');
    expectTimestamp(user.email_confirmed_at, 'email_confirmed_at');
    // A confirmed user with a password can sign in like any other.
    const { user: signedIn, session } = await signIn(email, password);
    assert.equal(signedIn.id, user.id);
    assert.equal(signedIn.app_metadata.plan, 'pro');
    assert.ok(session.access_token);
  });

  test('createUser with a taken email fails with email_exists (422)', async () => {
    const { email } = await createUser('admintaken');
    const result = await admin().createUser({ email, password: newPassword(), email_confirm: true });
    expectAuthError(result, 422, 'email_exists', 'second createUser');
  });

  test('listUsers pages with perPage and reports total and nextPage', async () => {
    await createUser('adminlist1');
    await createUser('adminlist2');
    const first = expectOk(await admin().listUsers({ page: 1, perPage: 1 }), 'listUsers page 1');
    assert.equal(first.users.length, 1);
    assert.ok(Number.isInteger(first.total) && first.total >= 2, `total ${first.total}`);
    assert.equal(first.nextPage, 2);
    // The client takes only the first digit of the page in the rel="last" link (7.11).
    assert.equal(first.lastPage, Number(String(first.total)[0]),
                 `lastPage ${first.lastPage} for total ${first.total} with perPage 1`);
    const second = expectOk(await admin().listUsers({ page: 2, perPage: 1 }), 'listUsers page 2');
    assert.equal(second.users.length, 1);
    assert.notEqual(second.users[0].id, first.users[0].id, 'page 2 repeats page 1');
    // With no arguments the client sends ?page=&per_page= (empty means the defaults).
    const defaults = expectOk(await admin().listUsers(), 'listUsers()');
    assert.ok(Array.isArray(defaults.users) && defaults.users.length >= 2,
              `${defaults.users?.length} users`);
  });

  test('listUsers finds a created user', async () => {
    const { user } = await createUser('adminfind');
    const perPage = 50;
    let found = null;
    for (let page = 1; page <= 100 && !found; page += 1) {
      const { users } = expectOk(await admin().listUsers({ page, perPage }), `page ${page}`);
      found = users.find((u) => u.id === user.id) ?? null;
      if (users.length < perPage) break;
    }
    assert.ok(found, 'created user not listed');
    assert.equal(found.email, user.email);
  });

  test('getUserById returns the user', async () => {
    const { email, user } = await createUser('adminget', { user_metadata: { n: 1 } });
    const { user: got } = expectOk(await admin().getUserById(user.id), 'getUserById');
    assert.equal(got.id, user.id);
    assert.equal(got.email, email);
    assert.equal(got.user_metadata.n, 1);
  });

  test('updateUserById changes metadata and password', async () => {
    const { email, password, user } = await createUser('adminupdate');
    const next = newPassword();
    const { user: updated } = expectOk(await admin().updateUserById(user.id, {
      user_metadata: { tier: 'gold' },
      app_metadata: { roles: ['editor'] },
      password: next,
    }), 'updateUserById');
    assert.equal(updated.id, user.id);
    assert.equal(updated.user_metadata.tier, 'gold');
    assert.deepEqual(updated.app_metadata.roles, ['editor']);
    assert.equal(updated.app_metadata.provider, 'email', 'provider is kept');
    const { user: again } = expectOk(await admin().getUserById(user.id), 'getUserById');
    assert.equal(again.user_metadata.tier, 'gold');
    await signIn(email, next);
    expectAuthError(await newClient().auth.signInWithPassword({ email, password }), 400,
                    'invalid_credentials', 'sign-in with the old password');
  });

  test('deleteUser removes the user, their sessions and their rows', async () => {
    const { client, email, user, session } = await signUpUser('admindelete');
    expectOk(await client.from('user_data').insert({ title: 'doomed', content: 'x' }),
             'insert a row');
    const { user: deleted } = expectOk(await admin().deleteUser(user.id), 'deleteUser');
    assert.equal(deleted.id, user.id);
    expectAuthError(await admin().getUserById(user.id), 404, 'user_not_found',
                    'getUserById after delete');
    const raw = await rawGetUser(session.access_token);
    assert.equal(raw.status, 403, `GET /auth/v1/user with the deleted user's token: ${raw.text}`);
    assert.ok(['user_not_found', 'session_not_found'].includes(raw.json?.code), raw.text);
    const rows = expectOk(await serviceClient().from('user_data').select('id')
                              .eq('user_id', user.id), 'rows of the deleted user');
    assert.deepEqual(rows, [], 'rows are deleted with their owner');
    const again = await newClient().auth.signUp({ email, password: newPassword() });
    expectOk(again, 'the email is free again');
  });

  test('a user token on the admin API is refused with not_admin (403)', async () => {
    const { session } = await signUpUser('notadmin');
    const asUser = clientWithBearer(session.access_token).auth.admin;
    expectAuthError(await asUser.listUsers(), 403, 'not_admin', 'listUsers as a user');
    expectAuthError(await asUser.createUser({ email: uniqueEmail('x'), password: newPassword() }),
                    403, 'not_admin', 'createUser as a user');
  });

  test('the anon key on the admin API is refused with not_admin (403)', async () => {
    expectAuthError(await newClient().auth.admin.listUsers(), 403, 'not_admin',
                    'listUsers with the anon key');
  });
});
