// Records each action's example payload from the fake org's real answers: runs every action
// once (the scenario the action test runs), writes examples.json and rebuilds the package
// with them. The action test then checks that what each action returns has its example's shape.
//
// Usage: npm run examples   (needs the built package and okta-connector: `make prismatic-host` builds both)
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { everyActionOnce } from './support/every-action.mjs';
import { harnessFor, loadBuilt, packageDir, startOrg } from './support/org.mjs';

const harness = harnessFor(loadBuilt());
const org = await startOrg();
try {
  const results = await everyActionOnce(harness, org);
  const sorted = Object.fromEntries(Object.keys(results).sort().map((k) => [k, results[k]]));
  // The fake org's address is the run's own: examples name a stable one.
  const text = JSON.stringify(sorted, null, 2)
    .replaceAll(`${org.url}/__hook`, 'https://hooks.example.com/okta')
    .replaceAll(org.url, 'https://acme.okta.com').replaceAll(org.orgUrl, 'https://acme.okta.com');
  writeFileSync(join(packageDir, 'examples.json'), text + '\n');
  console.log(`examples.json: ${Object.keys(results).length} actions`);
} finally {
  org.stop();
}
execFileSync(process.execPath, [join(packageDir, 'build.mjs')], { stdio: 'inherit' });
