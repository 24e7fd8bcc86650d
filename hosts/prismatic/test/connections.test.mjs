// Each connection kind through the built component: API token; OAuth 2.0 authorization code
// with Prismatic doing what it does (the PKCE browser flow from the connection's own
// authorize and token URL templates, the refresh) and the component only using the access
// token it is handed; client credentials with a private key and DPoP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { harnessFor, loadBuilt, startOrg, testing } from './support/org.mjs';

const component = loadBuilt();
const harness = harnessFor(component);
let org;

before(async () => {
  org = await startOrg();
});
after(() => org?.stop());

const apiRequests = async () => (await org.requests()).filter((r) => r.path.startsWith('/api/') || r.path.startsWith('/oauth2/'));

test('API token: SSWS on every request; a wrong token or domain is a connection error', async () => {
  await org.requests();
  const { data } = await harness.action('getUser', { connection: org.apiToken(), id: 'fake.admin@example.com' });
  assert.equal(data.profile.login, 'fake.admin@example.com');
  const [sent] = await apiRequests();
  assert.equal(sent.headers.authorization, `SSWS ${org.token}`);

  const wrong = testing.createConnection({ key: 'oktaApiTokenConnection' }, { oktaDomainUrl: org.url, apiToken: 'not-the-token' });
  // Spectral's ConnectionError (from the bundle's copy of Spectral: checked by its marks).
  await assert.rejects(harness.action('getUser', { connection: wrong, id: 'x' }), (e) =>
    e.isSpectralError === true && e.connection?.key === 'oktaApiTokenConnection' && e.kind === 'unauthorized' && !e.message.includes('not-the-token'));
  await org.requests();
  const badDomain = testing.createConnection({ key: 'oktaApiTokenConnection' }, { oktaDomainUrl: 'http://example.com', apiToken: org.token });
  await assert.rejects(harness.action('getUser', { connection: badDomain, id: 'x' }), (e) => e.kind === 'invalid-connection' && e.field === 'domain');
  assert.deepEqual(await apiRequests(), [], 'nothing sent with a refused domain');
});

/** What Prismatic fills in from a connection's template input (`https://{{#oktaDomainUrl}}/...`). */
function templateUrl(key, inputKey, fields) {
  const template = component.connections.find((c) => c.key === key).inputs.find((i) => i.key === inputKey).default;
  // The fake org serves plain HTTP on loopback: the host goes in the template, and http for https.
  return template.replace(/{{#(\w+)}}/g, (_, k) => new URL(fields[k]).host).replace(/^https:/, 'http:');
}

test('OAuth 2.0 authorization code: Prismatic runs the PKCE flow and refreshes; the component uses the access token alone', async () => {
  const key = 'oktaOAuth2AuthorizationCode';
  const conn = component.connections.find((c) => c.key === key);
  assert.deepEqual([conn.oauth2Type, conn.oauth2PkceMethod], ['authorization_code', 'S256']);
  const fields = { oktaDomainUrl: org.url, scopes: 'okta.users.read offline_access', clientId: org.web.clientId, clientSecret: org.web.clientSecret };
  const authorizeUrl = templateUrl(key, 'authorizeUrl', fields);
  const tokenUrl = templateUrl(key, 'tokenUrl', fields);
  assert.equal(authorizeUrl, `${org.url}/oauth2/v1/authorize`);
  assert.equal(tokenUrl, `${org.url}/oauth2/v1/token`);

  // Prismatic's part: authorize with a PKCE challenge, take the code, exchange it.
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL(authorizeUrl);
  for (const [k, v] of Object.entries({
    client_id: fields.clientId, response_type: 'code', scope: fields.scopes, redirect_uri: org.web.redirectUri,
    state: 'prismatic-state', code_challenge: challenge, code_challenge_method: 'S256',
  })) authorize.searchParams.set(k, v);
  const approved = await fetch(authorize, { redirect: 'manual' });
  assert.equal(approved.status, 302);
  const code = new URL(approved.headers.get('location')).searchParams.get('code');
  const basic = `Basic ${Buffer.from(`${fields.clientId}:${fields.clientSecret}`).toString('base64')}`;
  const tokenCall = (body) =>
    fetch(tokenUrl, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) }).then((r) => r.json());
  const issued = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: org.web.redirectUri, code_verifier: verifier });
  assert.ok(issued.access_token && issued.refresh_token, 'tokens, a refresh token with offline_access');
  await org.requests();

  const connection = testing.createConnection({ key }, { ...fields, authorizeUrl, tokenUrl }, issued);
  const { data } = await harness.action('listUsers', { connection, limit: '2' });
  assert.equal(data.length, 2);
  const sent = await apiRequests();
  assert.deepEqual(sent.map((r) => `${r.method} ${r.path}`), ['GET /api/v1/users'], 'no token call of its own');
  assert.equal(sent[0].headers.authorization, `Bearer ${issued.access_token}`);
  assert.ok(!JSON.stringify(sent).includes(issued.refresh_token), 'the refresh token stays with Prismatic');

  // Prismatic refreshes (the token rotates) and hands the new access token over.
  const refreshed = await tokenCall({ grant_type: 'refresh_token', refresh_token: issued.refresh_token, scope: fields.scopes });
  assert.ok(refreshed.access_token);
  await org.requests();
  const next = testing.createConnection({ key }, { ...fields, authorizeUrl, tokenUrl }, refreshed);
  assert.equal((await harness.action('getUser', { connection: next, id: 'fake.admin@example.com' })).data.profile.login, 'fake.admin@example.com');
  const [again] = await apiRequests();
  assert.equal(again.headers.authorization, `Bearer ${refreshed.access_token}`);

  // A token Okta does not know: a connection error, and no refresh attempt behind Prismatic's back.
  const stale = testing.createConnection({ key }, { ...fields, authorizeUrl, tokenUrl }, { ...refreshed, access_token: 'expired-token' });
  await assert.rejects(harness.action('getUser', { connection: stale, id: 'x' }), (e) => e.kind === 'unauthorized' && e.isSpectralError === true);
  assert.deepEqual((await apiRequests()).map((r) => r.path), ['/api/v1/users/x']);
});

