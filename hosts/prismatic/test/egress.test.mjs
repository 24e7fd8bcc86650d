// The component's egress policy as the package applies it: a connection naming a loopback org
// (the fake org) is refused before anything is sent unless OKTA_ALLOW_LOCAL_ORGS=1 is in the
// process's environment. The package passes the variable only when it is set there: it never
// allows local orgs on its own. Each case runs the built package in a fresh Node process with
// only the environment given.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageDir, startOrg } from './support/org.mjs';

let org;

before(async () => {
  org = await startOrg();
});
after(() => org?.stop());

/** Get User through the package in a new process whose environment is `env` (and PATH). */
function getUser(env) {
  const script = `
    const component = require(${JSON.stringify(join(packageDir, 'dist/index.js'))}).default;
    const connection = { key: 'oktaApiTokenConnection', configVarKey: '', fields: { oktaDomainUrl: process.argv[1], apiToken: process.argv[2] } };
    component.actions.getUser.perform({ logger: console, instanceState: {} }, { connection, id: 'fake.admin@example.com' })
      .then((r) => console.log(JSON.stringify({ login: r.data.profile.login })))
      .catch((e) => console.log(JSON.stringify({ error: { kind: e.kind, field: e.field, connection: e.connection?.key, message: e.message } })));`;
  const out = execFileSync(process.execPath, ['-e', script, org.url, org.token], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return JSON.parse(out.trim().split('\n').at(-1));
}

test('a loopback org is refused, nothing sent, unless OKTA_ALLOW_LOCAL_ORGS=1 is in the environment', async () => {
  for (const env of [{}, { OKTA_ALLOW_LOCAL_ORGS: '0' }]) {
    await org.requests();
    const { error } = getUser(env);
    assert.ok(error, `refused with ${JSON.stringify(env)}`);
    assert.deepEqual([error.kind, error.field, error.connection], ['invalid-connection', 'domain', 'oktaApiTokenConnection'], 'a connection error on the domain');
    assert.match(error.message, /OKTA_ALLOW_LOCAL_ORGS/, 'the message says how a host allows local orgs');
    assert.ok(!error.message.includes(org.token), 'no token in the message');
    assert.deepEqual(await org.requests(), [], 'nothing sent');
  }

  await org.requests();
  assert.deepEqual(getUser({ OKTA_ALLOW_LOCAL_ORGS: '1' }), { login: 'fake.admin@example.com' });
  assert.deepEqual((await org.requests()).map((r) => `${r.method} ${r.path}`), ['GET /api/v1/users/fake.admin%40example.com']);
});
