// The account mail flows through supabase-js, each one finished from the mail a real SMTP
// server received: resetPasswordForEmail, signInWithOtp, verifyOtp (recovery, email,
// email_change), updateUser({email}) and the verification link.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MAILDIR, SERVER_URL, SUITE_TIMEOUT_MS, expectAuthError, expectOk, jwtPayload, newClient,
  newPassword, signIn, signUpUser, uniqueEmail,
} from './helpers.mjs';
import { nextMail } from './helpers.mjs';

const skip = MAILDIR ? false : 'set LATCHKEY_MAILDIR to the test SMTP server\'s directory';

describe('account mail', { timeout: SUITE_TIMEOUT_MS, skip }, () => {
  test('resetPasswordForEmail, verifyOtp(recovery) and a new password', async () => {
    const { email, password } = await signUpUser('reset');
    const other = await signIn(email, password);
    const client = newClient();
    expectOk(await client.auth.resetPasswordForEmail(email, {
      redirectTo: 'http://app.test/reset',
    }), 'resetPasswordForEmail');
    expectOk(await newClient().auth.resetPasswordForEmail(uniqueEmail('ghost')),
             'resetPasswordForEmail of an unknown address');
    const mail = await nextMail(email);
    assert.match(mail.code, /^\d{6}$/);
    const { session } = expectOk(await client.auth.verifyOtp({
      email, token: mail.code, type: 'recovery',
    }), 'verifyOtp recovery');
    assert.equal(jwtPayload(session.access_token).amr[0].method, 'recovery');
    const next = newPassword();
    expectOk(await client.auth.updateUser({ password: next }), 'updateUser password');
    expectAuthError(await other.client.auth.refreshSession(), 400, 'refresh_token_not_found',
                    'the other session ended');
    expectAuthError(await newClient().auth.signInWithPassword({ email, password }), 400,
                    'invalid_credentials', 'old password');
    expectOk(await newClient().auth.signInWithPassword({ email, password: next }), 'new password');
  });

  test('signInWithOtp creates the user and verifyOtp(email) signs in', async () => {
    const email = uniqueEmail('otp');
    const client = newClient();
    expectOk(await client.auth.signInWithOtp({ email, options: { data: { plan: 'pro' } } }),
             'signInWithOtp');
    const mail = await nextMail(email);
    const { user, session } = expectOk(await client.auth.verifyOtp({
      email, token: mail.code, type: 'email',
    }), 'verifyOtp email');
    assert.ok(session?.access_token);
    assert.equal(user.user_metadata.plan, 'pro');
    assert.ok(user.email_confirmed_at, 'the mail confirmed the address');
    const { user: me } = expectOk(await client.auth.getUser(), 'getUser');
    assert.equal(me.id, user.id);
    expectAuthError(await newClient().auth.verifyOtp({ email, token: mail.code, type: 'email' }),
                    403, 'otp_expired', 'a code works once');
  });

  test('signInWithOtp({shouldCreateUser: false}) answers alike for an unknown address', async () => {
    expectOk(await newClient().auth.signInWithOtp({
      email: uniqueEmail('nobody'), options: { shouldCreateUser: false },
    }), 'signInWithOtp unknown');
  });

  test('the magic link opens a session in the redirect fragment', async () => {
    const { email } = await signUpUser('link');
    expectOk(await newClient().auth.signInWithOtp({ email, options: { shouldCreateUser: false } }),
             'signInWithOtp');
    const mail = await nextMail(email);
    const target = new URL(mail.link);
    const res = await fetch(`${SERVER_URL}${target.pathname}${target.search}`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    const fragment = new URLSearchParams(new URL(res.headers.get('location')).hash.slice(1));
    assert.equal(fragment.get('type'), 'magiclink');
    const client = newClient();
    expectOk(await client.auth.setSession({
      access_token: fragment.get('access_token'), refresh_token: fragment.get('refresh_token'),
    }), 'setSession from the fragment');
    const { user } = expectOk(await client.auth.getUser(), 'getUser');
    assert.equal(user.email, email);
  });

  test('updateUser({email}) takes effect once the new address is confirmed', async () => {
    const { client, email, password } = await signUpUser('change');
    const next = uniqueEmail('changed');
    const { user } = expectOk(await client.auth.updateUser({ email: next }), 'updateUser email');
    assert.equal(user.email, email, 'unchanged until confirmed');
    assert.equal(user.new_email, next);
    const mail = await nextMail(next);
    const { user: moved } = expectOk(await client.auth.verifyOtp({
      email: next, token: mail.code, type: 'email_change',
    }), 'verifyOtp email_change');
    assert.equal(moved.email, next);
    expectOk(await newClient().auth.signInWithPassword({ email: next, password }), 'new address');
  });
});
