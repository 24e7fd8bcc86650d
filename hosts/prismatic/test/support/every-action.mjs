// Every action of the component once, in an order the fake org's lifecycle rules allow, with
// the requests each must send. The test runs it and asserts; `record-examples.mjs` runs it
// and keeps each action's result as its example payload.
//
// A step: `key` (the Prismatic action key), `params(s)` (its inputs; `s` holds what earlier
// steps made), `sends` (the requests to the org's API it must make, in order: method, path,
// and query parameters it must carry), `then(data, s)` (checks, and what to keep). Steps
// marked `setup` only prepare the org.

const hookSecret = 'hook-secret-value-for-tests';
const oldPassword = 'Tangerine-0ld-Passw0rd';
const newPassword = 'Tangerine-N3w-Passw0rd';

/** Strings that must never appear in a result or an example. */
export const SECRETS = [hookSecret, oldPassword, newPassword];

export function everyAction(hookUrl) {
  return [
    {
      key: 'listUsers',
      params: () => ({ search: 'status eq "LOCKED_OUT"', limit: '2' }),
      sends: [['GET', '/api/v1/users', { search: 'status eq "LOCKED_OUT"', limit: '2' }]],
      then: (data, s) => {
        assertEach(data, (u) => u.status === 'LOCKED_OUT', 'locked-out users');
        s.lockedOut = data[0];
      },
    },
    {
      key: 'unlockUser',
      params: (s) => ({ id: s.lockedOut.id }),
      sends: [['POST', (s) => `/api/v1/users/${s.lockedOut.id}/lifecycle/unlock`]],
    },
    {
      key: 'listUserTypes',
      params: () => ({}),
      sends: [['GET', '/api/v1/meta/types/user']],
      then: (data) => assertEach(data, (t) => typeof t.name === 'string', 'user types'),
    },
    {
      key: 'createUser',
      params: () => ({
        login: 'prismatic.every@example.com',
        email: 'prismatic.every@example.com',
        firstName: 'Every',
        lastName: 'Action',
        password: oldPassword,
        department: 'Integrations',
        profileExtraInputs: '{"costCenter": "42"}',
      }),
      sends: [['POST', '/api/v1/users', { activate: 'true', provider: 'false' }]],
      body: (b) => b.profile.login === 'prismatic.every@example.com' && b.profile.costCenter === '42' && b.profile.locale === 'en_US',
      then: (data, s) => {
        check(data.status === 'ACTIVE', `created ACTIVE, not ${data.status}`);
        s.user = data;
      },
    },
    {
      key: 'getUser',
      params: (s) => ({ id: s.user.profile.login }),
      sends: [['GET', (s) => `/api/v1/users/${encodeURIComponent(s.user.profile.login)}`]],
      then: (data, s) => check(data.id === s.user.id, 'the same user'),
    },
    {
      key: 'updateUser',
      params: (s) => ({ id: s.user.id, department: 'Platform' }),
      sends: [['POST', (s) => `/api/v1/users/${s.user.id}`]],
      body: (b) => b.profile.department === 'Platform' && !('firstName' in b.profile),
      then: (data) => check(data.profile.department === 'Platform' && data.profile.firstName === 'Every', 'a partial update'),
    },
    {
      key: 'setUserPassword',
      params: (s) => ({ userId: s.user.id, oldPassword, newPassword }),
      sends: [['POST', (s) => `/api/v1/users/${s.user.id}/credentials/change_password`]],
      body: (b) => b.oldPassword.value === oldPassword && b.newPassword.value === newPassword,
    },
    {
      key: 'listUserGroups',
      params: (s) => ({ id: s.user.id }),
      sends: [['GET', (s) => `/api/v1/users/${s.user.id}/groups`]],
      then: (data) => check(data.some((g) => g.profile.name === 'Everyone'), 'in Everyone'),
    },
    {
      key: 'listUserApplications',
      params: (s) => ({ id: s.user.id }),
      sends: [['GET', (s) => `/api/v1/users/${s.user.id}/appLinks`]],
      then: (data) => check(Array.isArray(data), 'a list of app links'),
    },
    {
      key: 'createGroup',
      params: () => ({ name: 'Prismatic Every Action', description: 'Made by the every-action test' }),
      sends: [['POST', '/api/v1/groups']],
      body: (b) => b.profile.name === 'Prismatic Every Action',
      then: (data, s) => {
        s.group = data;
      },
    },
    {
      key: 'getGroup',
      params: (s) => ({ groupId: s.group.id }),
      sends: [['GET', (s) => `/api/v1/groups/${s.group.id}`]],
    },
    {
      key: 'updateGroup',
      params: (s) => ({ groupId: s.group.id, description: 'Changed' }),
      sends: [
        ['GET', (s) => `/api/v1/groups/${s.group.id}`],
        ['PUT', (s) => `/api/v1/groups/${s.group.id}`],
      ],
      then: (data) => check(data.profile.name === 'Prismatic Every Action' && data.profile.description === 'Changed', 'name kept'),
    },
    {
      key: 'addUserToGroup',
      params: (s) => ({ groupId: s.group.id, userId: s.user.id }),
      sends: [['PUT', (s) => `/api/v1/groups/${s.group.id}/users/${s.user.id}`]],
    },
    {
      key: 'listGroupMembers',
      params: (s) => ({ groupId: s.group.id, limit: '2' }),
      sends: [['GET', (s) => `/api/v1/groups/${s.group.id}/users`, { limit: '2' }]],
      then: (data, s) => check(data.length === 1 && data[0].id === s.user.id, 'the one member'),
    },
    {
      key: 'removeUserFromGroup',
      params: (s) => ({ groupId: s.group.id, userId: s.user.id }),
      sends: [['DELETE', (s) => `/api/v1/groups/${s.group.id}/users/${s.user.id}`]],
    },
    {
      key: 'listGroups',
      params: () => ({ q: 'Prismatic', limit: '2' }),
      sends: [['GET', '/api/v1/groups', { q: 'Prismatic', limit: '2' }]],
      then: (data, s) => check(data.length === 1 && data[0].id === s.group.id, 'found by q'),
    },
    {
      key: 'deleteGroup',
      params: (s) => ({ groupId: s.group.id }),
      sends: [['DELETE', (s) => `/api/v1/groups/${s.group.id}`]],
    },
    {
      key: 'listApplications',
      params: () => ({ filter: 'status eq "ACTIVE"', limit: '2' }),
      sends: [['GET', '/api/v1/apps', { filter: 'status eq "ACTIVE"', limit: '2' }]],
      then: (data, s) => {
        s.app = data.find((a) => a.signOnMode === 'BOOKMARK') ?? data[0];
      },
    },
    {
      key: 'getApplication',
      params: (s) => ({ applicationId: s.app.id }),
      sends: [['GET', (s) => `/api/v1/apps/${s.app.id}`]],
    },
    {
      key: 'assignApplicationToUser',
      params: (s) => ({ applicationId: s.app.id, userId: s.user.id, scope: 'USER' }),
      sends: [['POST', (s) => `/api/v1/apps/${s.app.id}/users`]],
      body: (b, s) => b.id === s.user.id && b.scope === 'USER',
    },
    {
      key: 'getApplicationUserAssignment',
      params: (s) => ({ applicationId: s.app.id, userId: s.user.id }),
      sends: [['GET', (s) => `/api/v1/apps/${s.app.id}/users/${s.user.id}`]],
    },
    {
      key: 'updateApplicationUserAssignment',
      params: (s) => ({ applicationId: s.app.id, userId: s.user.id, profile: '{"role": "Developer"}' }),
      sends: [['POST', (s) => `/api/v1/apps/${s.app.id}/users/${s.user.id}`]],
      body: (b) => b.profile.role === 'Developer',
    },
    {
      key: 'removeApplicationUserAssignment',
      params: (s) => ({ applicationId: s.app.id, userId: s.user.id }),
      sends: [['DELETE', (s) => `/api/v1/apps/${s.app.id}/users/${s.user.id}`, { sendEmail: 'false' }]],
    },
    {
      key: 'suspendUser',
      params: (s) => ({ id: s.user.id }),
      sends: [['POST', (s) => `/api/v1/users/${s.user.id}/lifecycle/suspend`]],
    },
    {
      key: 'unsuspendUser',
      params: (s) => ({ id: s.user.id }),
      sends: [['POST', (s) => `/api/v1/users/${s.user.id}/lifecycle/unsuspend`]],
    },
    {
      key: 'clearUserSessions',
      params: (s) => ({ userId: s.user.id }),
      sends: [['DELETE', (s) => `/api/v1/users/${s.user.id}/sessions`, { oauthTokens: 'false', forgetDevices: 'false' }]],
    },
    {
      key: 'resetUserPassword',
      params: (s) => ({ id: s.user.id, sendEmail: 'false' }),
      sends: [['POST', (s) => `/api/v1/users/${s.user.id}/lifecycle/reset_password`, { sendEmail: 'false', revokeSessions: 'false' }]],
      then: (data) => check(typeof data.resetPasswordUrl === 'string', 'a reset link'),
    },
    {
      key: 'reactivateUser',
      params: (s) => ({ id: s.user.id }),
      sends: [['POST', (s) => `/api/v1/users/${s.user.id}/lifecycle/reactivate`, { sendEmail: 'false' }]],
    },
    {
      key: 'deactivateUser',
      params: (s) => ({ id: s.user.id }),
      sends: [['POST', (s) => `/api/v1/users/${s.user.id}/lifecycle/deactivate`, { sendEmail: 'false' }]],
    },
    {
      key: 'activateUser',
      params: (s) => ({ id: s.user.id }),
      sends: [['POST', (s) => `/api/v1/users/${s.user.id}/lifecycle/activate`, { sendEmail: 'false' }]],
      then: (data) => check(typeof data.activationUrl === 'string', 'an activation link'),
    },
    {
      key: 'deleteUser',
      params: (s) => ({ id: s.user.id }),
      sends: [
        ['DELETE', (s) => `/api/v1/users/${s.user.id}`, { sendEmail: 'false' }],
        ['DELETE', (s) => `/api/v1/users/${s.user.id}`, { sendEmail: 'false' }],
      ],
    },
    {
      key: 'listUsers',
      setup: true,
      params: () => ({ search: 'profile.login eq "fake.admin@example.com"' }),
      then: (data, s) => {
        s.admin = data[0];
      },
    },
    {
      key: 'listUserFactors',
      params: (s) => ({ userId: s.admin.id }),
      sends: [['GET', (s) => `/api/v1/users/${s.admin.id}/factors`]],
      then: (data, s) => {
        check(data.length > 0, 'the admin has factors');
        s.factor = data[0];
      },
    },
    {
      key: 'unenrollUserFactor',
      params: (s) => ({ userId: s.admin.id, factorId: s.factor.id }),
      sends: [['DELETE', (s) => `/api/v1/users/${s.admin.id}/factors/${s.factor.id}`, { removeRecoveryEnrollment: 'false' }]],
    },
    {
      key: 'listPolicies',
      params: () => ({ type: 'OKTA_SIGN_ON', limit: '2' }),
      sends: [['GET', '/api/v1/policies', { type: 'OKTA_SIGN_ON', limit: '2' }]],
      then: (data) => assertEach(data, (p) => p.type === 'OKTA_SIGN_ON', 'sign-on policies'),
    },
    {
      key: 'listRealms',
      params: () => ({ limit: '2' }),
      sends: [['GET', '/api/v1/realms', { limit: '2' }]],
    },
    {
      key: 'getSystemLogs',
      params: () => ({ filter: 'eventType eq "user.lifecycle.create"', limit: '2' }),
      sends: [['GET', '/api/v1/logs', { filter: 'eventType eq "user.lifecycle.create"', limit: '2' }]],
      then: (data) => assertEach(data, (e) => e.eventType === 'user.lifecycle.create', 'user creations'),
    },
    {
      key: 'createEventHook',
      params: () => ({
        eventHookName: 'Prismatic every action',
        eventHookUrl: `${hookUrl}/every`,
        eventHookItems: ['user.lifecycle.create'],
        authHeaderValue: hookSecret,
        eventHookDescription: 'Made by the every-action test',
      }),
      sends: [['POST', '/api/v1/eventHooks'], ['POST', /^\/api\/v1\/eventHooks\/[^/]+\/lifecycle\/verify$/]],
      body: (b) => b.events.items[0] === 'user.lifecycle.create' && b.channel.config.authScheme.value === hookSecret,
      then: (data, s) => {
        check(data.verificationStatus === 'VERIFIED', 'verified');
        s.hook = data;
      },
    },
    {
      key: 'getEventHook',
      params: (s) => ({ eventHookId: s.hook.id }),
      sends: [['GET', (s) => `/api/v1/eventHooks/${s.hook.id}`]],
    },
    {
      key: 'listEventHooks',
      params: () => ({}),
      sends: [['GET', '/api/v1/eventHooks']],
      then: (data, s) => check(data.some((h) => h.id === s.hook.id), 'the new hook listed'),
    },
    {
      key: 'deactivateEventHook',
      params: (s) => ({ eventHookId: s.hook.id }),
      sends: [['POST', (s) => `/api/v1/eventHooks/${s.hook.id}/lifecycle/deactivate`]],
      then: (data) => check(data.status === 'INACTIVE', 'inactive'),
    },
    {
      key: 'activateEventHook',
      params: (s) => ({ eventHookId: s.hook.id }),
      sends: [['POST', (s) => `/api/v1/eventHooks/${s.hook.id}/lifecycle/activate`]],
      then: (data) => check(data.status === 'ACTIVE', 'active'),
    },
    {
      key: 'verifyEventHook',
      params: (s) => ({ eventHookId: s.hook.id }),
      sends: [['POST', (s) => `/api/v1/eventHooks/${s.hook.id}/lifecycle/verify`]],
      then: (data) => check(data.verificationStatus === 'VERIFIED', 'verified'),
    },
    {
      key: 'deleteEventHook',
      params: (s) => ({ eventHookId: s.hook.id }),
      sends: [
        ['GET', (s) => `/api/v1/eventHooks/${s.hook.id}`],
        ['POST', (s) => `/api/v1/eventHooks/${s.hook.id}/lifecycle/deactivate`],
        ['DELETE', (s) => `/api/v1/eventHooks/${s.hook.id}`],
      ],
    },
    {
      key: 'createEventHook',
      setup: true,
      params: () => ({
        eventHookName: 'Prismatic delete all',
        eventHookUrl: `${hookUrl}/all`,
        eventHookItemsCode: '["user.lifecycle.delete.initiated"]',
        doNotActivateOnCreate: 'true',
      }),
      then: (data, s) => {
        check(data.status === 'INACTIVE', 'not activated');
        s.second = data;
      },
    },
    {
      key: 'deleteAllEventHooks',
      params: () => ({ eventHookUrl: `${hookUrl}/all` }),
      sends: [['GET', '/api/v1/eventHooks'], ['DELETE', (s) => `/api/v1/eventHooks/${s.second.id}`]],
      then: (data, s) => check(data.deleted.length === 1 && data.deleted[0] === s.second.id, 'only the hook for that URL'),
    },
    {
      key: 'rawRequest',
      params: () => ({ url: '/users/me', method: 'GET' }),
      sends: [['GET', '/api/v1/users/me']],
      then: (data) => check(data.profile.login === 'fake.admin@example.com', "the token's admin"),
    },
  ];
}

