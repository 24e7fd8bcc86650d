// Inputs: each Prismatic input follows its catalog field (label, comments, default, required,
// kind of input, picker), and the values Prismatic hands over reach Okta as the connector
// sends them, whichever way the platform's component let people enter them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { harnessFor, loadBuilt, packageDir, startOrg } from './support/org.mjs';

const component = loadBuilt();
const harness = harnessFor(component);
const catalog = JSON.parse(readFileSync(join(packageDir, 'generated/catalog.json'), 'utf8'));
const label = (entry) => entry.label.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w, i) => (i ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w.toLowerCase())).join('');
let org;

before(async () => {
  org = await startOrg();
});
after(() => org?.stop());

test('every catalog field is an input of its kind, with the catalog\'s label, comments, default and required flag', () => {
  let checked = 0;
  for (const entry of catalog.actions) {
    const action = component.actions[label(entry)];
    assert.ok(action, `${entry.id} is the action ${label(entry)}`);
    assert.equal(action.display.label, entry.label);
    assert.ok(action.display.description.startsWith(entry.comment), `${entry.id}: the catalog's description`);
    const props = entry.input_schema.properties;
    const inputs = action.inputs.filter((i) => i.key !== 'connection' && i.key !== 'includeNextCursor');
    assert.equal(inputs.length, Object.keys(props).length, `${entry.id}: one input per field`);
    assert.deepEqual(action.inputs.at(-1).key, 'connection');
    for (const input of inputs) {
      const [field, schema] = Object.entries(props).find(([, s]) => s.title === input.label && s.description === input.comments) ?? [];
      assert.ok(field, `${entry.id}.${input.key}: a field with its label and comments`);
      assert.equal(input.required, entry.input_schema.required.includes(field), `${entry.id}.${field} required`);
      const dflt = entry.defaults[field];
      if (dflt !== undefined) assert.equal(input.default, String(dflt), `${entry.id}.${field} default`);
      const items = schema.items ?? {};
      const expected =
        schema.writeOnly ? 'password'
        : schema.type === 'boolean' ? 'boolean'
        : schema.type === 'object' || schema.type === undefined ? 'code'
        : schema.type === 'array' && items.type !== 'string' && !(items.properties?.key && items.properties?.value) ? 'code'
        : 'string';
      assert.equal(input.type, expected, `${entry.id}.${field}: a ${expected} input`);
      if (input.type === 'code') assert.equal(input.language, 'json');
      if (schema.enum) assert.deepEqual(input.model.map((m) => m.value), schema.enum, `${entry.id}.${field}: a dropdown`);
      if (schema.type === 'array' && items.type === 'string') assert.equal(input.collection, 'valuelist');
      if (schema.type === 'array' && items.properties?.key) assert.equal(input.collection, 'keyvaluelist');
      checked += 1;
    }
  }
  assert.ok(checked > 150, `${checked} inputs checked`);
});

test('the inputs that take an Okta id are served by the picker of that kind of object', () => {
  const picker = (action, key) => component.actions[action].inputs.find((i) => i.key === key).dataSource;
  const wired = {
    selectUser: [['getUser', 'id'], ['deleteUser', 'id'], ['addUserToGroup', 'userId'], ['setUserPassword', 'userId'], ['assignApplicationToUser', 'userId']],
    selectGroup: [['getGroup', 'groupId'], ['addUserToGroup', 'groupId'], ['listGroupMembers', 'groupId']],
    selectApplication: [['getApplication', 'applicationId'], ['removeApplicationUserAssignment', 'applicationId']],
    selectEventHook: [['getEventHook', 'eventHookId'], ['deleteEventHook', 'eventHookId']],
    selectRealm: [['createUser', 'realmId'], ['updateUser', 'realmId']],
    selectUserType: [['createUser', 'type']],
    selectUserFactor: [['unenrollUserFactor', 'factorId']],
  };
  for (const [source, inputs] of Object.entries(wired)) {
    assert.ok(component.dataSources[source], `the ${source} picker`);
    for (const [action, key] of inputs) assert.equal(picker(action, key), source, `${action}.${key}`);
  }
  for (const action of Object.values(component.actions)) {
    for (const input of action.inputs) {
      if (input.dataSource) assert.ok(component.dataSources[input.dataSource], `${input.dataSource} exists`);
    }
  }
});

test('values reach Okta as the connector sends them, as Prismatic and the platform component let people enter them', async () => {
  const connection = org.apiToken();
  const sent = async () => (await org.requests()).filter((r) => r.path.startsWith('/api/'));
  await org.requests();

  // The platform's Sort Order dropdown stored ASCENDING; extra parameters as a key/value list.
  await harness.action('listUsers', { connection, search: 'status eq "ACTIVE"', sortBy: 'profile.lastName', sortOrder: 'ASCENDING', limit: '3', extraParameters: [{ key: 'expand', value: 'classification' }] });
  const [list] = await sent();
  assert.deepEqual([list.query.sortOrder, list.query.sortBy, list.query.limit, list.query.expand], ['asc', 'profile.lastName', '3', 'classification']);

  // Group IDs as the platform's JSON code input, a password hash with Okta's camelCase keys.
  const groups = (await harness.action('listGroups', { connection, filter: 'type eq "OKTA_GROUP"', limit: '2' })).data.map((g) => g.id);
  await org.requests();
  const hash = { algorithm: 'BCRYPT', workFactor: 10, salt: 'rwh3vH166HCH/NT9XV5FYu', value: 'qaMqvAPULkbiQzkTCWo5XDcvzpk8Tna' };
  const user = (await harness.action('createUser', {
    connection, login: 'input.kinds@example.com', email: 'input.kinds@example.com', firstName: 'Input', lastName: 'Kinds',
    groupIds: JSON.stringify(groups), hashPassword: JSON.stringify(hash), activate: 'false', profileExtraInputs: { nickName: 'IK' },
  })).data;
  const [create] = await sent();
  const body = JSON.parse(create.body);
  assert.deepEqual(body.groupIds, groups);
  assert.deepEqual(body.credentials.password.hash, hash);
  assert.equal(body.profile.nickName, 'IK');
  assert.equal(create.query.activate, 'false');
  assert.equal(user.status, 'STAGED');

  // Group IDs as Prismatic's value list; empty optional inputs are not sent.
  await harness.action('createUser', { connection, login: 'input.list@example.com', email: 'input.list@example.com', firstName: 'I', lastName: 'L', groupIds: groups, department: '', mobilePhone: '' });
  const [second] = await sent();
  const profile = JSON.parse(second.body).profile;
  assert.deepEqual(JSON.parse(second.body).groupIds, groups);
  assert.ok(!('department' in profile) && !('mobilePhone' in profile));
});
