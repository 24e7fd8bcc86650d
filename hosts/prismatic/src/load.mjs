// Instantiates the jco-transpiled component with preview2-shim's Node implementation of the
// WASI interfaces it imports. Shared by the build (which asks the component for its catalog)
// and the bundle (which runs every action through it).
import * as cli from '@bytecodealliance/preview2-shim/cli';
import * as clocks from '@bytecodealliance/preview2-shim/clocks';
import * as http from '@bytecodealliance/preview2-shim/http';
import * as io from '@bytecodealliance/preview2-shim/io';
import * as random from '@bytecodealliance/preview2-shim/random';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The name preview2-shim's I/O worker ships under beside the bundle. */
export const WORKER_FILE = 'preview2-shim-worker.mjs';

/**
 * Instantiates the component whose core modules are in `dir`. `env` is all the component
 * sees of the environment (its `OKTA_*` bounds): the host's own variables stay out of it.
 */
export async function loadComponent(instantiate, dir, env) {
  cli._setEnv(env);
  cli._setArgs(['okta-connector']);
  const imports = {
    'wasi:cli/environment': cli.environment,
    'wasi:cli/exit': cli.exit,
    'wasi:cli/stderr': cli.stderr,
    'wasi:cli/stdin': cli.stdin,
    'wasi:cli/stdout': cli.stdout,
    'wasi:cli/terminal-input': cli.terminalInput,
    'wasi:cli/terminal-output': cli.terminalOutput,
    'wasi:cli/terminal-stderr': cli.terminalStderr,
    'wasi:cli/terminal-stdin': cli.terminalStdin,
    'wasi:cli/terminal-stdout': cli.terminalStdout,
    'wasi:clocks/monotonic-clock': clocks.monotonicClock,
    'wasi:clocks/wall-clock': clocks.wallClock,
    'wasi:http/outgoing-handler': http.outgoingHandler,
    'wasi:http/types': http.types,
    'wasi:io/error': io.error,
    'wasi:io/poll': io.poll,
    'wasi:io/streams': io.streams,
    'wasi:random/insecure-seed': random.insecureSeed,
    'wasi:random/random': random.random,
  };
  return instantiate(async (name) => WebAssembly.compile(await readFile(join(dir, name))), imports);
}
