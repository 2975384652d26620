import type { Protocol } from '../algebra/connset.js';
import type { Cluster } from '../policy/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import { namedPortNumbers } from '../policy/named-port.js';
import type { TruthTable } from './truthtable.js';
import { endpointFlow } from './flow.js';
import { decide } from './verdict.js';
import { type EngineOptions, defaultEngineOptions } from '../policy/evaluate.js';

/** Which rows and columns a table has: every endpoint unless said otherwise. */
export interface MatrixScope {
  readonly sources?: readonly Endpoint[];
  readonly destinations?: readonly Endpoint[];
}

/**
 * The pod-level truth table for one port and protocol. A port name is resolved on each destination, as
 * NetworkPolicy resolves it; a destination without a container port of that name and protocol has nothing to
 * connect to, and its column is denied (`destinationsWithoutPort` says which).
 */
export function connectivityMatrix(
  cluster: Cluster,
  protocol: Protocol,
  port: number | string,
  options: EngineOptions = defaultEngineOptions,
  { sources = cluster.endpoints, destinations = cluster.endpoints }: MatrixScope = {},
): TruthTable {
  const cells = sources.map((src) =>
    destinations.map((dst) => {
      if (src === dst) return undefined;
      const number = typeof port === 'number' ? port : namedPortNumbers(dst.ports, port, protocol)[0];
      return number !== undefined && decide(cluster, endpointFlow(src, dst, protocol, number), options).allowed;
    }),
  );
  return { sources: sources.map((e) => e.id), destinations: destinations.map((e) => e.id), cells };
}

/** The destinations a port name means nothing on. */
export const destinationsWithoutPort = (
  destinations: readonly Endpoint[],
  name: string,
  protocol: Protocol,
): Endpoint[] => destinations.filter((dst) => namedPortNumbers(dst.ports, name, protocol).length === 0);
