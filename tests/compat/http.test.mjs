// What supabase-js needs from the HTTP layer but does not show: the apikey gate, CORS for
// browser apps, the auth API version header, and the open tooling routes (reference sections
// 2, 3, 4, 6 and 7.10), checked with plain fetch.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SERVER_URL, SUITE_TIMEOUT_MS, rawFetch } from './helpers.mjs';

const ORIGIN = 'http://localhost:5173';

// Every header supabase-js 2.119.1 can send, so every one must be allowed by the preflight.
const CLIENT_HEADERS = [
  'authorization', 'apikey', 'x-client-info', 'content-type', 'x-supabase-api-version',
  'prefer', 'accept', 'accept-profile', 'content-profile', 'x-retry-count',
];

// Headers the client reads from responses, so browsers must be allowed to expose them.
const EXPOSED = {
  '/auth/v1': ['x-supabase-api-version', 'x-total-count', 'link'],
  '/rest/v1': ['content-range'],
};

// The preflights a browser app sends: one per method and surface it uses.
const PREFLIGHTS = [
  { path: '/auth/v1/signup', method: 'POST' },
  { path: '/auth/v1/token?grant_type=password', method: 'POST' },
  { path: '/auth/v1/user', method: 'PUT' },
  { path: '/auth/v1/logout?scope=global', method: 'POST' },
  { path: '/auth/v1/admin/users?page=&per_page=', method: 'GET' },
  { path: '/rest/v1/user_data?select=*', method: 'GET' },
  { path: '/rest/v1/user_data?select=*', method: 'HEAD' },
  { path: '/rest/v1/user_data?columns=%22title%22', method: 'POST' },
  { path: '/rest/v1/user_data?id=eq.1', method: 'PATCH' },
  { path: '/rest/v1/user_data?id=eq.1', method: 'DELETE' },
];

const list = (value) => (value ?? '').split(',').map((s) => s.trim().toLowerCase())
                                     .filter(Boolean);

function expectAllowsOrigin(headers, what) {
  const allowed = headers.get('access-control-allow-origin');
  assert.ok(allowed === '*' || allowed === ORIGIN,
            `${what}: Access-Control-Allow-Origin is ${allowed}`);
}

describe('HTTP surface', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('a request without an apikey is refused with 401 and a message', async () => {
    for (const [method, path] of [['GET', '/rest/v1/user_data?select=*'],
                                  ['POST', '/auth/v1/signup'],
                                  ['GET', '/auth/v1/settings']]) {
      const r = await rawFetch(path, { method, apikey: null,
                                       body: method === 'POST' ? {} : undefined });
      assert.equal(r.status, 401, `${method} ${path} without apikey -> ${r.status} ${r.text}`);
      assert.equal(typeof r.json?.message, 'string', `${method} ${path}: body ${r.text}`);
    }
  });

  test('a request with an unknown apikey is refused with 401 and a message', async () => {
    const r = await rawFetch('/rest/v1/user_data?select=*', { apikey: 'not-a-key' });
    assert.equal(r.status, 401, `unknown apikey -> ${r.status} ${r.text}`);
    assert.equal(typeof r.json?.message, 'string', r.text);
  });

  for (const { path, method } of PREFLIGHTS) {
    test(`CORS preflight for ${method} ${path.split('?')[0]}`, async () => {
      const response = await fetch(`${SERVER_URL}${path}`, {
        method: 'OPTIONS',
        headers: {
          Origin: ORIGIN,
          'Access-Control-Request-Method': method,
          'Access-Control-Request-Headers': CLIENT_HEADERS.join(','),
        },
      });
      await response.arrayBuffer();
      const what = `OPTIONS ${path}`;
      assert.ok(response.status >= 200 && response.status < 300, `${what} -> ${response.status}`);
      expectAllowsOrigin(response.headers, what);
      const methods = list(response.headers.get('access-control-allow-methods'));
      assert.ok(methods.includes('*') || methods.includes(method.toLowerCase()),
                `${what}: Access-Control-Allow-Methods ${methods} lacks ${method}`);
      const allowed = list(response.headers.get('access-control-allow-headers'));
      const wildcard = allowed.includes('*') &&
                       response.headers.get('access-control-allow-credentials') !== 'true';
      for (const header of CLIENT_HEADERS) {
        assert.ok(wildcard || allowed.includes(header),
                  `${what}: Access-Control-Allow-Headers [${allowed}] lacks ${header}`);
      }
    });
  }

  for (const [prefix, headers] of Object.entries(EXPOSED)) {
    test(`responses under ${prefix} expose ${headers.join(', ')} to browsers`, async () => {
      const path = prefix === '/auth/v1' ? '/auth/v1/token?grant_type=password'
                                         : '/rest/v1/user_data?select=*';
      const r = await rawFetch(path, {
        method: prefix === '/auth/v1' ? 'POST' : 'GET',
        headers: { Origin: ORIGIN, Prefer: 'count=exact' },
        body: prefix === '/auth/v1' ? { email: 'nobody@example.com', password: 'wrong-pass' }
                                    : undefined,
      });
      expectAllowsOrigin(r.headers, path);
      const exposed = list(r.headers.get('access-control-expose-headers'));
      for (const header of headers) {
        assert.ok(exposed.includes(header),
                  `${path} (${r.status}): Access-Control-Expose-Headers [${exposed}] lacks ${header}`);
      }
    });
  }

  test('auth errors echo X-Supabase-Api-Version and carry code and message', async () => {
    const r = await rawFetch('/auth/v1/token?grant_type=password', {
      method: 'POST', body: { email: 'nobody@example.com', password: 'wrong-password' },
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.headers.get('x-supabase-api-version'), '2024-01-01',
                 'without this header auth-js ignores the body code (reference 6)');
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(r.json?.code, 'invalid_credentials', r.text);
    assert.equal(typeof r.json?.message, 'string', r.text);
  });

  test('data errors carry code, details, hint and message', async () => {
    const r = await rawFetch('/rest/v1/user_data?select=nosuch');
    assert.equal(r.status, 400, r.text);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    for (const key of ['code', 'details', 'hint', 'message']) {
      assert.ok(r.json && key in r.json, `${key} missing: ${r.text}`);
    }
    assert.equal(r.json.code, '42703');
  });

  test('GET /auth/v1/.well-known/jwks.json publishes no symmetric key', async () => {
    const r = await rawFetch('/auth/v1/.well-known/jwks.json');
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json?.keys), r.text);
    for (const key of r.json.keys) {
      assert.notEqual(key.kty, 'oct', `a secret key is published: ${JSON.stringify(key)}`);
      assert.ok(!('k' in key) && !('d' in key), `private material published: ${JSON.stringify(key)}`);
    }
  });

  test('GET /auth/v1/settings says email sign-up is on and auto-confirmed', async () => {
    const r = await rawFetch('/auth/v1/settings');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json?.external?.email, true, r.text);
    assert.equal(r.json?.disable_signup, false, r.text);
    assert.equal(r.json?.mailer_autoconfirm, true, r.text);
  });

  test('GET /auth/v1/health answers 200 with JSON', async () => {
    const r = await rawFetch('/auth/v1/health');
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json, 'object', r.text);
  });
});
