// Runs the transpiled component in Node (jco + preview2-shim) against a fake org served by
// another process, and checks what comes back.
// Usage: node check.mjs ORG_URL TOKEN WEB_CLIENT_ID WEB_CLIENT_SECRET WEB_REDIRECT_URI NATIVE_CLIENT_ID
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { catalog, connections, listings, users } from './out/okta_connector.js';
import { items, writeLines } from './listing.mjs';

const [url, token, webId, webSecret, redirect, nativeId] = process.argv.slice(2);
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

// Listings: every user, page by page, the same users in the same order as Fetch All.
const all = JSON.parse(catalog.invoke('users.list', connection, JSON.stringify({ limit: 200, fetch_all: true }))).items;
assert.ok(all.length > 25, `the seeded org has users (${all.length})`);
const streamed = [...items(listings, 'users.list', connection, { limit: 25 })];
assert.deepEqual(streamed.map((u) => u.id), all.map((u) => u.id), 'a listing reads what Fetch All returns');
const sink = new PassThrough();
const lines = [];
sink.on('data', (chunk) => lines.push(chunk.toString()));
const written = await writeLines(listings, 'users.list', connection, { limit: 25, fetch_all: false }, sink);
assert.equal(written, all.length, 'every user written, Fetch All or not');
assert.deepEqual(lines.join('').trimEnd().split('\n').map((l) => JSON.parse(l).id), all.map((u) => u.id));
const partial = listings.open('users.list', connection, JSON.stringify({ limit: 2 }));
assert.equal(JSON.parse(partial.nextPage()).length, 2);
assert.ok(partial.cursor(), 'the cursor of the page read next');
partial[Symbol.dispose]?.();
assert.throws(() => listings.open('users.get', connection, '{"id": "x"}'), (e) =>
  e.payload?.tag === 'invalid-input' && e.payload.val.field === 'action');

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

// OAuth 2.0 device authorization: a native app (no secret, no redirect); the user enters the
// code at the org's /activate page, here as the fake org's admin allowing it.
const native = { domain: url, scopes: ['okta.users.read', 'offline_access'], clientId: nativeId };
const device = connections.beginDeviceAuthorization(native);
assert.equal(device.verificationUri, `${url}/activate`);
assert.match(device.userCode, /^[A-Z]{8}$/);
assert.equal(connections.pollDeviceAuthorization(native, device.deviceCode).tag, 'pending');
const allowed = await fetch(`${url}/activate`, {
  method: 'POST', body: new URLSearchParams({ user_code: device.userCode, decision: 'allow' }),
});
assert.equal(allowed.status, 200);
await new Promise((resolve) => setTimeout(resolve, device.interval * 1000));
const signedIn = connections.pollDeviceAuthorization(native, device.deviceCode);
assert.equal(signedIn.tag, 'tokens');
assert.ok(signedIn.val.refreshToken, 'a refresh token with offline_access');
const viaDevice = { ...native, accessToken: signedIn.val.accessToken, refreshToken: signedIn.val.refreshToken };
assert.equal(JSON.parse(users.list({ tag: 'oauth-device', val: viaDevice }, { limit: 1 }).items).length, 1);
assert.deepEqual(connections.currentDeviceTokens(viaDevice), signedIn.val, 'the session of the tokens it carries');
assert.equal(connections.currentDeviceTokens(native), undefined, 'none for a connection without tokens');

console.log(`node host: ${described.actions.length} actions; list, invoke, listings, create, get, errors, the OAuth code flow and the device authorization behave as under wasmtime`);
