// Supabase Auth (/auth/v1) through supabase-js: sign-up, sign-in, sessions, refresh, user
// updates, sign-out scopes and getClaims (reference sections 5-7).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  SUITE_TIMEOUT_MS, UUID_RE, expectAuthError, expectOk, expectTimestamp, jwtPayload, newClient,
  newPassword, rawGetUser, signIn, signUpUser, tamper, uniqueEmail,
} from './helpers.mjs';

// Optional strict check of refresh-token reuse: GoTrue lets a revoked token be reused for a
// short window (10 s by default) to cover concurrent refreshes; only after it must reuse fail.
// Set to a number of seconds longer than the server's window to wait it out.
const REUSE_WAIT_S = Number(process.env.LATCHKEY_REFRESH_REUSE_WAIT_S || 0);

// The old access token of a signed-out session: rejected by /auth/v1/user with 403
// session_not_found (raw), which auth-js reports as AuthSessionMissingError.
async function expectSessionGone(token, what) {
  const raw = await rawGetUser(token);
  assert.equal(raw.status, 403, `${what}: GET /auth/v1/user -> ${raw.status} ${raw.text}`);
  assert.equal(raw.json?.code, 'session_not_found', `${what}: ${raw.text}`);
  const { data, error } = await newClient().auth.getUser(token);
  assert.equal(error?.name, 'AuthSessionMissingError', `${what}: getUser(token) -> ${error}`);
  assert.equal(data.user, null);
}

async function expectSessionAlive(token, userId, what) {
  const { user } = expectOk(await newClient().auth.getUser(token), what);
  assert.equal(user.id, userId, what);
}

// A refresh token that can no longer be used (session signed out or token revoked).
function expectRefreshRejected(result, what) {
  assert.ok(result.error, `${what}: refresh succeeded: ${JSON.stringify(result.data?.session)}`);
  // session_not_found becomes AuthSessionMissingError inside auth-js (no code, status 400).
  if (result.error.name === 'AuthSessionMissingError') return;
  assert.equal(result.error.status, 400, `${what}: ${result.error.status} ${result.error.code}`);
  assert.ok(['refresh_token_not_found', 'refresh_token_already_used', 'session_not_found']
                .includes(result.error.code),
            `${what}: code ${result.error.code} (${result.error.message})`);
  assert.equal(result.data.session, null);
}

