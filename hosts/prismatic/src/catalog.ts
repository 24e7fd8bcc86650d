/**
 * The connector's catalog (`catalog.describe()`), as the build read it from the component,
 * and the WIT order of each entry's fields.
 */
import catalogJson from '../generated/catalog.json';
import orderJson from '../generated/field-order.json';

/** The JSON Schema subset the catalog uses for inputs. */
export interface Schema {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: string[];
  format?: string;
  writeOnly?: boolean;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  /** JSON Schema's examples: the first is shown as the input's example. */
  examples?: unknown[];
}

export interface Entry {
  id: string;
  label: string;
  comment: string;
  details?: string;
  defaults: Record<string, unknown>;
  input_schema: Schema & { properties: Record<string, Schema>; required: string[] };
  /** Triggers: `polling` or `webhook`. */
  kind?: string;
  /** The OAuth scopes the entry needs, when the catalog says (a list or a space-separated string). */
  scopes?: string[] | string;
  /** A short usage hint, when the catalog has one. */
  hint?: string;
}

export interface Catalog {
  package: string;
  actions: Entry[];
  triggers: Entry[];
  connections: Entry[];
}

export const catalog = catalogJson as unknown as Catalog;

const order = orderJson as Record<'actions' | 'triggers' | 'connections', Record<string, string[]>>;

/** The entry's fields in WIT order. */
export function fields(kind: 'actions' | 'triggers' | 'connections', entry: Entry): string[] {
  return order[kind][entry.id] ?? Object.keys(entry.input_schema.properties);
}

/** The scopes an entry needs, as a list (empty when the catalog does not say). */
export function scopesOf(entry: Entry): string[] {
  if (Array.isArray(entry.scopes)) return entry.scopes.filter((s) => typeof s === 'string');
  if (typeof entry.scopes === 'string') return entry.scopes.split(/\s+/).filter(Boolean);
  return [];
}

/** An entry's description: its comment, with its hint and the OAuth scopes it needs when the catalog has them. */
export function descriptionOf(entry: Entry): string {
  const scopes = scopesOf(entry);
  const hint = entry.hint ? ` ${entry.hint}` : '';
  return scopes.length > 0 ? `${entry.comment}${hint} Scopes: ${scopes.join(', ')}.` : `${entry.comment}${hint}`;
}
