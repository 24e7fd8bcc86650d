// What the catalog may carry besides labels and schemas (the OAuth scopes an entry needs, a
// usage hint, example values) reaches Prismatic's definitions when it is there. The catalog
// does not carry them yet, so synthetic entries go through the package's own functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir } from './support/org.mjs';

async function load() {
  const dir = mkdtempSync(join(tmpdir(), 'okta-prismatic-hints-'));
  try {
    const out = join(dir, 'hints.cjs');
    await build({
      stdin: {
        contents: "export { descriptionOf } from './src/catalog'; export { inputsOf } from './src/inputs'; export { connectionInputFor } from './src/connections';",
        resolveDir: packageDir,
        loader: 'ts',
      },
      bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error',
    });
    return createRequire(import.meta.url)(out);
  } finally {
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
}

const entry = (extra) => ({
  id: 'users.hinted', label: 'Get User', comment: 'Retrieve a user by ID or login.', defaults: {},
  input_schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', title: 'ID', description: 'The user.', examples: ['00u1abcd2EFGHijkL3m4'] } } },
  ...extra,
});

test('scopes and a hint are added to the description; an example value is the input\'s example', async () => {
  const { descriptionOf, inputsOf, connectionInputFor } = await load();
  assert.equal(descriptionOf(entry({})), 'Retrieve a user by ID or login.');
  assert.equal(descriptionOf(entry({ scopes: ['okta.users.read'] })), 'Retrieve a user by ID or login. Scopes: okta.users.read.');
  assert.equal(descriptionOf(entry({ scopes: 'okta.users.read okta.users.manage', hint: 'Logins work too.' })),
    'Retrieve a user by ID or login. Logins work too. Scopes: okta.users.read, okta.users.manage.');
  assert.equal(inputsOf('actions', entry({})).id.example, '00u1abcd2EFGHijkL3m4');

  const connection = {
    id: 'client_credentials', label: 'OAuth 2.0 Client Credentials', comment: '', defaults: {}, scopes: ['okta.users.read', 'okta.groups.read'],
    input_schema: { type: 'object', required: ['scopes'], properties: { scopes: { type: 'string', title: 'Scopes', description: 'Space-separated.' } } },
  };
  assert.equal(connectionInputFor(connection, 'scopes', connection.input_schema.properties.scopes).default, 'okta.users.read okta.groups.read');
  assert.equal(connectionInputFor({ ...connection, scopes: undefined }, 'scopes', connection.input_schema.properties.scopes).default, undefined);
});
