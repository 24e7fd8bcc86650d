// Fetch All over more than a thousand users, and a 429 in the middle of it: every user once,
// in Okta's order, compared with the org's own listing read page by page by the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harnessFor, loadBuilt, startOrg } from './support/org.mjs';

const harness = harnessFor(loadBuilt());
let org;
let connection;
let expected;

/** The org's users, read by the test itself following Link rel="next". */
async function orgUsers() {
  const ids = [];
  let next = `${org.orgUrl}/api/v1/users?limit=200`;
  while (next) {
    const res = await fetch(next, { headers: { authorization: `SSWS ${org.token}` } });
    ids.push(...(await res.json()).map((u) => u.id));
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return ids;
}

before(async () => {
  org = await startOrg({ users: 1200 });
  connection = org.apiToken();
  expected = await orgUsers();
});
after(() => org?.stop());

const pages = (requests) => requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/users');

test('Fetch All returns every one of more than 1 000 users once, in order', async () => {
  assert.ok(expected.length > 1000, `${expected.length} users`);
  await org.requests();
  const { data } = await harness.action('listUsers', { connection, fetchAll: 'true' });
  assert.deepEqual(data.map((u) => u.id), expected);
  const sent = pages(await org.requests());
  assert.equal(sent.length, Math.ceil(expected.length / 200));
  assert.ok(sent.every((r) => r.query.limit === '200'));
  assert.equal(sent[0].query.after, undefined);
  assert.ok(sent.slice(1).every((r) => r.query.after), 'every later page by its after cursor');
  assert.equal(new Set(sent.map((r) => r.query.after)).size, sent.length, 'no page twice');
});

test('a 429 mid-listing is waited out: nothing lost, nothing twice', async () => {
  await org.requests();
  await org.fault({ method: 'GET', path: '/api/v1/users', skip: 3, times: 1, resetSeconds: 1 });
  const { data } = await harness.action('listUsers', { connection, fetchAll: 'true' });
  assert.deepEqual(data.map((u) => u.id), expected);
  const sent = pages(await org.requests());
  assert.equal(sent.length, Math.ceil(expected.length / 200) + 1, 'one page asked twice');
  assert.equal(sent[4].query.after, sent[3].query.after, 'the refused page asked again');
  assert.ok(sent[4].at - sent[3].at >= 500, `waited for the reset (${sent[4].at - sent[3].at} ms)`);
});

test('page by page with Include Next Cursor: the cursor continues where the page ended', async () => {
  const first = (await harness.action('listUsers', { connection, limit: '150', includeNextCursor: 'true' })).data;
  assert.equal(first.items.length, 150);
  assert.ok(first.nextCursor);
  const second = (await harness.action('listUsers', { connection, limit: '150', after: first.nextCursor, includeNextCursor: 'true' })).data;
  assert.deepEqual([...first.items, ...second.items].map((u) => u.id), expected.slice(0, 300));
  const last = (await harness.action('listUsers', { connection, limit: '150', search: `profile.login eq "${'fake.admin@example.com'}"`, includeNextCursor: 'true' })).data;
  assert.deepEqual([last.items.length, last.nextCursor], [1, null], 'no cursor after the last page');
});
