// The same keys as Prismatic's own Okta component (test/fixtures/platform-keys.json lists
// them): every action, trigger, connection and data source it has, with every input key, is
// here too, so an integration built on it switches without remapping. What this component
// adds is named in the README's table of differences; the README's key table is what the
// component has (BLESS=1 rewrites it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBuilt, packageDir } from './support/org.mjs';

const component = loadBuilt();
const platform = JSON.parse(readFileSync(join(packageDir, 'test/fixtures/platform-keys.json'), 'utf8'));
const catalog = JSON.parse(readFileSync(join(packageDir, 'generated/catalog.json'), 'utf8'));
const order = JSON.parse(readFileSync(join(packageDir, 'generated/field-order.json'), 'utf8'));
const readmePath = join(packageDir, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const section = (name) => {
  const start = readme.indexOf(`<!-- ${name}:begin -->`);
  const end = readme.indexOf(`<!-- ${name}:end -->`);
  assert.ok(start >= 0 && end > start, `the README has a ${name} section`);
  return readme.slice(start, end);
};
const inputKeys = (inputs) => inputs.map((i) => i.key).filter((k) => k !== 'connection');
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

test("every key of Prismatic's Okta component is here", () => {
  for (const [key, inputs] of Object.entries(platform.actions)) {
    assert.ok(component.actions[key], `action ${key}`);
    const ours = inputKeys(component.actions[key].inputs);
    for (const input of inputs) assert.ok(ours.includes(input), `action ${key}, input ${input}`);
  }
  for (const [key, inputs] of Object.entries(platform.triggers)) {
    assert.ok(component.triggers[key], `trigger ${key}`);
    assert.deepEqual(inputKeys(component.triggers[key].inputs), inputs, `trigger ${key}'s inputs`);
  }
  for (const [key, inputs] of Object.entries(platform.connections)) {
    const ours = component.connections.find((c) => c.key === key);
    assert.ok(ours, `connection ${key}`);
    for (const input of inputs) assert.ok(ours.inputs.some((i) => i.key === input), `connection ${key}, input ${input}`);
  }
  for (const key of platform.dataSources) assert.ok(component.dataSources[key], `data source ${key}`);
});

test('what this component adds is in the README table of differences', () => {
  const differences = section('differences');
  const named = (key) => differences.includes(`\`${key}\``);
  const added = [];
  for (const [key, action] of Object.entries(component.actions)) {
    for (const input of inputKeys(action.inputs)) if (!platform.actions[key]?.includes(input)) added.push(input);
  }
  for (const c of component.connections) for (const i of c.inputs) if (!platform.connections[c.key].includes(i.key)) added.push(i.key);
  for (const key of Object.keys(component.dataSources)) if (!platform.dataSources.includes(key)) added.push(key);
  for (const key of Object.keys(component.actions)) if (!platform.actions[key]) added.push(key);
  assert.ok(added.length > 0);
  for (const key of new Set(added)) assert.ok(named(key), `the README's differences name \`${key}\``);
  const branches = component.triggers.eventHook.staticBranchNames.filter((b) => !['Notification', 'URL Validation'].includes(b));
  for (const branch of branches) assert.ok(named(branch), `the README's differences name the branch \`${branch}\``);
});

/** The key table: each connector entry, its Prismatic key, and the inputs whose key is not the field's camelCase. */
function keyTable() {
  const rows = ['| connector | Prismatic key | inputs keyed otherwise than their field in camelCase |', '|---|---|---|'];
  const renames = (fields, keys) => fields.map((f, i) => (keys[i] === camel(f) ? null : `\`${f}\` → \`${keys[i]}\``)).filter(Boolean).join(', ');
  const actionKey = (label) => label.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w, i) => (i ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w.toLowerCase())).join('');
  for (const entry of catalog.actions) {
    const key = actionKey(entry.label);
    const keys = inputKeys(component.actions[key].inputs).filter((k) => k !== 'includeNextCursor');
    rows.push(`| \`${entry.id}\` | \`${key}\` | ${renames(order.actions[entry.id], keys)} |`);
  }
  for (const entry of catalog.triggers) {
    const key = Object.keys(component.triggers).find((k) => component.triggers[k].display.label === entry.label);
    rows.push(`| trigger \`${entry.id}\` | \`${key}\` | ${renames(order.triggers[entry.id], inputKeys(component.triggers[key].inputs))} |`);
  }
  // The connections the component offers (the build refuses one with neither a key nor a
  // reason to leave it out: src/compat.ts).
  for (const entry of catalog.connections) {
    const c = component.connections.find((x) => x.label === entry.label);
    if (!c) continue;
    const fields = order.connections[entry.id].filter((f) => c.inputs.some((i) => i.key === camel(f)) || !['access_token', 'refresh_token'].includes(f));
    const keys = fields.map((f) => c.inputs.find((i) => i.key === camel(f) || i.label === entry.input_schema.properties[f].title)?.key);
    rows.push(`| connection \`${entry.id}\` | \`${c.key}\` | ${renames(fields, keys)} |`);
  }
  return rows.join('\n');
}

test("the README's key table is the component's", () => {
  const table = keyTable();
  const current = section('keys');
  if (process.env.BLESS) {
    writeFileSync(readmePath, readme.replace(current, `<!-- keys:begin -->\n${table}\n`));
    return;
  }
  assert.equal(current, `<!-- keys:begin -->\n${table}\n`, 'BLESS=1 npm test rewrites it');
});
