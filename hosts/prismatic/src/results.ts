/**
 * An action's result as a Prismatic step result. What the connector returns passes through
 * unchanged, with two shapes adapted to what the platform's component returns, so steps that
 * read its results read these too:
 *
 * - a page (`{"items": [...], "next_cursor": ...}`) is the items array; with Include Next
 *   Cursor it stays an object, `{items, nextCursor}` (and `capped` for System Log pages), the
 *   cursor to pass as After;
 * - Raw Request's HTTP response is its body, with its status and headers in the step
 *   result's own `statusCode` and `headers`.
 */
import type { InputFieldDefinition } from '@prismatic-io/spectral';
import type { Entry } from './catalog';

/** The input only paged actions get (not in the catalog: it shapes the Prismatic result). */
export const INCLUDE_NEXT_CURSOR = 'includeNextCursor';

export const includeNextCursorInput = {
  label: 'Include Next Cursor',
  type: 'boolean',
  required: false,
  default: 'false',
  comments:
    'When true, returns {items, nextCursor} instead of the items alone: pass nextCursor as After to continue where this page ended (absent on the last page).',
} as const satisfies InputFieldDefinition;

/** An action that returns pages: it takes Fetch All and After. */
export function isPaged(entry: Entry): boolean {
  const props = entry.input_schema.properties;
  return 'fetch_all' in props && 'after' in props;
}

export interface StepResult {
  data: unknown;
  statusCode?: number;
  headers?: Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function stepResult(result: unknown, params: Record<string, unknown>): StepResult {
  if (isObject(result) && Array.isArray(result.items) && 'next_cursor' in result) {
    const withCursor = params[INCLUDE_NEXT_CURSOR] === true || params[INCLUDE_NEXT_CURSOR] === 'true';
    if (!withCursor) return { data: result.items };
    const { items, next_cursor, ...rest } = result;
    return { data: { items, nextCursor: next_cursor ?? null, ...rest } };
  }
  if (isObject(result) && typeof result.status === 'number' && Array.isArray(result.headers) && 'data' in result) {
    const headers: Record<string, string> = {};
    for (const h of result.headers as Array<{ key: string; value: string }>) {
      headers[h.key] = h.key in headers ? `${headers[h.key]}, ${h.value}` : h.value;
    }
    return { data: result.data, statusCode: result.status, headers };
  }
  return { data: result };
}
