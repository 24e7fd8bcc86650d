// Runs the transpiled component in Node (jco + preview2-shim) against a fake org served by
// another process, and checks what comes back. Usage: node check.mjs ORG_URL TOKEN
import assert from 'node:assert/strict';
import { catalog, users } from './out/okta_connector.js';

const [url, token] = process.argv.slice(2);
const connection = { tag: 'api-token', val: { domain: url, token } };

const described = JSON.parse(catalog.describe());
assert.ok(described.actions.some((a) => a.id === 'users.list'), 'the catalog lists users.list');

// The typed export: WIT records are objects with camelCase fields.
const page = users.list(connection, { limit: 3 });
const first = JSON.parse(page.items);
assert.equal(first.length, 3);
assert.ok(page.nextCursor, 'a next cursor');

// The generic door, continuing from that cursor.
const next = JSON.parse(catalog.invoke('users.list', connection, JSON.stringify({ limit: 3, after: page.nextCursor })));
assert.equal(next.items.length, 3);
assert.ok(!next.items.some((u) => first.some((f) => f.id === u.id)), 'the next page holds other users');

// A write and a read back.
const login = `node.host.${process.pid}@example.com`;
const created = JSON.parse(users.create(connection, {
  login, email: login, firstName: 'Node', lastName: 'Host', password: 'Jco-Preview2-Shim', activate: true,
}));
assert.equal(created.status, 'ACTIVE');
assert.equal(JSON.parse(users.get(connection, { id: login })).id, created.id);

// Errors are the WIT error variant, thrown.
assert.throws(() => users.get(connection, { id: 'nobody@example.com' }), (e) =>
  e.payload?.tag === 'not-found' && e.payload.val.errorCode === 'E0000007');
assert.throws(() => users.get(connection, { id: ' ' }), (e) =>
  e.payload?.tag === 'invalid-input' && e.payload.val.field === 'id');

console.log(`node host: ${described.actions.length} actions; list, invoke, create, get and errors behave as under wasmtime`);
