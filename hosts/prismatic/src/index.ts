/**
 * okta-connector as a Prismatic custom component. Its actions, triggers, connections and
 * pickers are derived from the connector's catalog (read from the component at build time),
 * keyed as Prismatic's own Okta component keys them, and every one of them runs through the
 * WebAssembly component.
 */
import { component } from '@prismatic-io/spectral';
import { actions } from './actions';
import { connections } from './connections';
import { dataSources } from './dataSources';
import { triggers } from './triggers';

export default component({
  key: 'okta-management-api',
  public: false,
  display: {
    label: 'Okta',
    description: 'Manage users, groups, applications, and authentication policies in Okta.',
    category: 'Application Connectors',
    iconPath: 'icon.png',
  },
  connections,
  actions,
  triggers,
  dataSources,
});
