// Shared pieces of the supabase-js compatibility tests: the server under test (from the
// environment), client creation, unique users, and assertions that say what the server answered.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: see tests/compat/README.md (LATCHKEY_URL, ` +
                    'LATCHKEY_ANON_KEY, LATCHKEY_SERVICE_KEY)');
  }
  return value;
}

export const SERVER_URL = required('LATCHKEY_URL').replace(/\/+$/, '');
export const ANON_KEY = required('LATCHKEY_ANON_KEY');
export const SERVICE_KEY = required('LATCHKEY_SERVICE_KEY');

// Bounds every test file (node:test's own default is no timeout at all).
export const SUITE_TIMEOUT_MS = 90_000;

// supabase-js 2.119.1 wants a native WebSocket for realtime, which Node 20 lacks: createClient
// throws unless a transport is given (reference section 12). Realtime is never used here, so a
// transport that refuses to connect is enough, and says so if something does try.
class NoWebSocket {
  constructor() {
    throw new Error('realtime is not part of the latchkey compatibility tests');
  }
}

// A client as an app creates it: the anon key unless told otherwise. The session lives in this
// client's memory (Node has no localStorage), so each client is one signed-in user.
export function newClient(key = ANON_KEY, options = {}) {
  return createClient(SERVER_URL, key, {
    ...options,
    auth: { autoRefreshToken: false, ...options.auth },
    realtime: { transport: NoWebSocket, ...options.realtime },
  });
}

// The server-side client of reference 7.11: service_role key, no session of its own.
export function serviceClient() {
  return newClient(SERVICE_KEY, { auth: { persistSession: false } });
}

// A client that sends `token` as its Bearer on every call, whatever its session.
export function clientWithBearer(token) {
  return newClient(ANON_KEY, { global: { headers: { Authorization: `Bearer ${token}` } } });
}

const runTag = `${Date.now().toString(36)}${process.pid.toString(36)}`;
let counter = 0;

// An address no other test, run or concurrent run uses: compat-<tag>-<run>-<n>@example.com.
export function uniqueEmail(tag) {
  counter += 1;
  return `compat-${tag}-${runTag}-${counter}@example.com`;
}

// At least 8 characters (latchkey's rule), different on every call.
export function newPassword() {
  return `pw-${randomUUID().slice(0, 13)}-Zq8!`;
}

// Signs up a new user on a fresh client; fails the test unless a session comes back
// (auto-confirm is on). Returns { client, email, password, user, session }.
export async function signUpUser(tag, data = {}) {
  const client = newClient();
  const email = uniqueEmail(tag);
  const password = newPassword();
  const result = await client.auth.signUp({ email, password, options: { data } });
  const { user, session } = expectOk(result, `signUp ${email}`);
  assert.ok(session, `signUp ${email} returned no session (is auto-confirm on?)`);
  return { client, email, password, user, session };
}

// A second session for the same user, on its own client.
export async function signIn(email, password) {
  const client = newClient();
  const result = await client.auth.signInWithPassword({ email, password });
  const { user, session } = expectOk(result, `signInWithPassword ${email}`);
  return { client, user, session };
}

