import { compareStrings } from '../util/order.js';
import { type Family, type IPAddress, formatAddress, parseIP } from '../algebra/ip.js';
import type { Labels } from '../algebra/selector.js';
import { type HostNetworkPods, DEFAULT_HOST_NETWORK_PODS } from './host-network.js';
import { DEFAULT_NAMESPACE } from '../resources/defaults.js';
import { type Endpoint, endpointsFrom } from './endpoints.js';
import { ironcoreEndpoints } from './ironcore.js';
import { isNamespaced, knownKind } from '../resources/kinds.js';
import type { Namespace, Node } from '../resources/types.js';
import type { Location } from '../util/location.js';
import type { SourcedObject } from '../resources/source.js';
import { typedView } from '../validate/typed.js';

/** The label the control plane puts on every namespace; policies select namespaces by name through it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Labels;
  /** Referenced by some object but not defined in the input. */
  readonly implicit: boolean;
  readonly origin: Location | undefined;
}

export interface NodeInfo {
  readonly name: string;
  /** Known from a Node object; empty when the node is known only from its pods. */
  readonly labels: Labels;
  readonly addresses: readonly IPAddress[];
  /** spec.podCIDRs (or spec.podCIDR) of the Node object. */
  readonly podCIDRs: readonly string[];
}

/**
 * The cluster's things as the inputs describe them, before any policy is read: namespaces, endpoints and nodes,
 * with their indexes. policy/cluster.ts compiles the policies beside them into the Cluster the evaluator reads.
 */
export interface ClusterModel {
  readonly namespaces: ReadonlyMap<string, NamespaceInfo>;
  /** Sorted by id. */
  readonly endpoints: readonly Endpoint[];
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  readonly endpointById: ReadonlyMap<string, Endpoint>;
  /** Keyed by `family/value` of each address. */
  readonly endpointByAddress: ReadonlyMap<string, Endpoint>;
  /** The address families the endpoints' addresses are of, 4 before 6. */
  readonly families: readonly Family[];
  /** What the inputs say that cannot all be true, and how the cluster reads it: two running pods with one address. */
  readonly warnings: readonly ClusterWarning[];
}

export interface ClusterWarning {
  readonly origin: Location;
  readonly message: string;
}

const addressKeys = new WeakMap<IPAddress, string>();

/** A map key for an address; kept per address object, since a bigint's text is dear and endpoints are reused. */
export const addressKey = (ip: IPAddress): string => {
  let key = addressKeys.get(ip);
  if (key === undefined) addressKeys.set(ip, (key = `${ip.family}/${ip.value}`));
  return key;
};

export const namespaceOf = (o: SourcedObject): string => {
  const kind = knownKind(o.apiVersion, o.kind);
  return kind !== undefined && isNamespaced(kind) ? (o.namespace ?? DEFAULT_NAMESPACE) : '';
};

/**
 * The model of objects that passed validation. `policyNamespaces`, the namespaces of the policies compiled beside
 * it, are namespaces too, after those of the endpoints.
 */
export function buildClusterModel(
  objects: readonly SourcedObject[],
  hostNetworkPods: HostNetworkPods = DEFAULT_HOST_NETWORK_PODS,
  policyNamespaces: readonly string[] = [],
): ClusterModel {
  const endpoints = [
    ...endpointsFrom(objects, namespaceOf, hostNetworkPods),
    ...ironcoreEndpoints(objects, namespaceOf),
  ].sort((a, b) => compareStrings(a.id, b.id));
  const namespaces = namespacesFrom(objects, [...endpoints.map((e) => e.namespace), ...policyNamespaces]);
  const { endpointByAddress, warnings } = addressIndex(endpoints);
  return {
    namespaces,
    endpoints,
    nodes: nodesFrom(objects, endpoints),
    endpointById: new Map(endpoints.map((e) => [e.id, e])),
    endpointByAddress,
    families: familiesIn(endpoints),
    warnings,
  };
}

/** Whether an endpoint answers for its addresses: a pod in its node's network shares the node's. */
export const holdsOwnAddresses = (e: Endpoint): boolean => e.nodeNetwork !== true;