test('client credentials with DPoP: a proof on the token request and on every API request; the token cached', async () => {
  const key = 'oktaClientCredentialsOrg';
  const fields = {
    oktaDomainUrl: org.url, clientId: org.service.clientId, privateKey: org.service.privateKey, keyId: org.service.keyId,
    scopes: 'okta.users.read okta.groups.read',
  };
  await org.requests();
  const connection = testing.createConnection({ key }, fields);
  const { data } = await harness.action('listUsers', { connection, limit: '1' });
  assert.equal(data.length, 1);
  const sent = await apiRequests();
  const tokens = sent.filter((r) => r.path === '/oauth2/v1/token');
  assert.ok(tokens.length >= 1 && tokens.length <= 2, 'a token request (and its retry with the nonce)');
  for (const t of tokens) {
    const form = new URLSearchParams(t.body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.equal(form.get('scope'), fields.scopes);
    assert.ok(t.headers.dpop, 'a DPoP proof');
  }
  const api = sent.filter((r) => r.path.startsWith('/api/'));
  assert.equal(api.length, 1);
  assert.match(api[0].headers.authorization, /^DPoP /);
  assert.ok(api[0].headers.dpop, 'a proof on the API request');
  assert.ok(!JSON.stringify(sent).includes('PRIVATE KEY'), 'the key never leaves');

  await harness.action('getUser', { connection, id: 'fake.admin@example.com' });
  const cached = await apiRequests();
  assert.deepEqual(cached.map((r) => r.path), ['/api/v1/users/fake.admin%40example.com'], 'the token is cached in the component');
  assert.notEqual(cached[0].headers.dpop, api[0].headers.dpop, 'a new proof per request');

  // The key pasted into a one-line password input loses its line breaks: it still works.
  const oneLine = testing.createConnection({ key }, { ...fields, privateKey: fields.privateKey.replace(/\n/g, '') });
  assert.equal((await harness.action('listUsers', { connection: oneLine, limit: '1' })).data.length, 1);

  // A key Okta does not know for this app: a connection error naming no secret.
  const otherKey = testing.createConnection({ key }, { ...fields, keyId: 'not-registered' });
  await assert.rejects(harness.action('listUsers', { connection: otherKey, limit: '1' }), (e) =>
    ['unauthorized', 'invalid-connection'].includes(e.kind) && !e.message.includes('PRIVATE'));
});
