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
  /** The OAuth scopes the entry needs (`null` when it depends on the input, as for Raw Request). */
  scopes?: string[] | null;
  /** What an action does to the org (the tool annotations marketplaces show). */
  hints?: { destructive?: boolean; idempotent?: boolean; read_only?: boolean };
}

/** A variable of the component's environment: one of its bounds. */
export interface EnvironmentVariable {
  name: string;
  default?: unknown;
  comment?: string;
}

export interface Catalog {
  package: string;
  actions: Entry[];
  triggers: Entry[];
  connections: Entry[];
  /** The variables the component reads from its environment. */
  environment?: EnvironmentVariable[];
}

export const catalog = catalogJson as unknown as Catalog;

const order = orderJson as Record<'actions' | 'triggers' | 'connections', Record<string, string[]>>;

/** The entry's fields in WIT order. */
export function fields(kind: 'actions' | 'triggers' | 'connections', entry: Entry): string[] {
  return order[kind][entry.id] ?? Object.keys(entry.input_schema.properties);
}

/** The scopes an entry needs (empty when the catalog does not say). */
export function scopesOf(entry: Entry): string[] {
  return Array.isArray(entry.scopes) ? entry.scopes.filter((s) => typeof s === 'string') : [];
}

/** Every scope some action or trigger needs, sorted: what an OAuth connection may have to ask for. */
export function allScopes(c: Catalog = catalog): string[] {
  return [...new Set([...c.actions, ...c.triggers].flatMap(scopesOf))].sort();
}

/**
 * An entry's description: its comment, then "Destructive." when the catalog says it changes
 * what cannot simply be restored, then the OAuth scopes it needs.
 */
export function descriptionOf(entry: Entry): string {
  const scopes = scopesOf(entry);
  const destructive = entry.hints?.destructive === true ? ' Destructive.' : '';
  return `${entry.comment}${destructive}${scopes.length > 0 ? ` Scopes: ${scopes.join(', ')}.` : ''}`;
}
