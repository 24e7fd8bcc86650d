/**
 * Catalog inputs as Prismatic inputs, and Prismatic's input values back as the connector's
 * JSON input.
 *
 * From each field's JSON Schema: its title is the label, its description the comments, the
 * catalog's default the default; a secret (`writeOnly`) is a password input; a closed set
 * (`enum`) a dropdown; a list of strings a value list; a list of key/value pairs a key/value
 * list; an object or free JSON a JSON code input; an integer a string input (Prismatic has
 * no number input) read back as a number. Prismatic hands every value over as entered (mostly
 * text): they are converted by the field's type here, and what cannot be converted goes to
 * the connector as it is, which refuses it with a typed error naming the field.
 */
import type { InputFieldDefinition } from '@prismatic-io/spectral';
import type { Entry, Schema } from './catalog';
import { fields } from './catalog';
import { aliasValue, camel, inputKey, pickerFor } from './compat';

/** The connection input every action, trigger and picker takes. */
export const connectionInput = {
  label: 'Connection',
  type: 'connection',
  required: true,
  comments: 'The Okta connection to use.',
} as const satisfies InputFieldDefinition;

type Kind = 'actions' | 'triggers';

/** How a field travels: its Prismatic input and the conversion of the value Prismatic hands over. */
type Shape = 'boolean' | 'integer' | 'string' | 'strings' | 'pairs' | 'object' | 'json';

function shapeOf(schema: Schema): Shape {
  switch (schema.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'number':
      return 'integer';
    case 'string':
      return 'string';
    case 'object':
      return 'object';
    case 'array': {
      const item = schema.items ?? {};
      if (item.type === 'string') return 'strings';
      const props = Object.keys(item.properties ?? {});
      if (item.type === 'object' && props.length === 2 && props.includes('key') && props.includes('value')) return 'pairs';
      return 'json';
    }
    default:
      return 'json';
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The Prismatic input for one field. */
function inputFor(entry: Entry, field: string, schema: Schema, required: boolean): InputFieldDefinition {
  const shape = shapeOf(schema);
  const dflt = entry.defaults[field];
  const base = {
    label: schema.title ?? field,
    comments: schema.description,
    required,
    ...(schema.examples?.length ? { example: text(schema.examples[0]) } : {}),
    ...(dflt !== undefined && shape !== 'strings' && shape !== 'pairs' ? { default: text(dflt) } : {}),
  };
  const dataSource = pickerFor(entry.id, field);
  switch (shape) {
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'strings':
      return { ...base, default: undefined, type: 'string', collection: 'valuelist' };
    case 'pairs':
      return { ...base, default: undefined, type: 'string', collection: 'keyvaluelist' };
    case 'object':
    case 'json':
      return { ...base, type: 'code', language: 'json' };
    case 'integer':
      return { ...base, type: 'string' };
    case 'string':
      if (schema.writeOnly || schema.format === 'password') return { ...base, type: 'password' };
      return {
        ...base,
        type: 'string',
        ...(schema.enum ? { model: schema.enum.map((v) => ({ label: v, value: v })) } : {}),
        ...(dataSource ? { dataSource } : {}),
      };
  }
}

/** The Prismatic inputs of an action or trigger, keyed as the platform's component keys them, connection last. */
export function inputsOf(kind: Kind, entry: Entry): Record<string, InputFieldDefinition> {
  const schema = entry.input_schema;
  const inputs: Record<string, InputFieldDefinition> = {};
  for (const field of fields(kind, entry)) {
    inputs[inputKey(entry.id, field)] = inputFor(entry, field, schema.properties[field], schema.required.includes(field));
  }
  inputs.connection = connectionInput;
  return inputs;
}

const absent = (value: unknown) => value === undefined || value === null || value === '';

/** A JSON text parsed, or the text itself when it is not JSON. */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** An object's keys as the nested schema names them, accepting Okta's camelCase (`digestAlgorithm`). */
function snakeKeys(value: unknown, schema: Schema): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const byCamel = Object.fromEntries(Object.keys(schema.properties ?? {}).map((p) => [camel(p), p]));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [byCamel[k] ?? k, v]));
}

/** One value as the field's type wants it; `undefined` when it was left empty. */
function convert(field: string, schema: Schema, value: unknown): unknown {
  if (absent(value)) return undefined;
  switch (shapeOf(schema)) {
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      return value;
    case 'integer':
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
      return value;
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (typeof value === 'string' && schema.enum) return aliasValue(field, schema.enum, value);
      return value;
    case 'strings': {
      const list = parsed(value);
      if (!Array.isArray(list)) return list;
      const items = list.filter((v) => !absent(v)).map((v) => (typeof v === 'number' ? String(v) : v));
      return items.length > 0 ? items : undefined;
    }
    case 'pairs': {
      const list = parsed(value);
      if (list && typeof list === 'object' && !Array.isArray(list)) {
        return Object.entries(list).map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) }));
      }
      if (!Array.isArray(list)) return list;
      const pairs = list.filter((p) => p && typeof p === 'object' && !absent((p as { key?: unknown }).key));
      return pairs.length > 0 ? pairs : undefined;
    }
    case 'object':
      return snakeKeys(parsed(value), schema);
    case 'json':
      return parsed(value);
  }
}

/** Prismatic's input values (keyed as `inputsOf` keys them) as the connector's JSON input. */
export function connectorInput(kind: Kind, entry: Entry, params: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of fields(kind, entry)) {
    const value = convert(field, entry.input_schema.properties[field], params[inputKey(entry.id, field)]);
    if (value !== undefined) input[field] = value;
  }
  return input;
}
