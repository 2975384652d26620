import { Chart } from 'cdk8s';
import type { Cluster } from '../policy/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import { objectFromData } from '../resources/source.js';
import { type JSONObject } from '../util/json.js';
import { DEFAULT_NAMESPACE } from '../resources/defaults.js';
import { normaliseNetworkPolicy } from '../policy/networkpolicy.js';
import { selectorPeerMatches } from '../policy/evaluate.js';
import { type INetworkPolicyPeer, kubePeersOf } from './peers.js';
import type { IPodSelector } from './selectors.js';

/** Managed pods and workloads, `Pods`, `Namespaces`, `Namespace`: anything that stands for pods. */
export type Selection = IPodSelector | INetworkPolicyPeer;

/**
 * The endpoints a selection stands for, decided by netpol's own evaluator: the
 * selection is written as the peer of a policy (exactly as a rule would carry
 * it), normalised, and matched. A selection that names no namespace means the
 * namespace of its chart, as it would in a policy of that chart.
 */
export function selectedEndpoints(cluster: Cluster, selection: Selection): Endpoint[] {
  const peer = asPeer(selection);
  if (peer.toNetworkPolicyPeerConfig().ipBlock) {
    throw new Error(
      `'${selection.node.path}' is an ip block, not one end of a flow: give an address as a string, e.g. '10.0.0.1'`,
    );
  }
  const policy = normaliseNetworkPolicy(
    objectFromData(
      // Through JSON, which drops the undefined members the API would see as absent.
      JSON.parse(
        JSON.stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'selection', namespace: chartNamespace(selection) },
          spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: kubePeersOf(peer) }] },
        }),
      ) as JSONObject,
    ),
  );
  const peers = policy.ingress?.[0]?.peers;
  if (peers === undefined || peers === 'any') return [];
  return cluster.endpoints.filter((e) =>
    peers.some((p) => p.kind === 'selector' && selectorPeerMatches(cluster, p, e)),
  );
}

function asPeer(selection: Selection): Pick<INetworkPolicyPeer, 'node' | 'toNetworkPolicyPeerConfig'> {
  if ('toNetworkPolicyPeerConfig' in selection) return selection;
  return { node: selection.node, toNetworkPolicyPeerConfig: () => ({ podSelector: selection.toPodSelectorConfig() }) };
}

function chartNamespace(selection: Selection): string {
  try {
    return Chart.of(selection).namespace ?? DEFAULT_NAMESPACE;
  } catch {
    return DEFAULT_NAMESPACE;
  }
}
