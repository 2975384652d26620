import type { Protocol } from '../algebra/connset.js';
import type { Cluster } from '../model/cluster.js';
import type { TruthTable } from './truthtable.js';
import { endpointFlow } from './flow.js';
import { type EngineOptions, decide, defaultEngineOptions } from './verdict.js';

/** The pod-level truth table for one port and protocol, over every endpoint. */
export function connectivityMatrix(
  cluster: Cluster,
  protocol: Protocol,
  port: number,
  options: EngineOptions = defaultEngineOptions,
): TruthTable {
  const endpoints = cluster.endpoints;
  const names = endpoints.map((e) => e.id);
  const cells = endpoints.map((src) =>
    endpoints.map((dst) =>
      src === dst ? undefined : decide(cluster, endpointFlow(src, dst, protocol, port), options).allowed,
    ),
  );
  return { sources: names, destinations: names, cells };
}
