// The three polling triggers, each over three polls with the state carried as Prismatic
// carries it: the instance state the run left, stored as JSON and handed to the next run.
// Between polls the test changes the org through the component's actions; each poll must
// return exactly what changed since the previous one: nothing lost, nothing twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harnessFor, loadBuilt, startOrg } from './support/org.mjs';

const component = loadBuilt();
const harness = harnessFor(component);
let org;
let connection;

before(async () => {
  org = await startOrg();
  connection = org.apiToken();
});
after(() => org?.stop());

const act = async (key, params) => (await harness.action(key, { ...params, connection })).data;

/** A trigger run the way Prismatic runs it on its schedule, the instance state kept between runs. */
function poller(key, params = {}) {
  let stored = JSON.stringify({});
  return async () => {
    const instanceState = JSON.parse(stored);
    const result = await harness.trigger(key, undefined, { ...params, connection }, { instanceState });
    stored = JSON.stringify(instanceState);
    return { items: result.payload.body.data, resultType: result.resultType, stored: JSON.parse(stored) };
  };
}

let n = 0;
const newUser = async () => {
  n += 1;
  const login = `polled.${n}@example.com`;
  return act('createUser', { login, email: login, firstName: 'Polled', lastName: `N${n}`, password: 'Steady-Otter-1234' });
};
const ids = (items) => items.map((u) => u.id).sort();

test('New Users: first run records where the org stands, then each new user once', async () => {
  const poll = poller('newUsersPollingTrigger');
  const first = await poll();
  assert.deepEqual(first.items, []);
  assert.equal(first.resultType, 'polled_no_changes');
  assert.equal(typeof first.stored.__prismaticInternal.polling.okta, 'string', "the connector's state in Prismatic's polling state");

  const a = await newUser();
  const b = await newUser();
  await org.requests();
  const second = await poll();
  assert.equal(second.resultType, 'completed');
  assert.deepEqual(ids(second.items), ids([a, b]));
  const [sent] = (await org.requests()).filter((r) => r.path === '/api/v1/users');
  assert.match(sent.query.search, /^created ge "/);
  assert.equal(sent.query.sortBy, 'created');

  const c = await newUser();
  await act('updateUser', { id: a.id, department: 'Moved' });
  const third = await poll();
  assert.deepEqual(ids(third.items), ids([c]), 'only the new one: an update is not a new user');
});

test('Updated Users: each update once', async () => {
  const a = await newUser();
  const b = await newUser();
  const poll = poller('updatedUsersPollingTrigger');
  assert.deepEqual((await poll()).items, [], 'a first run emits nothing');

  // The fake org stamps lastUpdated to the second: an update in the same second as the
  // creation would not move it (an Updated Users key is the user and its lastUpdated).
  const nextSecond = () => new Promise((r) => setTimeout(r, 1100));
  await nextSecond();
  await act('updateUser', { id: a.id, department: 'One' });
  await act('updateUser', { id: b.id, department: 'One' });
  const second = await poll();
  assert.deepEqual(ids(second.items), ids([a, b]));
  assert.ok(second.items.every((u) => u.profile.department === 'One'));

  await nextSecond();
  await act('updateUser', { id: a.id, department: 'Two' });
  const third = await poll();
  assert.deepEqual(ids(third.items), ids([a]), 'the second update of one user, and nothing else');
  assert.equal(third.items[0].profile.department, 'Two');
});

test('New System Logs: with a filter, each event once', async () => {
  const poll = poller('newSystemLogsPollingTrigger', { filter: 'eventType eq "group.lifecycle.create"' });
  const before = await poll();
  const earlier = new Set(before.items.map((e) => e.uuid));

  const g1 = await act('createGroup', { name: 'Polled Group 1' });
  const g2 = await act('createGroup', { name: 'Polled Group 2' });
  await act('createUser', { login: 'not.a.group@example.com', email: 'not.a.group@example.com', firstName: 'N', lastName: 'G' });
  await org.requests();
  const second = await poll();
  const [sent] = (await org.requests()).filter((r) => r.path === '/api/v1/logs');
  assert.equal(sent.query.filter, 'eventType eq "group.lifecycle.create"');
  assert.ok(second.items.every((e) => e.eventType === 'group.lifecycle.create'));
  assert.deepEqual(second.items.map((e) => e.target[0].id), [g1.id, g2.id], 'in the order Okta recorded them');
  assert.ok(second.items.every((e) => !earlier.has(e.uuid)), 'none from the first run');

  const g3 = await act('createGroup', { name: 'Polled Group 3' });
  const third = await poll();
  assert.deepEqual(third.items.map((e) => e.target[0].id), [g3.id]);
  const uuids = [...before.items, ...second.items, ...third.items].map((e) => e.uuid);
  assert.equal(new Set(uuids).size, uuids.length, 'no event twice');
});

test('a failed poll leaves the state as it was: the next run starts from the same place', async () => {
  const poll = poller('newUsersPollingTrigger');
  await poll();
  const a = await newUser();
  // A refusal, not a 429: the component's rate-limit budget would rightly hold the next poll
  // back until a 429's window ends.
  await org.fault({ method: 'GET', path: '/api/v1/users', times: 1, status: 403 });
  await assert.rejects(poll(), (e) => e.kind === 'forbidden');
  const next = await poll();
  assert.deepEqual(ids(next.items), ids([a]));
});