/**
 * Endpoints by address. Two running pods cannot hold one address: a dump taken while an address moved says so,
 * and the later pod by id answers for it, with a warning.
 */
function addressIndex(endpoints: readonly Endpoint[]): {
  endpointByAddress: Map<string, Endpoint>;
  warnings: ClusterWarning[];
} {
  const endpointByAddress = new Map<string, Endpoint>();
  const warnings: ClusterWarning[] = [];
  for (const e of endpoints) {
    if (!holdsOwnAddresses(e)) continue;
    for (const ip of e.ips) {
      const key = addressKey(ip);
      const before = endpointByAddress.get(key);
      if (before !== undefined && before.kind === 'Pod' && e.kind === 'Pod')
        warnings.push({
          origin: e.origin,
          message:
            `Pod ${e.id}: ${formatAddress(ip)} is also the address of Pod ${before.id}, and both are running; ` +
            `the address stands for ${e.id}`,
        });
      endpointByAddress.set(key, e);
    }
  }
  return { endpointByAddress, warnings };
}

/** How many addresses of each family the endpoints hold. */
export function familyCounts(endpoints: readonly Endpoint[]): Record<Family, number> {
  const counts: Record<Family, number> = { 4: 0, 6: 0 };
  for (const e of endpoints) for (const ip of e.ips) counts[ip.family]++;
  return counts;
}

export const familiesWith = (counts: Record<Family, number>): Family[] =>
  ([4, 6] as const).filter((f) => counts[f] > 0);

const familiesIn = (endpoints: readonly Endpoint[]): Family[] => familiesWith(familyCounts(endpoints));

export function namespacesFrom(
  objects: readonly SourcedObject[],
  referenced: readonly string[],
): Map<string, NamespaceInfo> {
  const namespaces = new Map<string, NamespaceInfo>();
  for (const o of objects) {
    if (knownKind(o.apiVersion, o.kind) !== 'Namespace') continue;
    const labels = typedView<Namespace>(o).metadata?.labels ?? {};
    namespaces.set(o.name, {
      name: o.name,
      labels: { ...labels, [NAMESPACE_NAME_LABEL]: o.name },
      implicit: false,
      origin: o.origin,
    });
  }
  for (const name of referenced) {
    if (!namespaces.has(name)) {
      namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, implicit: true, origin: undefined });
    }
  }
  return namespaces;
}

/** Node addresses come from Node objects and from the hostIP that pods report. */
export function nodesFrom(objects: readonly SourcedObject[], endpoints: readonly Endpoint[]): Map<string, NodeInfo> {
  const addresses = new Map<string, Map<string, IPAddress>>();
  const podCIDRs = new Map<string, string[]>();
  const labels = new Map<string, Labels>();
  const add = (node: string, ip: IPAddress | undefined): void => {
    const known = addresses.get(node) ?? new Map<string, IPAddress>();
    if (ip !== undefined) known.set(addressKey(ip), ip);
    addresses.set(node, known);
  };
  for (const o of objects) {
    if (knownKind(o.apiVersion, o.kind) !== 'Node') continue;
    add(o.name, undefined);
    const node = typedView<Node>(o);
    labels.set(o.name, node.metadata?.labels ?? {});
    for (const a of node.status?.addresses ?? []) add(o.name, parseIP(a.address));
    podCIDRs.set(o.name, [
      ...new Set([...(node.spec?.podCIDR ? [node.spec.podCIDR] : []), ...(node.spec?.podCIDRs ?? [])]),
    ]);
  }
  for (const e of endpoints) {
    if (e.node === undefined) continue;
    add(e.node, e.hostIP);
    if (!holdsOwnAddresses(e)) for (const ip of e.ips) add(e.node, ip);
  }
  return new Map(
    [...addresses].map(([name, ips]) => [
      name,
      { name, labels: labels.get(name) ?? {}, addresses: [...ips.values()], podCIDRs: podCIDRs.get(name) ?? [] },
    ]),
  );
}
