// The fake org (`okta-connector fake-org`) and the recording proxy, each in its own process,
// and what the tests need to reach them through the built component.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as testing from '@prismatic-io/spectral/dist/testing.js';

// The fake org is on loopback, which the component refuses unless its host allows local
// orgs: the tests allow them for this process (and the worker threads it starts), as an
// operator would by setting the variable. egress.test.mjs runs the package without it.
process.env.OKTA_ALLOW_LOCAL_ORGS = '1';

const here = dirname(fileURLToPath(import.meta.url));
export const packageDir = resolve(here, '../..');
export const repoRoot = resolve(packageDir, '../..');
const cli = process.env.OKTA_CONNECTOR_CLI ?? join(repoRoot, 'target/debug/okta-connector');

/** The built component, as Prismatic loads it. */
export function loadBuilt(dir = join(packageDir, 'dist')) {
  const require = createRequire(import.meta.url);
  return require(join(dir, 'index.js')).default;
}

/** Starts a process and resolves with it once a line of its output matches `ready`. */
function start(command, args, ready, what) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 60 s:\n${out}`)), 60_000);
    const onData = (chunk) => {
      out += chunk;
      if (ready.test(out)) {
        clearTimeout(timer);
        resolvePromise({ child, out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const error = new Error(`${what} exited (${code}):\n${out}`);
      reject(error);
      // Once started, a process that dies says why (the test then fails on its absence).
      process.stderr.write(`${error.message}\n`);
    });
  });
}

/**
 * A fake org with `users` generated users besides the seeded ones, behind the recording
 * proxy. `url` is the proxy's: everything the component sends passes through it.
 */
export async function startOrg({ users = 0 } = {}) {
  const org = await start(cli, ['fake-org', '--port', '0', '--users', String(users)], /Ctrl-C to stop/, 'the fake org');
  const line = (re) => re.exec(org.out)?.[1];
  const orgUrl = line(/^Fake Okta org at (\S+)/m);
  const token = line(/^API token: (\S+)/m);
  const [webId, webSecret, webRedirect] = line(/^OAuth web app: (.+)$/m).split(' ');
  const service = /^OAuth service app \(DPoP\): (\S+) kid (\S+), key (\S+)$/m.exec(org.out);
  const proxy = await start(process.execPath, [join(here, 'proxy.mjs'), orgUrl], /proxy at/, 'the proxy');
  const url = /proxy at (\S+)/.exec(proxy.out)[1];
  const stop = () => {
    for (const p of [proxy.child, org.child]) {
      p.removeAllListeners('exit');
      p.kill();
    }
  };
  return {
    url,
    orgUrl,
    token,
    web: { clientId: webId, clientSecret: webSecret, redirectUri: webRedirect },
    service: { clientId: service[1], keyId: service[2], privateKey: readFileSync(join(repoRoot, service[3]), 'utf8') },
    stop,
    /** The requests the component sent since the last call (the proxy forgets them). */
    async requests() {
      return (await fetch(`${url}/__proxy/requests`)).json();
    },
    /** Okta's 429 for `times` requests `method path`, after `skip` of them pass. */
    async fault(fault) {
      await fetch(`${url}/__proxy/fault`, { method: 'POST', body: JSON.stringify(fault) });
    },
    apiToken() {
      return testing.createConnection({ key: 'oktaApiTokenConnection' }, { oktaDomainUrl: url, apiToken: token });
    },
  };
}

/** Every action of the component, with the connection and Prismatic's defaults filled in. */
export function harnessFor(component) {
  return testing.createHarness(component);
}

export { testing };
