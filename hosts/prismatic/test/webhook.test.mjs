// The Event Hook trigger as Prismatic runs it: the instance deploy deploys the hook for the
// flow's webhook URL (Okta verifies it meanwhile), Okta's deliveries come in with the hook's
// secret and emit their events, a forged delivery is refused, the instance delete tears the
// hook down. Prismatic's side of the webhook URL runs in a worker (receiver-worker.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { harnessFor, loadBuilt, startOrg } from './support/org.mjs';

const harness = harnessFor(loadBuilt());
let org;
let worker;
let connection;
const seen = [];
let waiting = [];

/** The first report matching `wanted`, already in or still to come. */
async function reported(wanted) {
  for (;;) {
    const m = seen.find(wanted);
    if (m) return m;
    await received();
  }
}

function received() {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no request reached the webhook URL in 10 s')), 10_000);
    waiting.push((m) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
}

before(async () => {
  org = await startOrg();
  connection = org.apiToken();
});
after(async () => {
  await worker?.terminate();
  org?.stop();
});

test('Event Hook: deploy with verification, a delivery, a forged delivery refused, delete', async () => {
  const params = { connection, eventHookItems: ['user.lifecycle.create'] };
  worker = new Worker(new URL('./support/receiver-worker.mjs', import.meta.url), { workerData: { params } });
  worker.on('message', (m) => {
    if (m.url) return;
    seen.push(m);
    const w = waiting;
    waiting = [];
    w.forEach((f) => f(m));
  });
  const { url } = await new Promise((resolve) => worker.once('message', resolve));
  const flow = { id: 'flowId', name: 'Flow 1', stableId: 'flowStableId' };
  let stored = {};
  const context = () => ({ instanceState: structuredClone(stored), webhookUrls: { [flow.name]: url }, flow });

  // Deploy: the hook for the flow's URL, verified by Okta through the trigger.
  await org.requests();
  const deployed = await harness.triggerOnInstanceDeploy('eventHook', params, context());
  stored = deployed.instanceState;
  worker.postMessage({ instanceState: stored });
  assert.equal(typeof stored.oktaEventHook, 'string', 'the hook state in the instance state');
  // The worker's report was queued while this thread waited in the deploy.
  const verification = await reported((m) => m.branch === 'URL Validation');
  assert.ok(verification, 'Okta verified the URL through the trigger');
  assert.deepEqual([verification.method, verification.status], ['GET', 200]);
  const sent = (await org.requests()).filter((r) => r.path.startsWith('/api/'));
  assert.deepEqual(sent.map((r) => r.method), ['GET', 'POST', 'POST']);
  const created = JSON.parse(sent[1].body);
  assert.equal(created.channel.config.uri, url);
  assert.deepEqual(created.events.items, ['user.lifecycle.create']);
  const auth = created.channel.config.authScheme;
  assert.deepEqual([auth.type, auth.key], ['HEADER', 'X-Okta-Connector-Secret']);
  assert.ok(auth.value.length >= 32, 'a shared secret for Okta to send back');
  assert.match(sent[2].path, /\/lifecycle\/verify$/);
  const hooks = (await harness.action('listEventHooks', { connection })).data.filter((h) => h.channel.config.uri === url);
  assert.equal(hooks.length, 1);
  assert.deepEqual([hooks[0].status, hooks[0].verificationStatus], ['ACTIVE', 'VERIFIED']);

  // A delivery: Okta calls with the secret; the event reaches the flow once.
  const delivery = received();
  const user = (await harness.action('createUser', { connection, login: 'hooked@example.com', email: 'hooked@example.com', firstName: 'Hoo', lastName: 'Ked' })).data;
  const got = await delivery;
  assert.deepEqual([got.method, got.status, got.branch], ['POST', 200, 'Notification']);
  const events = got.payload.data.events;
  assert.equal(events.length, 1);
  assert.equal(events[0].eventType, 'user.lifecycle.create');
  assert.ok(events[0].target.some((t) => t.id === user.id));
  assert.equal(got.headers['x-okta-connector-secret'], '[redacted]', 'the secret stays out of the flow');
  assert.notEqual(got.instanceState.oktaEventHook, stored.oktaEventHook, 'the state remembers the event');
  stored = got.instanceState;

  // Forged: without the secret, or with another, nothing is emitted.
  for (const headers of [{}, { 'X-Okta-Connector-Secret': 'not-the-secret' }]) {
    const refusal = received();
    const body = JSON.stringify({ eventType: 'com.okta.event_hook', data: { events: [{ uuid: 'forged-1', eventType: 'user.lifecycle.create' }] } });
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    assert.equal(answer.status, 401);
    const m = await refusal;
    assert.deepEqual([m.branch, m.status], ['Refused', 401]);
  }

  // Delete: the hook is deactivated and deleted; the instance state forgets it.
  await org.requests();
  const deleted = await harness.triggerOnInstanceDelete('eventHook', params, context());
  assert.equal(deleted.instanceState.oktaEventHook, undefined);
  const teardown = (await org.requests()).filter((r) => r.path.startsWith('/api/'));
  assert.deepEqual(teardown.map((r) => `${r.method} ${r.path}`), [
    `POST /api/v1/eventHooks/${hooks[0].id}/lifecycle/deactivate`,
    `DELETE /api/v1/eventHooks/${hooks[0].id}`,
  ]);
  const left = (await harness.action('listEventHooks', { connection })).data.filter((h) => h.channel.config.uri === url);
  assert.deepEqual(left, []);
});
