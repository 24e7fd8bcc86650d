// Transpiles a component into an ES module for Node with jco's transpiler (the library
// `jco transpile` runs, without the rest of jco's toolchain), as `jco transpile` would: WASI
// imports from preview2-shim, a WIT error thrown as a ComponentError.
// Usage: node transpile.mjs COMPONENT.wasm NAME OUT_DIR
import { transpile, writeFiles } from '@bytecodealliance/jco-transpile';

const [wasm, name, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node transpile.mjs COMPONENT.wasm NAME OUT_DIR');
  process.exit(2);
}
const { files } = await transpile(wasm, { name, outDir, noComponentErrorWrapping: false });
await writeFiles(files);
