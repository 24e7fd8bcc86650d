// A user's whole life through the component's Users actions: created STAGED, activated,
// suspended and back, deactivated, deleted for good; each step asserted at the org.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harnessFor, loadBuilt, startOrg } from './support/org.mjs';

const harness = harnessFor(loadBuilt());
let org;
let connection;

before(async () => {
  org = await startOrg();
  connection = org.apiToken();
});
after(() => org?.stop());

const act = (key, params) => harness.action(key, { ...params, connection });
const status = async (id) => (await act('getUser', { id })).data.status;

test('Users lifecycle: create staged, activate, suspend, unsuspend, deactivate, delete', async () => {
  const login = 'life.cycle@example.com';
  const created = (
    await act('createUser', { login, email: login, firstName: 'Life', lastName: 'Cycle', password: 'Wandering-Heron-42', activate: 'false' })
  ).data;
  assert.equal(created.status, 'STAGED');
  assert.equal(created.profile.login, login);
  const [create] = await org.requests();
  assert.deepEqual([create.method, create.path, create.query.activate], ['POST', '/api/v1/users', 'false']);
  assert.equal(JSON.parse(create.body).credentials.password.value, 'Wandering-Heron-42');
  const id = created.id;

  await act('activateUser', { id, sendEmail: 'false' });
  assert.equal(await status(id), 'ACTIVE', 'activated with its password');

  await act('suspendUser', { id });
  assert.equal(await status(id), 'SUSPENDED');
  await act('unsuspendUser', { id });
  assert.equal(await status(id), 'ACTIVE');

  const updated = (await act('updateUser', { id, mobilePhone: '+1-555-0100' })).data;
  assert.equal(updated.profile.mobilePhone, '+1-555-0100');
  assert.equal(updated.profile.firstName, 'Life', 'a partial update keeps the rest');

  await act('deactivateUser', { id });
  assert.equal(await status(id), 'DEPROVISIONED');
  await org.requests();

  const deleted = await act('deleteUser', { id });
  assert.deepEqual(deleted.data, {});
  const deletes = (await org.requests()).filter((r) => r.path.startsWith('/api/'));
  assert.equal(deletes[0].method, 'DELETE');
  assert.equal(deletes[0].path, `/api/v1/users/${id}`);
  // Deprovisioned already: the first DELETE deletes; the second finds nothing, which is done.
  assert.equal(deletes.length, 2);
  // Okta's 404 is the WIT case `okta` with kind `not-found`: the kind is what the error says.
  await assert.rejects(act('getUser', { id }), (e) =>
    e.name === 'ConnectorError' && e.kind === 'not-found' && e.status === 404 && e.errorCode === 'E0000007' &&
    e.message.startsWith('Okta connector: not-found: 404 E0000007 '));
});

test('a bad input is a typed error naming the field, and nothing is sent', async () => {
  await org.requests();
  await assert.rejects(act('getUser', { id: ' ' }), (e) => e.kind === 'invalid-input' && e.field === 'id' && /\bid\b/.test(e.message));
  await assert.rejects(act('listUsers', { limit: 'many' }), (e) => e.kind === 'invalid-input' && e.field === 'limit');
  assert.deepEqual(await org.requests(), []);
});
