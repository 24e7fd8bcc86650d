// What the Prismatic package costs beside the CLI: Fetch All of 50 000 users and one Get User
// against a loopback fake org (another process), through Spectral's harness in Node (the
// package's dist/, as Prismatic loads it) and through `okta-connector run` (wasmtime), each in
// its own process, alternating, over several rounds; then per call, warm, in one Node process.
// Writes bench/prismatic.md at the repository root.
//
// Usage: node bench/run.mjs [--users N] [--rounds N] [--quick]
// Environment: OKTA_CONNECTOR_CLI (default target/release/okta-connector).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const quick = args.includes('--quick');
const users = opt('--users', quick ? 2000 : 50000);
const rounds = opt('--rounds', quick ? 2 : 5);
// The fake org is on loopback: the package's processes (which inherit this environment) let
// the component reach it. The CLI allows local orgs itself.
process.env.OKTA_ALLOW_LOCAL_ORGS = '1';
const cli = process.env.OKTA_CONNECTOR_CLI ?? join(repo, 'target/release/okta-connector');
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

if (!existsSync(cli)) {
  console.error(`bench: no ${cli} (cargo build --release -p okta-connector-cli --bin okta-connector)`);
  process.exit(1);
}

/** Runs a process to its end: wall time from spawn to exit, its stdout, its peak RSS (GNU time). */
function run(command, argv) {
  return new Promise((resolvePromise, reject) => {
    const [cmd, full] = gnuTime ? [gnuTime, ['-f', 'maxrss-kb %M', command, ...argv]] : [command, argv];
    const t = performance.now();
    const child = spawn(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => {
      const wallMs = performance.now() - t;
      if (code !== 0) return reject(new Error(`${command} ${argv[0]} exited ${code}: ${err.slice(-2000)}`));
      const rss = /maxrss-kb (\d+)/.exec(err);
      resolvePromise({ wallMs, stdout: Buffer.concat(out).toString('utf8'), maxRssKb: rss ? Number(rss[1]) : undefined });
    });
  });
}