describe('auth', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('signUp returns a session and a confirmed user with the given metadata', async () => {
    const client = newClient();
    const email = uniqueEmail('SignUp').replace('@example.com', '@Example.COM');
    const password = newPassword();
    const { user, session } = expectOk(
        await client.auth.signUp({
          email, password, options: { data: { display_name: 'Ada', plan: 'free' } },
        }),
        'signUp');

    assert.ok(session, 'no session: sign-up must be auto-confirmed');
    assert.equal(typeof session.access_token, 'string');
    assert.equal(typeof session.refresh_token, 'string');
    assert.ok(session.refresh_token.length > 0);
    assert.ok(session.expires_in > 90, `expires_in ${session.expires_in} must exceed 90 s`);
    assert.ok(Math.abs(session.expires_at - (Date.now() / 1000 + session.expires_in)) < 120,
              `expires_at ${session.expires_at} is not about now + expires_in`);
    assert.equal(session.user.id, user.id);

    assert.match(user.id, UUID_RE);
    assert.equal(user.email, email.toLowerCase(), 'email is stored lower-case');
    assert.equal(user.aud, 'authenticated');
    assert.equal(user.role, 'authenticated');
    assert.equal(user.user_metadata.display_name, 'Ada');
    assert.equal(user.user_metadata.plan, 'free');
    assert.equal(user.app_metadata.provider, 'email');
    assert.ok(user.app_metadata.providers?.includes('email'),
              `app_metadata.providers: ${JSON.stringify(user.app_metadata)}`);
    assert.ok(Array.isArray(user.identities), `identities: ${JSON.stringify(user.identities)}`);
    for (const identity of user.identities) {
      assert.equal(identity.provider, 'email', JSON.stringify(identity));
      assert.equal(identity.user_id, user.id, JSON.stringify(identity));
    }
    const confirmed = expectTimestamp(user.email_confirmed_at, 'email_confirmed_at');
    assert.ok(Math.abs(confirmed.getTime() - Date.now()) < 120_000, user.email_confirmed_at);
    expectTimestamp(user.created_at, 'created_at');
  });

  test('signUp of a taken email fails with user_already_exists (422)', async () => {
    const { email } = await signUpUser('taken');
    const result = await newClient().auth.signUp({
      email: email.toUpperCase(), password: newPassword(),
    });
    expectAuthError(result, 422, 'user_already_exists', 'second signUp, email in upper case');
    assert.equal(result.data.session, null);
  });

  test('signInWithPassword returns a new session for the user', async () => {
    const { email, password, user, session: first } = await signUpUser('signin');
    const { client, user: signedIn, session } = await signIn(email.toUpperCase(), password);
    assert.equal(signedIn.id, user.id);
    assert.equal(signedIn.email, email);
    assert.notEqual(session.access_token, first.access_token);
    assert.notEqual(session.refresh_token, first.refresh_token);
    assert.notEqual(jwtPayload(session.access_token).session_id,
                    jwtPayload(first.access_token).session_id,
                    'each sign-in creates its own server-side session');
    const stored = expectOk(await client.auth.getSession(), 'getSession');
    assert.equal(stored.session?.access_token, session.access_token);
  });

  test('signInWithPassword with a wrong password or unknown email fails with invalid_credentials (400)', async () => {
    const { email } = await signUpUser('wrongpw');
    const client = newClient();
    const wrong = await client.auth.signInWithPassword({ email, password: newPassword() });
    expectAuthError(wrong, 400, 'invalid_credentials', 'wrong password');
    assert.equal(wrong.data.session, null);
    const unknown = await client.auth.signInWithPassword({
      email: uniqueEmail('nobody'), password: newPassword(),
    });
    expectAuthError(unknown, 400, 'invalid_credentials', 'unknown email');
    const { data } = await client.auth.getSession();
    assert.equal(data.session, null, 'a failed sign-in stores no session');
  });

  test('getUser returns the signed-in user, from the session or from a token', async () => {
    const { client, email, user, session } = await signUpUser('getuser', { color: 'teal' });
    const fromSession = expectOk(await client.auth.getUser(), 'getUser()').user;
    assert.equal(fromSession.id, user.id);
    assert.equal(fromSession.email, email);
    assert.equal(fromSession.user_metadata.color, 'teal');
    const fromToken = expectOk(await newClient().auth.getUser(session.access_token),
                               'getUser(jwt)').user;
    assert.equal(fromToken.id, user.id);
  });

  test('getUser with a tampered token fails with bad_jwt (403)', async () => {
    const { session } = await signUpUser('badjwt');
    const result = await newClient().auth.getUser(tamper(session.access_token));
    expectAuthError(result, 403, 'bad_jwt', 'getUser(tampered token)');
  });

  test('getSession returns the stored session', async () => {
    const { client, user, session } = await signUpUser('getsession');
    const { session: stored } = expectOk(await client.auth.getSession(), 'getSession');
    assert.ok(stored, 'no stored session after sign-up');
    assert.equal(stored.access_token, session.access_token);
    assert.equal(stored.refresh_token, session.refresh_token);
    assert.equal(stored.user.id, user.id);
    const { data } = await newClient().auth.getSession();
    assert.equal(data.session, null, 'a fresh client has no session');
  });

  test('refreshSession rotates the refresh token and keeps the session', async () => {
    const { client, user, session: old } = await signUpUser('refresh');
    const { session, user: refreshedUser } = expectOk(await client.auth.refreshSession(),
                                                      'refreshSession');
    assert.ok(session, 'refresh returned no session');
    assert.notEqual(session.refresh_token, old.refresh_token, 'refresh tokens rotate');
    assert.equal(refreshedUser.id, user.id);
    assert.ok(session.expires_in > 90);
    assert.equal(jwtPayload(session.access_token).session_id,
                 jwtPayload(old.access_token).session_id, 'the same session continues');
    const stored = expectOk(await client.auth.getSession(), 'getSession').session;
    assert.equal(stored.refresh_token, session.refresh_token, 'the client stored the new tokens');
    await expectSessionAlive(session.access_token, user.id, 'getUser with the new access token');
    // Refreshing again with the new token works: the chain goes on.
    const again = expectOk(await client.auth.refreshSession(), 'second refreshSession').session;
    assert.notEqual(again.refresh_token, session.refresh_token);
  });

  test('reusing a rotated refresh token gives the same user or a refresh-token error', async () => {
    // Reference 7.3: inside the reuse window the server may answer with the active session;
    // otherwise 400 refresh_token_already_used (or not_found). Either is compatible.
    const { client, user, session: old } = await signUpUser('reuse');
    expectOk(await client.auth.refreshSession(), 'refreshSession');
    const reuse = await newClient().auth.refreshSession({ refresh_token: old.refresh_token });
    if (reuse.error) {
      expectRefreshRejected(reuse, 'reuse of the rotated refresh token');
    } else {
      assert.equal(reuse.data.user.id, user.id, 'reuse returned a session of another user');
    }
  });

  test('a rotated refresh token fails once the reuse window is over', {
    skip: REUSE_WAIT_S > 0 ? false : 'set LATCHKEY_REFRESH_REUSE_WAIT_S to wait out the window',
    timeout: (REUSE_WAIT_S + 30) * 1000,
  }, async () => {
    const { client, session: old } = await signUpUser('reuselate');
    expectOk(await client.auth.refreshSession(), 'refreshSession');
    await new Promise((resolve) => setTimeout(resolve, REUSE_WAIT_S * 1000));
    const reuse = await newClient().auth.refreshSession({ refresh_token: old.refresh_token });
    expectAuthError(reuse, 400, 'refresh_token_already_used', 'late reuse');
  });

  test('updateUser({data}) merges user_metadata and a null value deletes the key', async () => {
    const { client, user } = await signUpUser('meta', { keep: 1, drop: 'x', change: 'old' });
    const { user: updated } = expectOk(
        await client.auth.updateUser({ data: { drop: null, change: 'new', added: true } }),
        'updateUser({data})');
    assert.equal(updated.id, user.id);
    for (const u of [updated, expectOk(await client.auth.getUser(), 'getUser').user]) {
      assert.equal(u.user_metadata.keep, 1, JSON.stringify(u.user_metadata));
      assert.equal(u.user_metadata.change, 'new', JSON.stringify(u.user_metadata));
      assert.equal(u.user_metadata.added, true, JSON.stringify(u.user_metadata));
      assert.ok(!('drop' in u.user_metadata), `drop survived: ${JSON.stringify(u.user_metadata)}`);
    }
  });

  test('updateUser({password}) makes the new password work and the old one fail', async () => {
    const { client, email, password, user, session } = await signUpUser('newpw');
    const next = newPassword();
    expectOk(await client.auth.updateUser({ password: next }), 'updateUser({password})');
    await expectSessionAlive(session.access_token, user.id, 'the current session after the change');
    const { user: signedIn } = await signIn(email, next);
    assert.equal(signedIn.id, user.id);
    const old = await newClient().auth.signInWithPassword({ email, password });
    expectAuthError(old, 400, 'invalid_credentials', 'sign-in with the old password');
  });

  test('signOut({scope: "local"}) ends only the current session', async () => {
    const { client, email, password, user, session } = await signUpUser('outlocal');
    const other = await signIn(email, password);
    assert.equal((await client.auth.signOut({ scope: 'local' })).error, null);
    assert.equal((await client.auth.getSession()).data.session, null, 'local session cleared');
    await expectSessionGone(session.access_token, 'signed-out session');
    await expectSessionAlive(other.session.access_token, user.id, 'the other session');
  });

  test('signOut() (global) ends every session of the user and their refresh tokens', async () => {
    const { client, email, password, session } = await signUpUser('outglobal');
    const other = await signIn(email, password);
    assert.equal((await client.auth.signOut()).error, null);
    assert.equal((await client.auth.getSession()).data.session, null, 'local session cleared');
    await expectSessionGone(session.access_token, 'this session');
    await expectSessionGone(other.session.access_token, 'the other session');
    const refresh = await newClient().auth.refreshSession({
      refresh_token: other.session.refresh_token,
    });
    expectRefreshRejected(refresh, 'refresh token of a signed-out session');
  });

  test('signOut({scope: "others"}) keeps the current session and ends the rest', async () => {
    const { client, email, password, user, session } = await signUpUser('outothers');
    const other = await signIn(email, password);
    assert.equal((await client.auth.signOut({ scope: 'others' })).error, null);
    const stored = expectOk(await client.auth.getSession(), 'getSession').session;
    assert.equal(stored?.access_token, session.access_token, 'current session kept locally');
    await expectSessionAlive(session.access_token, user.id, 'the current session');
    assert.equal(expectOk(await client.auth.getUser(), 'getUser()').user.id, user.id);
    await expectSessionGone(other.session.access_token, 'the other session');
  });

  test('getClaims returns the claims of an HS256 access token after the server checks it', async () => {
    const { client, email, user, session } = await signUpUser('claims');
    const { claims, header } = expectOk(await client.auth.getClaims(), 'getClaims()');
    assert.equal(header.alg, 'HS256');
    // The claims supabase-js types as required (reference section 4).
    for (const name of ['iss', 'sub', 'aud', 'exp', 'iat', 'role', 'aal', 'session_id']) {
      assert.ok(claims[name] !== undefined, `claim ${name} missing: ${JSON.stringify(claims)}`);
    }
    assert.equal(claims.sub, user.id);
    assert.equal(claims.aud, 'authenticated');
    assert.equal(claims.role, 'authenticated');
    assert.equal(claims.email, email);
    assert.equal(claims.exp, session.expires_at);
    // With HS256 the client cannot verify locally and asks /auth/v1/user: a forged token fails.
    const forged = await newClient().auth.getClaims(tamper(session.access_token));
    assert.ok(forged.error, 'getClaims accepted a token with a bad signature');
  });
});
