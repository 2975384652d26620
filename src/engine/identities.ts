import type { IPAddress } from '../algebra/ip.js';
import type { Cluster } from '../policy/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import type { AddressCells } from './ranges.js';

/**
 * Endpoints that every selector, every named port and every ipBlock treat
 * alike: same namespace, labels, container ports, hostNetwork, and the same
 * cell of the address space (so ipBlocks agree on them). Analysis runs once
 * per identity and fans out to the endpoints.
 */
export interface Identity {
  readonly index: number;
  readonly namespace: string;
  /** One endpoint standing for all: every rule decides for it as for the others. */
  readonly representative: Endpoint;
  /** The address the representative uses in flows, if known. */
  readonly ip: IPAddress | undefined;
  readonly endpoints: readonly Endpoint[];
}

export function identitiesOf(cluster: Cluster, cells: AddressCells): Identity[] {
  const byKey = new Map<string, Endpoint[]>();
  for (const endpoint of cluster.endpoints) {
    const key = identityKey(endpoint, cells);
    const group = byKey.get(key);
    if (group === undefined) byKey.set(key, [endpoint]);
    else group.push(endpoint);
  }
  return [...byKey.values()].map((endpoints, index) => ({
    index,
    namespace: endpoints[0]!.namespace,
    representative: endpoints[0]!,
    ip: endpoints[0]!.ips[0],
    endpoints,
  }));
}

function identityKey(e: Endpoint, cells: AddressCells): string {
  const labels = Object.keys(e.labels)
    .sort()
    .map((k) => `${k}=${e.labels[k]}`)
    .join(',');
  const ports = e.ports
    .map((p) => `${p.name ?? ''}:${p.port}/${p.protocol}`)
    .sort()
    .join(',');
  // Only the primary address takes part in pod-to-pod flows; its cell decides every ipBlock.
  const cell = e.ips[0] === undefined ? 'none' : cells.cellOf(e.ips[0]);
  // A pod in its node's network has the node's address, which a policy's node peers pick by the node's labels.
  const node = e.hostNetwork ? (e.node ?? '') : '';
  return [e.namespace, labels, ports, cell, e.hostNetwork, node, e.kind, e.network ?? ''].join('\u0000');
}
