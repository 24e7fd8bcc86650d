// One bench contender process: loads the built package as Prismatic does, runs a step
// through Spectral's test harness, and prints what it measured as one JSON line.
//
// Usage: node child.mjs MODE ORG_URL TOKEN [N]
//   fetch-all   one Fetch All of every user
//   get-user    one Get User
//   warm        per call in one process: the first Get User (component load included), then
//               N Get Users and 3 Fetch Alls
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as testing from '@prismatic-io/spectral/dist/testing.js';

const started = performance.now();
const [mode, url, token, n = '200'] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const component = createRequire(import.meta.url)(join(here, '..', 'dist', 'index.js')).default;
const harness = testing.createHarness(component);
const connection = testing.createConnection({ key: 'oktaApiTokenConnection' }, { oktaDomainUrl: url, apiToken: token });
const loaded = performance.now();

const time = async (f) => {
  const t = performance.now();
  const r = await f();
  return [performance.now() - t, r];
};
const getUser = () => harness.action('getUser', { connection, id: 'fake.admin@example.com' });
const fetchAll = () => harness.action('listUsers', { connection, fetchAll: 'true' });
const out = { loadMs: loaded - started };

if (mode === 'fetch-all') {
  const [ms, r] = await time(fetchAll);
  Object.assign(out, { callMs: ms, count: r.data.length, first: r.data[0].id, last: r.data.at(-1).id });
} else if (mode === 'get-user') {
  const [ms, r] = await time(getUser);
  Object.assign(out, { callMs: ms, login: r.data.profile.login });
} else if (mode === 'warm') {
  const [first] = await time(getUser);
  const gets = [];
  for (let i = 0; i < Number(n); i += 1) gets.push((await time(getUser))[0]);
  const alls = [];
  for (let i = 0; i < 3; i += 1) {
    const [ms, r] = await time(fetchAll);
    if (r.data.length === 0) throw new Error('an empty listing');
    alls.push(ms);
  }
  Object.assign(out, { firstCallMs: first, getUserMs: gets, fetchAllMs: alls });
} else {
  throw new Error(`unknown mode ${mode}`);
}
out.maxRssKb = process.resourceUsage().maxRSS;
console.log(JSON.stringify(out));
process.exit(0);
