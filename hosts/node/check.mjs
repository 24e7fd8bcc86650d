// Runs the transpiled component in Node (jco + preview2-shim) against a fake org served by
// another process, and checks what comes back.
// Usage: node check.mjs ORG_URL TOKEN WEB_CLIENT_ID WEB_CLIENT_SECRET WEB_REDIRECT_URI
import assert from 'node:assert/strict';
import { catalog, connections, users } from './out/okta_connector.js';

const [url, token, webId, webSecret, redirect] = process.argv.slice(2);
const connection = { tag: 'api-token', val: { domain: url, token } };

const described = JSON.parse(catalog.describe());
assert.ok(described.actions.some((a) => a.id === 'users.list'), 'the catalog lists users.list');

// The typed export: WIT records are objects with camelCase fields.
const page = users.list(connection, { limit: 3 });
const first = JSON.parse(page.items);
assert.equal(first.length, 3);
assert.ok(page.nextCursor, 'a next cursor');

// The generic door, continuing from that cursor.
const next = JSON.parse(catalog.invoke('users.list', connection, JSON.stringify({ limit: 3, after: page.nextCursor })));
assert.equal(next.items.length, 3);
assert.ok(!next.items.some((u) => first.some((f) => f.id === u.id)), 'the next page holds other users');

// A write and a read back.
const login = `node.host.${process.pid}@example.com`;
const created = JSON.parse(users.create(connection, {
  login, email: login, firstName: 'Node', lastName: 'Host', password: 'Jco-Preview2-Shim', activate: true,
}));
assert.equal(created.status, 'ACTIVE');
assert.equal(JSON.parse(users.get(connection, { id: login })).id, created.id);

// Errors are the WIT error variant, thrown.
assert.throws(() => users.get(connection, { id: 'nobody@example.com' }), (e) =>
  e.payload?.tag === 'okta' && e.payload.val.kind === 'not-found' && e.payload.val.errorCode === 'E0000007');
assert.throws(() => users.get(connection, { id: ' ' }), (e) =>
  e.payload?.tag === 'invalid-input' && e.payload.val.field === 'id');

// OAuth 2.0 authorization code: the host runs the browser redirect, the connector the token
// calls. The fake org's admin approves at once and redirects with the code.
const web = { domain: url, scopes: ['okta.users.read', 'offline_access'], clientId: webId, clientSecret: webSecret };
const start = connections.beginAuthorization(web, redirect, 'node-state');
assert.ok(start.url.startsWith(`${url}/oauth2/v1/authorize?`), start.url);
assert.equal(start.hint, undefined, 'offline_access was asked for');
const approved = await fetch(start.url, { redirect: 'manual' });
assert.equal(approved.status, 302);
const back = new URL(approved.headers.get('location'));
assert.equal(back.searchParams.get('state'), 'node-state');
const issued = connections.exchangeCode(web, back.searchParams.get('code'), redirect, start.codeVerifier);
assert.equal(issued.tokenType, 'Bearer');
assert.ok(issued.refreshToken, 'a refresh token with offline_access');
const stored = { ...web, accessToken: issued.accessToken, refreshToken: issued.refreshToken };
const viaOAuth = users.list({ tag: 'oauth-code', val: stored }, { limit: 1 });
assert.equal(JSON.parse(viaOAuth.items).length, 1);
const check = connections.test({ tag: 'oauth-code', val: stored });
assert.equal(check.kind, 'oauth_code');
assert.ok(check.principal, 'the admin who approved');

// Refresh tokens rotate: after a call that refreshed, the host reads the newest set back.
const second = connections.refresh(stored);
assert.notEqual(second.refreshToken, issued.refreshToken, 'rotated');
assert.deepEqual(connections.currentTokens(stored), second);
const kept = { ...web, accessToken: second.accessToken, refreshToken: second.refreshToken };
assert.deepEqual(connections.currentTokens(kept), second, 'known by the new tokens too');
assert.equal(JSON.parse(users.list({ tag: 'oauth-code', val: kept }, { limit: 1 }).items).length, 1);

console.log(`node host: ${described.actions.length} actions; list, invoke, create, get, errors and the OAuth code flow behave as under wasmtime`);
