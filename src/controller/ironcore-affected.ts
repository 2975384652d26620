import { formatAddress } from '../algebra/ip.js';
import { isolatingPolicies, selectorPeerMatches } from '../policy/evaluate.js';
import type { Cluster } from '../policy/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import type { Policy } from '../policy/ir.js';
import { compareStrings } from '../util/order.js';

/** An Ironcore policy's work-queue key: `namespace/name`. */
export const policyKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * The Ironcore policies a change of the cluster's endpoints can affect: for each interface, load balancer and
 * virtual IP that appeared, went, or changed what a policy reads of it (labels, network, addresses, node), its
 * version before and after are put to each policy of its namespace, and a policy is affected when it selects
 * either version as a target, or one of its rules names it as a peer. The policy evaluator decides both
 * (policy/evaluate.ts): the controller only asks it.
 */
export function policiesAffectedByEndpoints(before: Cluster | undefined, after: Cluster): Set<string> {
  const affected = new Set<string>();
  for (const endpoint of changedEndpoints(before, after)) {
    for (const policy of policiesConcerning(after, endpoint)) affected.add(policyKey(policy.namespace, policy.name));
  }
  return affected;
}

/** The Ironcore policies of a namespace that refer to a network by name. */
export function policiesOfNetwork(cluster: Cluster, namespace: string, network: string): string[] {
  return (cluster.policiesByNamespace.get(namespace) ?? [])
    .filter((p) => p.ref.kind === 'IroncoreNetworkPolicy' && p.ref.network === network)
    .map((p) => policyKey(namespace, p.ref.name));
}

/** Both versions of every endpoint that differs between the clusters, as far as a policy can tell. */
function changedEndpoints(before: Cluster | undefined, after: Cluster): Endpoint[] {
  const changed: Endpoint[] = [];
  const old = before?.endpointById ?? new Map<string, Endpoint>();
  for (const [id, endpoint] of after.endpointById) {
    const previous = old.get(id);
    if (previous === undefined) changed.push(endpoint);
    else if (fingerprint(previous) !== fingerprint(endpoint)) changed.push(previous, endpoint);
  }
  for (const [id, endpoint] of old) if (!after.endpointById.has(id)) changed.push(endpoint);
  return changed;
}

function policiesConcerning(cluster: Cluster, endpoint: Endpoint): { namespace: string; name: string }[] {
  const ironcore = (p: Policy): boolean => p.ref.kind === 'IroncoreNetworkPolicy';
  const selecting = [
    ...isolatingPolicies(cluster, endpoint, 'ingress'),
    ...isolatingPolicies(cluster, endpoint, 'egress'),
  ].filter(ironcore);
  const naming = (cluster.policiesByNamespace.get(endpoint.namespace) ?? []).filter(
    (p) =>
      ironcore(p) &&
      [...(p.ingress ?? []), ...(p.egress ?? [])].some(
        (rule) =>
          rule.peers !== 'any' &&
          rule.peers.some((peer) => peer.kind === 'selector' && selectorPeerMatches(cluster, peer, endpoint)),
      ),
  );
  // An Ironcore policy selects and names only endpoints of its own namespace.
  return [...selecting, ...naming].map((p) => ({ namespace: endpoint.namespace, name: p.ref.name }));
}

/** What a policy's reconciliation reads of an endpoint. */
const fingerprint = (e: Endpoint): string =>
  JSON.stringify([
    e.kind,
    e.network ?? null,
    Object.entries(e.labels).sort(([a], [b]) => compareStrings(a, b)),
    e.ips.map(formatAddress),
    e.node ?? null,
  ]);
