/**
 * Where this component must speak as Prismatic's own Okta component (`okta-management-api`,
 * public `prismatic-io/components`, `components/okta`) so an integration built on that one
 * switches to this one without remapping: its keys for actions, triggers, inputs, connections
 * and data sources, and the input values it stored that this connector spells otherwise.
 *
 * Everything else about an action comes from the connector's catalog. The README's key table
 * is checked against what these rules produce.
 */

/** `Create User` → `createUser`: the platform's action keys are its labels in camelCase. */
export function actionKey(label: string): string {
  const words = label.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
}

/** The platform's trigger keys: the label's camelCase, and `PollingTrigger` after a polling one. */
export function triggerKey(label: string, kind: string): string {
  return kind === 'polling' ? `${actionKey(label)}PollingTrigger` : actionKey(label);
}

/** `first_name` → `firstName`. */
export function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The platform's connection keys, by connector connection id. */
export const CONNECTION_KEYS: Record<string, string> = {
  api_token: 'oktaApiTokenConnection',
  oauth_code: 'oktaOAuth2AuthorizationCode',
  client_credentials: 'oktaClientCredentialsOrg',
};

/**
 * Connector connections Prismatic has no use for, and why. A connection missing from both
 * tables fails the build: a new kind must be given a key or a reason.
 */
export const CONNECTIONS_LEFT_OUT: Record<string, string> = {
  oauth_device:
    'the device authorization signs a person in without a browser redirect (agents, terminals); ' +
    "Prismatic signs users in through its own OAuth 2.0 authorization-code connection (oauth_code)",
};

/** The connector's connections a Prismatic user can pick. */
export function offered<T extends { id: string }>(entries: T[]): T[] {
  return entries.filter((e) => !(e.id in CONNECTIONS_LEFT_OUT));
}

/** Connection fields whose platform key is not their camelCase. */
const CONNECTION_FIELD_KEYS: Record<string, string> = {
  domain: 'oktaDomainUrl',
  token: 'apiToken',
};

export function connectionFieldKey(field: string): string {
  return CONNECTION_FIELD_KEYS[field] ?? camel(field);
}

/**
 * Input fields whose platform key is not their camelCase: for every action and trigger, then
 * for the ids that start with a prefix (the first match wins).
 */
const INPUT_KEYS: Array<[prefix: string, renames: Record<string, string>]> = [
  [
    'event-hook',
    {
      name: 'eventHookName',
      url: 'eventHookUrl',
      description: 'eventHookDescription',
      items: 'eventHookItems',
      dynamic_items: 'eventHookItemsCode',
      headers: 'eventHookUrlHeaders',
      filters: 'eventHookFilter',
      do_not_activate: 'doNotActivateOnCreate',
    },
  ],
  [
    'raw.',
    {
      header: 'headers',
      query_parameter: 'queryParams',
      max_retry_count: 'maxRetries',
      retry_delay_ms: 'retryDelayMS',
      retry_on_all_errors: 'retryAllErrors',
    },
  ],
  [
    '',
    {
      app_id: 'applicationId',
      profile_extra_attributes: 'profileExtraInputs',
      user_type: 'type',
    },
  ],
];

/** The platform's key of input `field` of action or trigger `id` (`event-hooks.*` and `event-hook` share renames). */
export function inputKey(id: string, field: string): string {
  for (const [prefix, renames] of INPUT_KEYS) {
    if (id.startsWith(prefix) && field in renames) return renames[field];
  }
  return camel(field);
}

/**
 * Values the platform's component offers for an input that this connector names otherwise:
 * its Sort Order dropdown stores `ASCENDING`/`DESCENDING` where Okta's list endpoints take
 * `asc`/`desc`; its Raw Request offers axios' response types.
 */
const VALUE_ALIASES: Record<string, Record<string, string>> = {
  sort_order: { ASCENDING: 'asc', DESCENDING: 'desc' },
  response_type: { arraybuffer: 'binary', document: 'text' },
};

/** `value` as this connector spells it, when `field` is a closed set that does not contain it. */
export function aliasValue(field: string, allowed: readonly string[], value: string): string {
  if (allowed.includes(value)) return value;
  return VALUE_ALIASES[field]?.[value] ?? value;
}

/** The platform's data source keys (and what each lists), by the input field that takes its ids. */
export const PICKERS: Record<string, string> = {
  user_id: 'selectUser',
  group_id: 'selectGroup',
  app_id: 'selectApplication',
  event_hook_id: 'selectEventHook',
  realm_id: 'selectRealm',
  factor_id: 'selectUserFactor',
  user_type: 'selectUserType',
};

/** A user's `id` input (Users actions) takes a user id too. */
export function pickerFor(actionId: string, field: string): string | undefined {
  if (field === 'id' && actionId.startsWith('users.')) return PICKERS.user_id;
  return PICKERS[field];
}
