// Lists every user with Okta's Node SDK (@okta/okta-sdk-nodejs), the way its README says
// ("List All Org Users": `for await (let user of collection)` over `client.userApi.listUsers()`).
//
//   node list_users.js --url http://127.0.0.1:8080 --token TOKEN [--limit 200] --out ids.txt
//
// Writes the ids, one per line in listing order, to --out and a last line
// `BENCH import_s=... list_s=... sdk=...` on stderr. Exits 1 on any error.
//
// `testing: { disableHttpsCheck: true }` is passed for http:// to loopback (8.1.0 does not
// check the scheme; older releases did).
'use strict';
const started = performance.now();
const fs = require('fs');
const okta = require('@okta/okta-sdk-nodejs');
const sdkVersion = require('@okta/okta-sdk-nodejs/package.json').version;
const imported = performance.now();

function parseArgs(argv) {
  const args = { limit: 200 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--url') args.url = value;
    else if (flag === '--token') args.token = value;
    else if (flag === '--limit') args.limit = Number(value);
    else if (flag === '--out') args.out = value;
    else throw new Error(`unknown argument ${flag}`);
  }
  for (const k of ['url', 'token', 'out']) if (!args[k]) throw new Error(`--${k} is required`);
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const client = new okta.Client({ orgUrl: args.url, token: args.token, testing: { disableHttpsCheck: true } });
  const collection = await client.userApi.listUsers({ limit: args.limit });
  const ids = [];
  for await (const user of collection) {
    ids.push(user.id);
  }
  const listS = (performance.now() - t0) / 1000;
  fs.writeFileSync(args.out, ids.map((id) => id + '\n').join(''));
  process.stderr.write(
    `BENCH import_s=${((imported - started) / 1000).toFixed(6)} list_s=${listS.toFixed(6)} users=${ids.length} ` +
      `sdk=okta-sdk-nodejs-${sdkVersion} runtime=node-${process.versions.node}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`list_users.js: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
