// The pickers (Prismatic data sources) through the component: each lists every object of its
// kind (every page where the list action pages) with the object's id as the key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harnessFor, loadBuilt, startOrg } from './support/org.mjs';

const component = loadBuilt();
const harness = harnessFor(component);
let org;
let connection;

before(async () => {
  org = await startOrg({ users: 250 });
  connection = org.apiToken();
});
after(() => org?.stop());

const list = async (key, params = {}) => (await harness.action(key, { ...params, connection })).data;

test('each picker lists its objects through the list action, every page, labelled', async () => {
  const admin = (await list('listUsers', { search: 'profile.login eq "fake.admin@example.com"' }))[0];
  const expected = {
    selectUser: [{}, await list('listUsers', { fetchAll: 'true' })],
    selectGroup: [{}, await list('listGroups', { fetchAll: 'true' })],
    selectApplication: [{}, await list('listApplications', { fetchAll: 'true' })],
    selectEventHook: [{}, await list('listEventHooks')],
    selectPolicy: [{ type: 'PASSWORD' }, await list('listPolicies', { type: 'PASSWORD', fetchAll: 'true' })],
    selectRealm: [{}, await list('listRealms', { fetchAll: 'true' })],
    selectUserFactor: [{ userId: admin.id }, await list('listUserFactors', { userId: admin.id })],
    selectUserType: [{}, await list('listUserTypes')],
  };
  assert.deepEqual(Object.keys(expected).sort(), Object.keys(component.dataSources).sort());
  assert.ok(expected.selectUser[1].length > 400, 'more users than a page holds');
  for (const [key, [params, objects]] of Object.entries(expected)) {
    const { result } = await harness.dataSource(key, { ...params, connection });
    assert.deepEqual(result.map((e) => e.key), objects.map((o) => o.id), `${key}: every object once`);
    assert.ok(result.every((e) => typeof e.label === 'string' && e.label.length > 0 && !e.label.includes('undefined')), `${key}: labels`);
    assert.equal(component.dataSources[key].dataSourceType, 'picklist');
  }
  const { result: users } = await harness.dataSource('selectUser', { connection });
  assert.equal(users.find((u) => u.key === admin.id).label, 'Fake Admin (fake.admin@example.com)');
});
