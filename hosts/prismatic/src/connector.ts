/**
 * The connector component, transpiled by jco and instantiated once per process: every
 * action, poll, hook and picker of this package runs through its `catalog` door. Tokens the
 * component caches (client credentials, DPoP keys and nonces) live as long as the instance.
 *
 * The component's outgoing HTTP runs on preview2-shim's I/O worker, which blocks this thread
 * while a request is in flight: one call at a time, as one Prismatic step is.
 */
import { instantiate } from '../generated/component/okta_connector.js';
import type { Connection } from '../generated/component/interfaces/okta-connector-types.js';
import type { HookReception, IncomingRequest } from '../generated/component/interfaces/okta-connector-catalog.js';
import { catalog } from './catalog';
import { loadComponent } from './load.mjs';

export type { Connection, HookReception, IncomingRequest };

type Component = Awaited<ReturnType<typeof instantiate>>;

let instance: Promise<Component> | undefined;

/**
 * The variables the catalog says the component reads (its bounds: `OKTA_*_TIMEOUT_MS`, ...),
 * as set in this process: nothing else of the environment reaches the component.
 */
function bounds(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name } of catalog.environment ?? []) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function component(): Promise<Component> {
  instance ??= loadComponent(instantiate, __dirname, bounds()).catch((e: unknown) => {
    instance = undefined;
    throw e;
  });
  return instance;
}

/**
 * One of the WIT `error` cases, as jco throws it: `invalid-input` and `invalid-connection`
 * carry a field error, `okta` carries Okta's answer with its `kind`, the rest a string.
 */
export interface WitError {
  tag: string;
  val: unknown;
}

/** A call the connector refused or Okta failed; the message never holds a secret (the component's guarantee). */
export class ConnectorError extends Error {
  /**
   * What went wrong: the WIT error case (`invalid-input`, `invalid-connection`, `transport`,
   * ...), or for an error answer from Okta (case `okta`) its `okta-error-kind`
   * (`unauthorized`, `forbidden`, `not-found`, `rejected`, `rate-limited`, `server`).
   */
  readonly kind: string;
  /** The HTTP status of Okta's answer, when there was one. */
  readonly status?: number;
  /** Okta's `errorCode` (`E0000007`, ...). */
  readonly errorCode?: string;
  /** The input field at fault (`invalid-input`, `invalid-connection`). */
  readonly field?: string;

  constructor(error: WitError) {
    const val = error.val as Record<string, unknown> | string | undefined;
    let detail: string;
    let status: number | undefined;
    let errorCode: string | undefined;
    let field: string | undefined;
    let kind = error.tag;
    if (typeof val === 'string') {
      detail = val;
    } else if (val && typeof val.field === 'string') {
      field = val.field;
      detail = `${val.field}: ${String(val.message)}`;
    } else if (error.tag === 'okta' && val && typeof val.kind === 'string' && typeof val.status === 'number') {
      kind = val.kind;
      status = val.status;
      errorCode = typeof val.errorCode === 'string' ? val.errorCode : undefined;
      const causes = Array.isArray(val.causes) && val.causes.length > 0 ? ` (${val.causes.join('; ')})` : '';
      const id = typeof val.requestId === 'string' ? ` [request ${val.requestId}]` : '';
      detail = `${status}${errorCode ? ` ${errorCode}` : ''} ${String(val.summary)}${causes}${id}`;
    } else {
      detail = JSON.stringify(val ?? null);
    }
    super(`Okta connector: ${kind}: ${detail}`);
    this.name = 'ConnectorError';
    this.kind = kind;
    this.status = status;
    this.errorCode = errorCode;
    this.field = field;
  }
}

/** Runs `call`, turning the component's thrown WIT error (jco's `ComponentError`) into a ConnectorError. */
function witCall<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    const payload = (e as { payload?: WitError }).payload;
    if (payload && typeof payload.tag === 'string') throw new ConnectorError(payload);
    throw e;
  }
}

/** `catalog.invoke`: runs action `id` with its input as JSON; the result as JSON text. */
export async function invoke(id: string, connection: Connection, input: Record<string, unknown>): Promise<unknown> {
  const c = await component();
  return JSON.parse(witCall(() => c.catalog.invoke(id, connection, JSON.stringify(input))));
}

/** `catalog.poll`: one poll of polling trigger `id`. */
export async function poll(
  id: string,
  connection: Connection,
  input: Record<string, unknown>,
  state: string | undefined,
): Promise<{ items: unknown[]; state: string }> {
  const c = await component();
  return JSON.parse(witCall(() => c.catalog.poll(id, connection, JSON.stringify(input), state)));
}

/** `catalog.deploy-hook`: creates or updates the Event Hook for `url` and has Okta verify it. */
export async function deployHook(
  connection: Connection,
  input: Record<string, unknown>,
  url: string,
  state: string | undefined,
): Promise<{ event_hook_id: string; state: string }> {
  const c = await component();
  return JSON.parse(witCall(() => c.catalog.deployHook(connection, JSON.stringify(input), url, state)));
}

/** `catalog.receive-hook`: the answer to one request on the hook's URL and the events to emit. Sends nothing. */
export async function receiveHook(input: Record<string, unknown>, state: string, request: IncomingRequest): Promise<HookReception> {
  const c = await component();
  return c.catalog.receiveHook(JSON.stringify(input), state, request);
}

/** `catalog.teardown-hook`: deactivates and deletes the deployed hook. */
export async function teardownHook(connection: Connection, state: string): Promise<void> {
  const c = await component();
  witCall(() => c.catalog.teardownHook(connection, state));
}