// JSON of `value`, cut short: enough to recognise an unexpected answer, not a page of users.
export function brief(value, max = 300) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} chars)`;
}

function describeResult(result) {
  const e = result.error;
  const status = e?.status ?? result.status;
  const parts = [`status ${status}`];
  for (const key of ['code', 'message', 'details', 'hint']) {
    if (e?.[key] !== undefined && e?.[key] !== null && e?.[key] !== '') {
      parts.push(`${key} ${brief(e[key])}`);
    }
  }
  if (e?.name) parts.push(`(${e.name})`);
  return parts.join(', ');
}

// The data of a supabase-js result, failing with the server's answer if it has an error.
export function expectOk(result, what) {
  if (result.error) assert.fail(`${what} failed: ${describeResult(result)}`);
  return result.data;
}

// An auth-js error (AuthApiError) with this HTTP status and error code.
export function expectAuthError(result, status, code, what) {
  assert.ok(result.error, `${what}: expected error ${code} (${status}), got success: ` +
                          brief(result.data));
  assert.equal(result.error.code, code, `${what}: ${describeResult(result)}`);
  assert.equal(result.error.status, status, `${what}: ${describeResult(result)}`);
}

// A postgrest-js error with this HTTP status and PostgreSQL/PostgREST code (a string, or a
// RegExp the code must match).
export function expectDataError(result, status, code, what) {
  assert.ok(result.error, `${what}: expected error ${code} (${status}), got status ` +
                          `${result.status} and ${brief(result.data)}`);
  if (code instanceof RegExp) {
    assert.match(String(result.error.code), code, `${what}: ${describeResult(result)}`);
  } else {
    assert.equal(result.error.code, code, `${what}: ${describeResult(result)}`);
  }
  assert.equal(result.status, status, `${what}: ${describeResult(result)}`);
  assert.equal(typeof result.error.message, 'string', `${what}: error without a message`);
}

// A request outside supabase-js, for what the client hides (headers, raw status and body).
// Like the client it sends `apikey` (anon unless told otherwise; null: none), the same key as
// Bearer and the auth API version header, unless `headers` overrides them.
export async function rawFetch(path, { method = 'GET', headers = {}, body, apikey = ANON_KEY } = {}) {
  const h = { 'X-Supabase-Api-Version': '2024-01-01' };
  if (apikey !== null) Object.assign(h, { apikey, Authorization: `Bearer ${apikey}` });
  Object.assign(h, headers);
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const response = await fetch(`${SERVER_URL}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

// GET /auth/v1/user with `token`: the server's own answer, which auth-js turns into
// AuthSessionMissingError (status 400, no code) when the code is session_not_found.
export function rawGetUser(token) {
  return rawFetch('/auth/v1/user', { headers: { Authorization: `Bearer ${token}` } });
}

// The payload of a JWT, decoded without verification.
export function jwtPayload(token) {
  const part = token.split('.')[1];
  assert.ok(part, `not a JWT: ${token}`);
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

// The same token with its signature altered, so any verifier must reject it.
export function tamper(token) {
  const dot = token.lastIndexOf('.');
  const sig = token.slice(dot + 1);
  const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  return `${token.slice(0, dot + 1)}${flipped}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// An ISO 8601 / RFC 3339 timestamp with a zone, as a Date.
export function expectTimestamp(value, what) {
  assert.equal(typeof value, 'string', `${what} is not a string: ${JSON.stringify(value)}`);
  assert.match(value, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/,
               `${what} is not an RFC 3339 timestamp: ${value}`);
  const date = new Date(value);
  assert.ok(!Number.isNaN(date.getTime()), `${what} does not parse: ${value}`);
  return date;
}

// Where the test SMTP server (tests/support/smtp_sink.py) writes what it receives, one
// <n>.json per mail; unset: the mail tests are skipped.
export const MAILDIR = process.env.LATCHKEY_MAILDIR || '';
const mailsTaken = new Map();

// The next mail to `to` not returned before, as {subject, text, html, code, link}: polls the
// sink's directory for up to `timeoutMs`.
export async function nextMail(to, timeoutMs = 15_000) {
  const { readdir, readFile } = await import('node:fs/promises');
  const address = to.toLowerCase();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = (await readdir(MAILDIR)).filter((n) => /^\d+\.json$/.test(n))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    let seen = 0;
    for (const name of names) {
      const mail = JSON.parse(await readFile(`${MAILDIR}/${name}`, 'utf8'));
      if (mail.rcpt_tos.length !== 1 || mail.rcpt_tos[0] !== address) continue;
      if (seen++ === (mailsTaken.get(address) ?? 0)) {
        mailsTaken.set(address, seen);
        return {
          ...mail,
          code: mail.text.match(/\b(\d{6})\b/)?.[1] ?? '',
          link: mail.text.match(/(https?:\/\/\S+\/auth\/v1\/verify\?\S+)/)?.[1] ?? '',
        };
      }
    }
    if (Date.now() >= deadline) assert.fail(`no mail to ${address} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
