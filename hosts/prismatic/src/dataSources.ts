/**
 * Pickers for the inputs that take an Okta id (the `dataSource` of those inputs, see
 * compat.ts): each lists through one of the connector's list actions, every page of it
 * where the action pages, and labels each object as a person would look for it.
 */
import { dataSource, type Element, type InputFieldDefinition } from '@prismatic-io/spectral';
import { withConnection } from './calls';
import { catalog } from './catalog';
import { invoke } from './connector';
import { inputKey } from './compat';
import { connectorInput, connectionInput, inputsOf } from './inputs';

type Okta = Record<string, any>;

interface Picker {
  label: string;
  description: string;
  /** The list action that serves it. */
  action: string;
  /** Fields of that action the picker asks for (a user's factors need the user). */
  asks: string[];
  element: (o: Okta) => string;
}

const PICKERS: Record<string, Picker> = {
  selectUser: {
    label: 'Select User',
    description: 'A picklist of users in your Okta org.',
    action: 'users.list',
    asks: [],
    element: (u) => `${u.profile?.firstName ?? ''} ${u.profile?.lastName ?? ''} (${u.profile?.email ?? u.profile?.login})`.trim(),
  },
  selectGroup: {
    label: 'Select Group',
    description: 'A picklist of groups in your Okta org.',
    action: 'groups.list',
    asks: [],
    element: (g) => g.profile?.name ?? g.id,
  },
  selectApplication: {
    label: 'Select Application',
    description: 'A picklist of applications in your Okta org.',
    action: 'apps.list',
    asks: [],
    element: (a) => `${a.label ?? a.name} (${a.name})`,
  },
  selectEventHook: {
    label: 'Select Event Hook',
    description: 'A picklist of event hooks in your Okta org.',
    action: 'event-hooks.list',
    asks: [],
    element: (h) => `${h.name} (${h.status})`,
  },
  selectPolicy: {
    label: 'Select Policy',
    description: 'A picklist of the policies of one type in your Okta org.',
    action: 'policies.list',
    asks: ['type'],
    element: (p) => `${p.name} (${p.status})`,
  },
  selectRealm: {
    label: 'Select Realm',
    description: 'A picklist of realms in your Okta org.',
    action: 'realms.list',
    asks: [],
    element: (r) => r.profile?.name ?? r.id,
  },
  selectUserFactor: {
    label: 'Select User Factor',
    description: "A picklist of a user's enrolled factors.",
    action: 'users.list-factors',
    asks: ['user_id'],
    element: (f) => {
      const p = f.profile ?? {};
      const what = p.phoneNumber ?? p.email ?? p.questionText ?? p.credentialId ?? p.name;
      return what ? `${f.factorType} (${f.provider}): ${what}` : `${f.factorType} (${f.provider})`;
    },
  },
  selectUserType: {
    label: 'Select User Type',
    description: 'A picklist of the user types in your Okta org.',
    action: 'users.list-types',
    asks: [],
    element: (t) => `${t.displayName} (${t.name})`,
  },
};

function pickerOf(picker: Picker) {
  const entry = catalog.actions.find((a) => a.id === picker.action);
  if (!entry) throw new Error(`the catalog has no ${picker.action} for a picker`);
  const all = inputsOf('actions', entry);
  const inputs: Record<string, InputFieldDefinition> = {};
  for (const field of picker.asks) {
    // The input names the ids the picker lists: it is not served by a picker itself.
    const { dataSource: _served, ...input } = all[inputKey(entry.id, field)] as InputFieldDefinition & { dataSource?: string };
    inputs[inputKey(entry.id, field)] = { ...input, required: true } as InputFieldDefinition;
  }
  inputs.connection = connectionInput;
  return dataSource({
    display: { label: picker.label, description: picker.description },
    inputs,
    dataSourceType: 'picklist',
    perform: async (_context, params: Record<string, unknown>) => {
      const input = { ...connectorInput('actions', entry, params), ...('fetch_all' in entry.input_schema.properties ? { fetch_all: true } : {}) };
      const result = (await withConnection(params.connection, (connection) => invoke(picker.action, connection, input))) as
        | Okta[]
        | { items: Okta[] };
      const objects = Array.isArray(result) ? result : result.items;
      const elements: Element[] = objects.map((o) => ({ key: String(o.id), label: picker.element(o) }));
      return { result: elements };
    },
  });
}

export const dataSources = Object.fromEntries(Object.entries(PICKERS).map(([key, picker]) => [key, pickerOf(picker)]));
