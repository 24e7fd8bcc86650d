/**
 * One Prismatic action per catalog action: label and description from the catalog (the
 * scopes it needs appended when the catalog says), its inputs from the catalog's schema, its
 * example payload from the fake org's real answer, and a perform that runs it through the
 * component's `invoke`.
 */
import { action, type ActionDefinition, type InputFieldDefinition } from '@prismatic-io/spectral';
import examples from '../examples.json';
import { withConnection } from './calls';
import { catalog, descriptionOf, type Entry } from './catalog';
import { actionKey } from './compat';
import { invoke } from './connector';
import { connectorInput, inputsOf } from './inputs';
import { includeNextCursorInput, INCLUDE_NEXT_CURSOR, isPaged, stepResult } from './results';

const examplePayloads = examples as Record<string, unknown>;

// The inputs are known at build time, not to the type checker: the definitions are loosely typed.
type AnyAction = ActionDefinition<any, any, false, any>;

function actionOf(entry: Entry): AnyAction {
  const { connection, ...fields } = inputsOf('actions', entry);
  const inputs = isPaged(entry) ? { ...fields, [INCLUDE_NEXT_CURSOR]: includeNextCursorInput, connection } : { ...fields, connection };
  return action<Record<string, InputFieldDefinition>, any, false, any>({
    display: { label: entry.label, description: descriptionOf(entry) },
    inputs,
    ...(actionKey(entry.label) in examplePayloads ? { examplePayload: { data: examplePayloads[actionKey(entry.label)] } } : {}),
    perform: async (_context, params: Record<string, unknown>) =>
      withConnection(params.connection, async (connection) =>
        stepResult(await invoke(entry.id, connection, connectorInput('actions', entry, params)), params),
      ),
  });
}

export const actions = Object.fromEntries(catalog.actions.map((entry) => [actionKey(entry.label), actionOf(entry)]));
