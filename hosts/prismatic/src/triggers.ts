/**
 * The connector's triggers as Prismatic triggers.
 *
 * Polling (New System Logs, New Users, Updated Users): each run is one `catalog.poll`; the
 * connector's opaque state is kept in Prismatic's polling state (`{"okta": "<state>"}`) and
 * handed back on the next run, so every record comes out once however the runs are spaced.
 * A run that fails leaves the state as it was: the next run starts from the same place.
 *
 * Event Hook (a webhook trigger): deploying an instance deploys the hook for the flow's
 * webhook URL (`catalog.deploy-hook`, which has Okta verify the URL: Prismatic routes that
 * request to this trigger while the deploy waits), deleting the instance tears it down;
 * every request Okta makes goes through `catalog.receive-hook`, which answers the
 * verification, refuses deliveries without the hook's shared secret and emits each event
 * once. The hook's state (id, secret, events already emitted) is in the flow's instance state.
 */
import {
  pollingTrigger,
  trigger,
  type ActionContext,
  type InputFieldDefinition,
  type TriggerPayload,
} from '@prismatic-io/spectral';
import { withConnection } from './calls';
import { catalog, descriptionOf, type Entry } from './catalog';
import { triggerKey } from './compat';
import { deployHook, invoke, poll, receiveHook, teardownHook } from './connector';
import { connectorInput, inputsOf } from './inputs';

/** Where the connector's polling state sits in Prismatic's polling state. */
export const POLLING_STATE_KEY = 'okta';
/** Where the Event Hook trigger keeps the deployed hook's state in the flow's instance state. */
export const HOOK_STATE_KEY = 'oktaEventHook';

/** The Event Hook trigger's branches: Prismatic's names, and one for the requests refused. */
export const BRANCHES = { delivery: 'Notification', verification: 'URL Validation', refused: 'Refused' } as const;

const VERIFICATION_HEADER = 'x-okta-verification-challenge';

type Inputs = Record<string, InputFieldDefinition>;

function pollingTriggerOf(entry: Entry) {
  return pollingTrigger({
    display: { label: entry.label, description: descriptionOf(entry) },
    inputs: inputsOf('triggers', entry) as Inputs,
    perform: async (context, payload, params: Record<string, unknown>) => {
      const previous = context.polling.getState()[POLLING_STATE_KEY];
      const input = connectorInput('triggers', entry, params);
      const result = await withConnection(params.connection, (connection) =>
        poll(entry.id, connection, input, typeof previous === 'string' ? previous : undefined),
      );
      context.polling.setState({ [POLLING_STATE_KEY]: result.state });
      return {
        payload: { ...payload, body: { data: result.items } },
        polledNoChanges: result.items.length === 0,
      };
    },
  });
}

/** The request's body as Okta sent it. */
function bodyBytes(payload: TriggerPayload): Uint8Array {
  const raw = payload.rawBody?.data;
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string') return new TextEncoder().encode(raw);
  const parsed = payload.body?.data;
  if (parsed === undefined || parsed === null) return new Uint8Array();
  return new TextEncoder().encode(typeof parsed === 'string' ? parsed : JSON.stringify(parsed));
}

/** The header carrying the hook's shared secret (the connector's contract): kept out of the flow's payload. */
const SECRET_HEADER = 'x-okta-connector-secret';

function withoutSecret(headers: TriggerPayload['headers']): TriggerPayload['headers'] {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, k.toLowerCase() === SECRET_HEADER ? '[redacted]' : v]));
}

function headerList(payload: TriggerPayload): Array<{ key: string; value: string }> {
  const list: Array<{ key: string; value: string }> = [];
  for (const [key, value] of Object.entries(payload.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) list.push({ key, value: String(v) });
  }
  return list;
}

/** The flow's webhook URL: where Okta is to call. */
function webhookUrl(context: ActionContext): string {
  const url = context.webhookUrls?.[context.flow.name];
  if (!url) throw new Error(`Prismatic gave no webhook URL for the flow ${JSON.stringify(context.flow.name)}`);
  return url;
}

function hookState(context: ActionContext): string | undefined {
  const state = context.instanceState?.[HOOK_STATE_KEY];
  return typeof state === 'string' && state !== '' ? state : undefined;
}

function eventHookTriggerOf(entry: Entry) {
  return trigger({
    display: { label: entry.label, description: descriptionOf(entry) },
    inputs: inputsOf('triggers', entry) as Inputs,
    scheduleSupport: 'invalid',
    synchronousResponseSupport: 'invalid',
    allowsBranching: true,
    staticBranchNames: Object.values(BRANCHES),
    perform: async (context, payload, params: Record<string, unknown>) => {
      const headers = headerList(payload);
      // Prismatic does not pass the request's method: Okta's verification is the GET carrying
      // a challenge, everything else is taken for a delivery (and must carry the secret).
      const verification = headers.some((h) => h.key.toLowerCase() === VERIFICATION_HEADER);
      const body = bodyBytes(payload);
      const reception = await receiveHook(connectorInput('triggers', entry, params), hookState(context) ?? '', {
        method: verification ? 'GET' : 'POST',
        headers,
        body,
      });
      const events = JSON.parse(reception.events) as unknown[];
      const contentType = reception.headers.find((h) => h.key.toLowerCase() === 'content-type')?.value ?? 'text/plain';
      const accepted = reception.status >= 200 && reception.status < 300;
      let data: unknown = payload.body?.data;
      if (accepted && !verification) {
        // The delivery as Okta sent it, its events those the connector emits (subscribed, not seen before).
        const delivery = JSON.parse(new TextDecoder().decode(body)) as { data?: Record<string, unknown> };
        data = { ...delivery, data: { ...delivery.data, events } };
      }
      return {
        payload: { ...payload, headers: withoutSecret(payload.headers), body: { data, contentType: payload.body?.contentType } },
        response: { statusCode: reception.status, contentType, body: reception.body },
        branch: !accepted ? BRANCHES.refused : verification ? BRANCHES.verification : BRANCHES.delivery,
        ...(reception.state !== '' && reception.state !== hookState(context)
          ? { instanceState: { ...context.instanceState, [HOOK_STATE_KEY]: reception.state } }
          : {}),
      };
    },
    onInstanceDeploy: async (context, params: Record<string, unknown>) => {
      const input = connectorInput('triggers', entry, params);
      const deployed = await withConnection(params.connection, (connection) =>
        deployHook(connection, input, webhookUrl(context), hookState(context)),
      );
      context.logger.info(`Okta event hook ${deployed.event_hook_id} deployed for flow ${context.flow.name}`);
      return { instanceState: { ...context.instanceState, [HOOK_STATE_KEY]: deployed.state } };
    },
    onInstanceDelete: async (context, params: Record<string, unknown>) => {
      const state = hookState(context);
      await withConnection(params.connection, async (connection) => {
        if (state) return teardownHook(connection, state);
        // No state (deployed elsewhere, or lost): remove the hooks that call this flow's URL.
        await invoke('event-hooks.delete-all', connection, { url: webhookUrl(context) });
      });
      const { [HOOK_STATE_KEY]: _removed, ...rest } = context.instanceState ?? {};
      return { instanceState: rest };
    },
  });
}

export const triggers = Object.fromEntries(
  catalog.triggers.map((entry) => [
    triggerKey(entry.label, entry.kind ?? ''),
    entry.kind === 'webhook' ? eventHookTriggerOf(entry) : pollingTriggerOf(entry),
  ]),
);

