/**
 * Every call into the connector from a step, trigger or picker goes through `withConnection`:
 * the Prismatic connection value becomes the connector's connection, and a connector error
 * that says the connection is at fault (`invalid-connection`, `unauthorized`) becomes
 * Spectral's ConnectionError, which Prismatic shows on the connection.
 */
import { ConnectionError, type Connection as ConnectionValue } from '@prismatic-io/spectral';
import { toConnection } from './connections';
import { ConnectorError, type Connection } from './connector';

const CONNECTION_KINDS = ['invalid-connection', 'unauthorized'];

export async function withConnection<T>(value: unknown, call: (connection: Connection) => Promise<T>): Promise<T> {
  const connectionValue = value as ConnectionValue;
  try {
    return await call(toConnection(connectionValue));
  } catch (e) {
    if (e instanceof ConnectorError && CONNECTION_KINDS.includes(e.kind)) {
      throw Object.assign(new ConnectionError(connectionValue, e.message), { kind: e.kind, status: e.status, errorCode: e.errorCode, field: e.field });
    }
    throw e;
  }
}
