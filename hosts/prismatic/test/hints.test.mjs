// What the catalog carries besides labels and schemas reaches Prismatic's definitions: the
// OAuth scopes each entry needs and whether it is destructive end its description, and the
// Scopes input of the OAuth connections lists what the actions need. Checked on the built
// component against the catalog, and on a synthetic entry through the package's functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBuilt, packageDir } from './support/org.mjs';

const component = loadBuilt();
const catalog = JSON.parse(readFileSync(join(packageDir, 'generated/catalog.json'), 'utf8'));

test("each action's description carries its scopes and a destructive mark from the catalog", () => {
  const actions = Object.values(component.actions);
  let scoped = 0;
  for (const entry of catalog.actions) {
    const action = actions.find((a) => a.display.label === entry.label);
    const d = action.display.description;
    assert.ok(d.startsWith(entry.comment), entry.id);
    assert.equal(d.includes(' Destructive.'), entry.hints?.destructive === true, `${entry.id}: destructive`);
    for (const scope of entry.scopes ?? []) assert.ok(d.includes(scope), `${entry.id}: ${scope}`);
    if ((entry.scopes ?? []).length > 0) scoped += 1;
  }
  assert.ok(scoped > 40, `${scoped} actions with scopes`);
  const all = [...new Set([...catalog.actions, ...catalog.triggers].flatMap((e) => e.scopes ?? []))];
  for (const key of ['oktaOAuth2AuthorizationCode', 'oktaClientCredentialsOrg']) {
    const scopes = component.connections.find((c) => c.key === key).inputs.find((i) => i.key === 'scopes');
    for (const scope of all) assert.ok(scopes.comments.includes(scope), `${key} lists ${scope}`);
  }
});

test("a field's example value is its input's example", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'okta-prismatic-hints-'));
  try {
    const out = join(dir, 'inputs.cjs');
    await build({
      stdin: { contents: "export { inputsOf } from './src/inputs';", resolveDir: packageDir, loader: 'ts' },
      bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error',
    });
    const { inputsOf } = createRequire(import.meta.url)(out);
    const entry = {
      id: 'users.example', label: 'Get User', comment: '', defaults: {},
      input_schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', title: 'ID', examples: ['00u1abcd2EFGHijkL3m4'] } } },
    };
    assert.equal(inputsOf('actions', entry).id.example, '00u1abcd2EFGHijkL3m4');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
