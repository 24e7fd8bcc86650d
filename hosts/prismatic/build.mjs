// Builds the Prismatic component from the connector's .wasm:
//
// 1. transpiles the component with jco (instantiation mode: the host supplies the WASI
//    imports) into generated/component/;
// 2. instantiates it and asks it for its catalog (`catalog.describe()`), written to
//    generated/catalog.json, and reads the field order of every input record from the
//    TypeScript declarations jco emits (the catalog's JSON Schemas have their properties
//    sorted; the WIT order is the one people read) into generated/field-order.json;
// 3. bundles src/index.ts with everything it imports into dist/index.js (CommonJS, what
//    Prismatic loads), and puts the files it opens at run time beside it: the core modules,
//    preview2-shim's I/O worker and the icon.
//
// Environment: OKTA_CONNECTOR_WASM (default ../../target/wasm32-wasip2/release/okta_connector.local.wasm,
// the component with its per-instance rate-limit budget composed in: `make build-local`),
// OKTA_CONNECTOR_ICON (default ../../dist/icon.png, the PNG the marketplace package holds, rendered from
// the connector's SVG icon: `make package` at the root).
import { build } from 'esbuild';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import ts from 'typescript';
import { createRequire } from 'node:module';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadComponent, WORKER_FILE } from './src/load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const wasmPath = resolve(process.env.OKTA_CONNECTOR_WASM ?? join(root, 'target/wasm32-wasip2/release/okta_connector.local.wasm'));
const iconPath = resolve(process.env.OKTA_CONNECTOR_ICON ?? join(root, 'dist/icon.png'));
const generated = join(here, 'generated');
const componentDir = join(generated, 'component');
const dist = join(here, 'dist');

if (!existsSync(wasmPath)) {
  console.error(`hosts/prismatic: no component at ${wasmPath} (run \`make build-local\` first)`);
  process.exit(1);
}

// 1. Transpile, with jco's transpiler (the library `jco transpile` runs, without the rest of
// jco's toolchain), as `jco transpile --instantiation async` would: a WIT error thrown as a
// ComponentError.
await rm(generated, { recursive: true, force: true });
const { files } = await transpileBytes(await readFile(wasmPath), {
  name: 'okta_connector',
  instantiation: 'async',
  noComponentErrorWrapping: false,
});
for (const [name, bytes] of Object.entries(files)) {
  const path = join(componentDir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}
// The transpiled module is ESM; Node reads generated/ as such when the build imports it.
await writeFile(join(componentDir, 'package.json'), '{"type": "module"}\n');

// 2. The catalog, from the component itself.
const { instantiate } = await import(pathToFileURL(join(componentDir, 'okta_connector.js')).href);
const connector = await loadComponent(instantiate, componentDir, {});
const catalogText = connector.catalog.describe();
const catalog = JSON.parse(catalogText);
await writeFile(join(generated, 'catalog.json'), JSON.stringify(catalog, null, 2) + '\n');
await writeFile(join(generated, 'field-order.json'), JSON.stringify(fieldOrder(catalog), null, 2) + '\n');

// 3. Bundle.
await rm(dist, { recursive: true, force: true });
const require = createRequire(import.meta.url);
const shimWorker = join(dirname(require.resolve('@bytecodealliance/preview2-shim/io')), '..', 'io', 'worker-thread.bundle.js');
await build({
  entryPoints: [join(here, 'src/index.ts')],
  outfile: join(dist, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  // ESM code in the bundle locates its files with import.meta.url: the bundle's own URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [renameShimWorker()],
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const name of Object.keys(files).filter((n) => n.endsWith('.wasm'))) {
  await copyFile(join(componentDir, name), join(dist, name));
}
await copyFile(shimWorker, join(dist, WORKER_FILE));
if (existsSync(iconPath)) {
  await copyFile(iconPath, join(dist, 'icon.png'));
} else {
  console.warn(`hosts/prismatic: no icon at ${iconPath}: dist/ has none (publishing needs one: \`make package\` at the root writes it, or set OKTA_CONNECTOR_ICON)`);
}
const shipped = await readdir(dist);
console.log(`hosts/prismatic: dist/ ${shipped.join(', ')}; ${catalog.actions.length} actions, ${catalog.triggers.length} triggers, ${catalog.connections.length} connections from ${catalog.package}`);

/**
 * preview2-shim starts its I/O worker from `./worker-thread.bundle.js` beside its own module.
 * That file is ESM and the bundle is CommonJS, so it ships as `.mjs` (Node decides a file's
 * module kind by its extension when no package.json says otherwise).
 */
function renameShimWorker() {
  return {
    name: 'preview2-shim-worker',
    setup(b) {
      b.onLoad({ filter: /preview2-shim[\\/]dist[\\/]io[\\/]worker-io\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const renamed = source.replace('"./worker-thread.bundle.js"', JSON.stringify(`./${WORKER_FILE}`));
        if (renamed === source) throw new Error('preview2-shim no longer names ./worker-thread.bundle.js');
        return { contents: renamed, loader: 'js' };
      });
    },
  };
}

/**
 * The WIT order of each catalog entry's fields, from the interfaces jco declares for the WIT
 * records: the record whose field names are exactly the entry's (as camelCase) gives the order.
 */
function fieldOrder(catalog) {
  const records = [];
  for (const name of Object.keys(files).filter((n) => /^interfaces\/okta-connector-.*\.d\.ts$/.test(n))) {
    const source = ts.createSourceFile(name, Buffer.from(files[name]).toString('utf8'), ts.ScriptTarget.Latest);
    source.forEachChild((node) => {
      if (ts.isInterfaceDeclaration(node)) {
        records.push(node.members.filter(ts.isPropertySignature).map((m) => m.name.getText(source)));
      }
    });
  }
  const camel = (snake) => snake.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  const order = {};
  for (const [kind, entries] of [['actions', catalog.actions], ['triggers', catalog.triggers], ['connections', catalog.connections]]) {
    order[kind] = {};
    for (const entry of entries) {
      const fields = Object.keys(entry.input_schema.properties ?? {});
      const wanted = new Set(fields.map(camel));
      const record = records.find((r) => r.length === wanted.size && r.every((f) => wanted.has(f)));
      if (fields.length > 0 && !record) {
        console.warn(`hosts/prismatic: no WIT record matches the fields of ${kind} ${entry.id}: catalog order kept`);
      }
      const byCamel = Object.fromEntries(fields.map((f) => [camel(f), f]));
      order[kind][entry.id] = record ? record.map((f) => byCamel[f]) : fields;
    }
  }
  return order;
}