export function check(ok, what) {
  if (!ok) throw new Error(`expected ${what}`);
}

function assertEach(list, ok, what) {
  check(Array.isArray(list) && list.length > 0 && list.every(ok), what);
}

/**
 * Runs the steps through `run(key, params)`. For each non-setup step, `seen()` gives the API
 * requests it made; they must be exactly `sends`. Returns each action's first result.
 */
export async function runEveryAction(steps, run, seen, token) {
  const s = {};
  const results = {};
  for (const step of steps) {
    const params = step.params(s);
    const { data } = await run(step.key, params);
    const requests = (await seen()).filter((r) => r.path.startsWith('/api/') || r.path.startsWith('/oauth2/'));
    if (!step.setup) {
      const what = `${step.key}: sent ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`;
      check(requests.length === step.sends.length, `${step.sends.length} request(s): ${what}`);
      step.sends.forEach(([method, path, query = {}], i) => {
        const r = requests[i];
        const want = typeof path === 'function' ? path(s) : path;
        check(r.method === method, `${method}: ${what}`);
        check(want instanceof RegExp ? want.test(r.path) : r.path === want, `${want}: ${what}`);
        for (const [k, v] of Object.entries(query)) check(r.query[k] === v, `${k}=${v}: ${what} ${JSON.stringify(r.query)}`);
        check(r.headers.authorization === `SSWS ${token}`, `the API token on ${what}`);
      });
      if (step.body) check(step.body(JSON.parse(requests[0].body), s), `the body of ${step.key}: ${requests[0].body}`);
      if (!(step.key in results)) results[step.key] = data;
    }
    step.then?.(data, s);
    const text = JSON.stringify(data);
    for (const secret of SECRETS) check(!text.includes(secret), `no secret in the result of ${step.key}`);
  }
  return results;
}

/**
 * Every action once with an API-token connection to `org`, through `harness`: the run the
 * actions test asserts and `record-examples.mjs` keeps. Returns each action's first result.
 */
export async function everyActionOnce(harness, org) {
  const connection = org.apiToken();
  await org.requests();
  return runEveryAction(
    everyAction(`${org.url}/__hook`),
    (key, params) => harness.action(key, { ...params, connection }),
    () => org.requests(),
    org.token,
  );
}
