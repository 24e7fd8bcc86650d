// Every action once through the built component and Spectral's test harness, against the
// fake org: the requests each sends (asserted at the recording proxy) and what each returns,
// whose shape must be that of the action's example payload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { everyActionOnce } from './support/every-action.mjs';
import { shapeDifference } from './support/shape.mjs';
import { harnessFor, loadBuilt, startOrg } from './support/org.mjs';

const component = loadBuilt();
const harness = harnessFor(component);
let org;

before(async () => {
  org = await startOrg();
});
after(() => org?.stop());

test('every action once: the requests it sends and a result shaped as its example payload', async () => {
  const results = await everyActionOnce(harness, org);
  assert.deepEqual(Object.keys(results).sort(), Object.keys(component.actions).sort(), 'every action ran');
  for (const [key, data] of Object.entries(results)) {
    const example = component.actions[key].examplePayload;
    assert.ok(example, `${key} has an example payload`);
    assert.equal(shapeDifference(example.data, data), undefined, `${key}: the example's shape`);
  }
});
