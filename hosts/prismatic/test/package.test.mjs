// The package as it ships: dist/ holds what Prismatic's CLI publishes (the bundle, the files
// it opens beside it, the icon), and the packed tarball, unpacked where nothing else is
// installed, loads in a fresh Node process with only its declared dependencies and runs an
// action through the component.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBuilt, packageDir, repoRoot, startOrg } from './support/org.mjs';

const dist = join(packageDir, 'dist');
let org;
let scratch;

before(async () => {
  org = await startOrg();
  scratch = mkdtempSync(join(tmpdir(), 'okta-prismatic-'));
});
after(() => {
  org?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('dist/ holds the bundle and every file it opens', () => {
  const files = readdirSync(dist);
  const modules = readdirSync(join(packageDir, 'generated/component')).filter((f) => f.endsWith('.wasm'));
  assert.ok(modules.length > 0);
  for (const f of ['index.js', 'preview2-shim-worker.mjs', ...modules]) assert.ok(files.includes(f), `dist/${f}`);
  const component = loadBuilt();
  assert.equal(component.key, 'okta-management-api');
  assert.equal(component.display.iconPath, 'icon.png');
});

test('dist/ has the icon', (t) => {
  const source = process.env.OKTA_CONNECTOR_ICON ?? join(repoRoot, 'dist/icon.png');
  if (!existsSync(source)) {
    const why = `no icon at ${source}: \`make package\` writes it (make test does, before these tests)`;
    // Everything runs under OKTA_TEST_ALL (CI): a missing icon is then a failure, not a skip.
    assert.ok(!process.env.OKTA_TEST_ALL, why);
    return t.skip(why);
  }
  assert.deepEqual([...readFileSync(source).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  assert.deepEqual(readFileSync(join(dist, 'icon.png')), readFileSync(source));
});

test('the packed package runs in a clean Node process with only its declared dependencies', () => {
  const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
  const tarball = npm(['pack', '--pack-destination', scratch], packageDir).trim().split('\n').at(-1);
  execFileSync('tar', ['-xzf', join(scratch, tarball), '-C', scratch]);
  const unpacked = join(scratch, 'package');
  const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
  npm(['install', '--omit=dev', '--ignore-scripts'], unpacked);
  const installed = existsSync(join(unpacked, 'node_modules')) ? readdirSync(join(unpacked, 'node_modules')).filter((d) => !d.startsWith('.')) : [];
  assert.deepEqual(installed.sort(), Object.keys(manifest.dependencies ?? {}).sort(), 'only the declared dependencies');

  const script = `
    const component = require('./dist/index.js').default;
    const connection = { key: 'oktaApiTokenConnection', configVarKey: '', fields: { oktaDomainUrl: process.argv[1], apiToken: process.argv[2] } };
    component.actions.getUser.perform({ logger: console, instanceState: {} }, { connection, id: 'fake.admin@example.com' })
      .then((r) => { console.log(JSON.stringify({ actions: Object.keys(component.actions).length, login: r.data.profile.login })); process.exit(0); })
      .catch((e) => { console.error(String(e)); process.exit(1); });`;
  const out = execFileSync(process.execPath, ['-e', script, org.url, org.token], { cwd: unpacked, encoding: 'utf8', env: { PATH: process.env.PATH, OKTA_ALLOW_LOCAL_ORGS: '1' } });
  assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)), { actions: 45, login: 'fake.admin@example.com' });
});
