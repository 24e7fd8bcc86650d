/**
 * One Prismatic action per catalog action: label and description from the catalog (the
 * scopes it needs appended when the catalog says), its inputs from the catalog's schema, its
 * example payload from the fake org's real answer, and a perform that runs it through the
 * component's `invoke`.
 */
import { action, type ActionDefinition, type InputFieldDefinition } from '@prismatic-io/spectral';
import examples from '../examples.json';
import { withConnection } from './calls';
import { catalog, scopesOf, type Entry } from './catalog';
import { actionKey } from './compat';
import { invoke } from './connector';
import { connectorInput, inputsOf } from './inputs';
import { includeNextCursorInput, INCLUDE_NEXT_CURSOR, isPaged, stepResult } from './results';

/** An entry's description, with the OAuth scopes it needs when the catalog lists them. */
export function description(entry: Entry): string {
  const scopes = scopesOf(entry);
  const hint = entry.hint ? ` ${entry.hint}` : '';
  return scopes.length > 0 ? `${entry.comment}${hint} Scopes: ${scopes.join(', ')}.` : `${entry.comment}${hint}`;
}

const examplePayloads = examples as Record<string, unknown>;

// The inputs are known at build time, not to the type checker: the definitions are loosely typed.
type AnyAction = ActionDefinition<any, any, false, any>;

function actionOf(entry: Entry): AnyAction {
  const { connection, ...fields } = inputsOf('actions', entry);
  const inputs = isPaged(entry) ? { ...fields, [INCLUDE_NEXT_CURSOR]: includeNextCursorInput, connection } : { ...fields, connection };
  return action<Record<string, InputFieldDefinition>, any, false, any>({
    display: { label: entry.label, description: description(entry) },
    inputs,
    ...(actionKey(entry.label) in examplePayloads ? { examplePayload: { data: examplePayloads[actionKey(entry.label)] } } : {}),
    perform: async (_context, params: Record<string, unknown>) =>
      withConnection(params.connection, async (connection) =>
        stepResult(await invoke(entry.id, connection, connectorInput('actions', entry, params)), params),
      ),
  });
}

export const actions = Object.fromEntries(catalog.actions.map((entry) => [actionKey(entry.label), actionOf(entry)]));
