/**
 * The connector's three connection kinds as Prismatic connections, keyed as the platform's
 * component keys them, and a Prismatic connection value as the connector's `connection`.
 *
 * - API token: the catalog's fields as inputs.
 * - OAuth 2.0 authorization code: Prismatic's OAuth 2.0 connection. Prismatic runs the
 *   browser flow with PKCE (S256) against the org authorization server, whose authorize and
 *   token URLs it builds from the domain, keeps the tokens, refreshes them itself and hands
 *   each step the access token. The connector gets that access token alone: with the refresh
 *   token it could rotate it behind Prismatic's back (Okta revokes a reused one).
 * - Client credentials: the service app's private key signs the assertion and the connector
 *   adds DPoP when Okta asks for it; tokens are cached in the component for the process.
 */
import {
  ConnectionError,
  OAuth2PkceMethod,
  OAuth2Type,
  type Connection as ConnectionValue,
  type ConnectionDefinition,
  type ConnectionInput,
} from '@prismatic-io/spectral';
import { allScopes, catalog, fields, type Entry, type Schema } from './catalog';
import { CONNECTION_KEYS, camel, connectionFieldKey, offered } from './compat';
import type { Connection } from './connector';

/** The OAuth kind's token fields: Prismatic holds the tokens, they are not inputs. */
const TOKEN_FIELDS = ['access_token', 'refresh_token'];

const OAUTH_CODE = 'oauth_code';

/**
 * The Prismatic input of one connection field. A Scopes input says which scopes the actions
 * need (from the catalog), for people to ask for those they use.
 */
export function connectionInputFor(entry: Entry, field: string, schema: Schema, scopes: string[] = allScopes()): ConnectionInput {
  const secret = schema.writeOnly === true || schema.format === 'password';
  let comments = schema.description;
  if (field === 'domain' && entry.id === OAUTH_CODE) {
    comments += ' The host alone (`acme.okta.com`): Prismatic builds the authorize and token URLs as `https://{host}/oauth2/v1/...`.';
  }
  if (field === 'scopes') {
    comments += ` Separate them with spaces. The actions need, each its own: ${scopes.join(', ')}`;
    comments += entry.id === OAUTH_CODE ? '; add offline_access for Prismatic to get a refresh token.' : '.';
  }
  return {
    label: schema.title ?? field,
    comments,
    type: secret ? 'password' : 'string',
    required: entry.input_schema.required.includes(field),
    shown: true,
    ...(schema.examples?.length ? { example: String(schema.examples[0]) } : {}),
  };
}

function definitionOf(entry: Entry): ConnectionDefinition {
  const key = CONNECTION_KEYS[entry.id];
  if (!key) throw new Error(`no Prismatic key for the connector's connection ${entry.id}`);
  const inputs: Record<string, ConnectionInput> = {};
  for (const field of fields('connections', entry)) {
    if (entry.id === OAUTH_CODE && TOKEN_FIELDS.includes(field)) continue;
    inputs[connectionFieldKey(field)] = connectionInputFor(entry, field, entry.input_schema.properties[field]);
  }
  const display = { label: entry.label, description: entry.comment };
  if (entry.id !== OAUTH_CODE) return { key, display, inputs };
  const domain = connectionFieldKey('domain');
  return {
    key,
    display,
    oauth2Type: OAuth2Type.AuthorizationCode,
    oauth2PkceMethod: OAuth2PkceMethod.S256,
    inputs: {
      ...(inputs as Record<string, ConnectionInput> & { scopes: ConnectionInput; clientId: ConnectionInput; clientSecret: ConnectionInput }),
      authorizeUrl: {
        label: 'Authorize URL',
        type: 'template',
        required: true,
        shown: false,
        comments: "The org authorization server's authorize endpoint.",
        templateValue: `https://{{#${domain}}}/oauth2/v1/authorize`,
      } as ConnectionInput,
      tokenUrl: {
        label: 'Token URL',
        type: 'template',
        required: true,
        shown: false,
        comments: "The org authorization server's token endpoint.",
        templateValue: `https://{{#${domain}}}/oauth2/v1/token`,
      } as ConnectionInput,
    },
  };
}

export const connections: ConnectionDefinition[] = offered(catalog.connections).map(definitionOf);

/**
 * A PEM key pasted into a one-line password input arrives without its line breaks (or with
 * `\n` typed out): its lines are put back. Anything else (a JWK, a proper PEM) is kept.
 */
export function keyText(text: string): string {
  const unescaped = text.replace(/\\n/g, '\n');
  const pem = /^\s*(-----BEGIN [A-Z0-9 ]+-----)\s*([A-Za-z0-9+/=\s]+?)\s*(-----END [A-Z0-9 ]+-----)\s*$/.exec(unescaped);
  if (!pem) return unescaped;
  const body = pem[2].replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return [pem[1], ...lines, pem[3], ''].join('\n');
}

/** The connector's `connection` for a Prismatic connection value. */
export function toConnection(value: ConnectionValue | undefined): Connection {
  const entry = catalog.connections.find((c) => CONNECTION_KEYS[c.id] === value?.key);
  if (!value || !entry) {
    const known = Object.values(CONNECTION_KEYS).join(', ');
    throw new ConnectionError(value as ConnectionValue, `Unsupported Okta connection ${JSON.stringify(value?.key)}: use one of ${known}.`);
  }
  const val: Record<string, unknown> = {};
  for (const field of fields('connections', entry)) {
    const schema = entry.input_schema.properties[field];
    let v: unknown = value.fields?.[connectionFieldKey(field)];
    if (entry.id === OAUTH_CODE && field === 'access_token') v = value.token?.access_token;
    if (entry.id === OAUTH_CODE && field === 'refresh_token') v = undefined;
    if (v === undefined || v === null || v === '') {
      if (entry.input_schema.required.includes(field)) val[camel(field)] = schema.type === 'array' ? [] : '';
      continue;
    }
    if (schema.type === 'array') {
      val[camel(field)] = Array.isArray(v) ? v.map(String) : String(v).split(/[\s,]+/).filter(Boolean);
    } else if (field === 'private_key') {
      val[camel(field)] = keyText(String(v));
    } else {
      val[camel(field)] = String(v);
    }
  }
  return { tag: entry.id.replace(/_/g, '-'), val } as unknown as Connection;
}