/** The fake org, served until the bench ends. */
function startOrg() {
  return new Promise((resolvePromise, reject) => {
    // Listing the same users over and over would spend Okta's 600 requests a minute: the
    // bench measures the listing, not the rate limit.
    const child = spawn(cli, ['fake-org', '--port', '0', '--users', String(users), '--rate-limit', '1000000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (/Ctrl-C to stop/.test(out)) {
        resolvePromise({ child, url: /^Fake Okta org at (\S+)/m.exec(out)[1], token: /^API token: (\S+)/m.exec(out)[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`the fake org exited ${code}`)));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(1)} ms`);
const range = (xs) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
const mb = (kb) => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(1)}`);

const load0 = loadavg();
const began = performance.now();
const org = await startOrg();
const connection = JSON.stringify({ api_token: { domain: org.url, token: org.token } });
const child = join(here, 'child.mjs');

const contenders = {
  'spectral fetch-all': async () => {
    const r = await run(process.execPath, [child, 'fetch-all', org.url, org.token]);
    const o = JSON.parse(r.stdout.trim().split('\n').at(-1));
    return { ...r, count: o.count, ids: [o.first, o.last], callMs: o.callMs, loadMs: o.loadMs };
  },
  'cli fetch-all': async () => {
    const r = await run(cli, ['run', 'users.list', '--input', '{"fetch_all": true}', '--connection', connection]);
    // Fetch All streams: a JSON array of the users, written page by page.
    const items = JSON.parse(r.stdout);
    return { ...r, count: items.length, ids: [items[0].id, items.at(-1).id] };
  },
  'spectral get-user': async () => {
    const r = await run(process.execPath, [child, 'get-user', org.url, org.token]);
    const o = JSON.parse(r.stdout.trim().split('\n').at(-1));
    if (o.login !== 'fake.admin@example.com') throw new Error('Get User returned another user');
    return { ...r, callMs: o.callMs, loadMs: o.loadMs };
  },
  'cli get-user': async () => {
    const r = await run(cli, ['run', 'users.get', '--input', '{"id": "fake.admin@example.com"}', '--connection', connection]);
    if (JSON.parse(r.stdout).profile.login !== 'fake.admin@example.com') throw new Error('Get User returned another user');
    return r;
  },
};

const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
const names = Object.keys(contenders);
for (let round = 0; round <= rounds; round += 1) {
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const r = await contenders[name]();
    if (round > 0) results[name].push(r);
    process.stderr.write(`round ${round}${round === 0 ? ' (warm-up)' : ''}: ${name} ${fmt(r.wallMs)}\n`);
  }
}
const listed = [...results['spectral fetch-all'], ...results['cli fetch-all']];
const expected = listed[0].count;
const sameIds = listed.every((r) => r.count === expected && r.ids.join() === listed[0].ids.join());
if (!sameIds) throw new Error('the contenders did not list the same users');

const warmRun = await run(process.execPath, [child, 'warm', org.url, org.token, quick ? '50' : '200']);
const warm = JSON.parse(warmRun.stdout.trim().split('\n').at(-1));
org.child.removeAllListeners('exit');
org.child.kill();
const load1 = loadavg();
const benchSeconds = ((performance.now() - began) / 1000).toFixed(0);

const commit = execFileSync('git', ['log', '-1', '--format=%h %s'], { cwd: repo, encoding: 'utf8' }).trim();
const cliVersion = execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
const row = (name, what) => {
  const rs = results[name];
  const walls = rs.map((r) => r.wallMs);
  const calls = rs.map((r) => r.callMs).filter((x) => x !== undefined);
  const loads = rs.map((r) => r.loadMs).filter((x) => x !== undefined);
  return `| ${what} | ${fmt(median(walls))} | ${range(walls)} | ${calls.length ? fmt(median(calls)) : '—'} | ${loads.length ? fmt(median(loads)) : '—'} | ${mb(median(rs.map((r) => r.maxRssKb ?? 0)) || undefined)} |`;
};
const ratio = (a, b) => `${(median(results[a].map((r) => r.wallMs)) / median(results[b].map((r) => r.wallMs))).toFixed(2)}×`;

const report = `# Bench: the Prismatic package beside the CLI

The same work through the package's \`dist/\` as Prismatic loads it (Spectral's test harness on
Node, the component through jco and preview2-shim) and through \`okta-connector run\` (the
wasmtime host), against a fake org of ${expected} users listed (${users} generated besides the
seeded ones) served on 127.0.0.1 by another process, its rate limit raised out of the way. Written by \`hosts/prismatic/bench/run.mjs\`
(\`make bench\`${quick ? ', here with --quick' : ''}); every run overwrites this file.

| | |
|---|---|
| date | ${new Date().toUTCString()} |
| git commit | \`${commit}\` |
| machine | ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM |
| load average (1, 5, 15 min) | before ${load0.map((x) => x.toFixed(2)).join(' ')}, after ${load1.map((x) => x.toFixed(2)).join(' ')} |
| Node | ${process.version} |
| CLI | \`${cliVersion}\`, \`${cli.startsWith(repo) ? cli.slice(repo.length + 1) : cli}\` |
| runs | 1 warm-up round, not counted, then ${rounds}; the contenders alternate, the order rotated each round |
| bench time | ${benchSeconds} s |

## Per process

Each run is a new process: Node loading the package and running one step, or the CLI running
one action. **wall**: spawn to exit. **call**: the step itself, measured inside the Node process
(the first call of a process includes compiling the component's core module). **load**: Node's
require of the package (Spectral, the bindings). **peak RSS**: GNU time's maximum resident set
size. Both returned the same ${expected} users, first and last ids equal, in every run.

| what | wall median | wall min–max | call median | load median | peak RSS median (MB) |
|---|---:|---:|---:|---:|---:|
${row('spectral fetch-all', `Fetch All, ${expected} users: Prismatic package (Node, Spectral)`)}
${row('cli fetch-all', `Fetch All, ${expected} users: CLI (wasmtime)`)}
${row('spectral get-user', 'Get User: Prismatic package (Node, Spectral)')}
${row('cli get-user', 'Get User: CLI (wasmtime)')}

Package vs CLI, wall median: Fetch All ${ratio('spectral fetch-all', 'cli fetch-all')}, Get User ${ratio('spectral get-user', 'cli get-user')}.

## Per call, one Node process

What a step costs once the process has loaded the component (Prismatic reuses a process for
the steps of an execution).

| what | median | min–max |
|---|---:|---:|
| first Get User of the process (compiles the component) | ${fmt(warm.firstCallMs)} | — |
| Get User, warm (${warm.getUserMs.length} calls) | ${fmt(median(warm.getUserMs))} | ${range(warm.getUserMs)} |
| Fetch All of ${expected} users, warm (3 calls) | ${fmt(median(warm.fetchAllMs))} | ${range(warm.fetchAllMs)} |
| peak RSS of that process | ${mb(warmRun.maxRssKb ?? warm.maxRssKb)} MB | — |

The CLI runs one action per process: its cost per call is its cost per process above. The
wasmtime host's own per-call figures, in one process, are in [results.md](results.md).
`;
writeFileSync(join(repo, 'bench/prismatic.md'), report);
console.log(report);
process.exit(0);
