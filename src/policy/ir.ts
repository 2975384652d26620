import type { Protocol } from '../algebra/connset.js';
import type { IPSet } from '../algebra/ipset.js';
import type { PortSet } from '../algebra/portset.js';
import type { Selector } from '../algebra/selector.js';
import type { EndpointKind } from '../model/endpoints.js';
import { type Location } from '../util/location.js';
import { objectKey } from '../resources/source.js';

/**
 * The policy IR: what every policy kind is normalised into. Engines read
 * only this; the meaning of the source fields is decided once, in policy/.
 */

export type Direction = 'ingress' | 'egress';

/**
 * Which endpoints a selector may pick. Kubernetes policies select pods;
 * an Ironcore policy selects network interfaces of its network, and its
 * peers pick objects of the kinds they name in that network.
 */
export interface Scope {
  readonly kinds: readonly EndpointKind[];
  readonly network?: string;
}

export const POD_SCOPE: Scope = { kinds: ['Pod'] };

export const inScope = (
  scope: Scope | undefined,
  endpoint: { readonly kind: EndpointKind; readonly network?: string },
): boolean => {
  const { kinds, network } = scope ?? POD_SCOPE;
  return kinds.includes(endpoint.kind) && (network === undefined || endpoint.network === network);
};

export type PolicyKind =
  | 'NetworkPolicy'
  /** The legacy DefaultDeny annotation of a namespace, seen as a policy. */
  | 'NamespaceIsolation'
  | 'IroncoreNetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy'
  | 'ClusterNetworkPolicy';

export interface PolicyRef {
  readonly kind: PolicyKind;
  /** Absent for a cluster-wide policy. */
  readonly namespace?: string;
  readonly name: string;
  readonly origin: Location;
  /** The Ironcore network the policy regulates. */
  readonly network?: string;
}

export interface RuleRef {
  readonly policy: PolicyRef;
  readonly direction: Direction;
  readonly index: number;
  /** The rule's own name, where the kind gives rules names (the cluster-wide tiers). */
  readonly name?: string;
  readonly origin: Location;
}

/**
 * Where a policy stands in the order of evaluation, per direction: the admin tier first (by priority, lower
 * first), then the namespaced policies, then the baseline tier, then the default, which allows.
 */
export type Tier = 'admin' | 'namespaced' | 'baseline';

/** `pass` hands the traffic to the next tier: from admin to the namespaced policies, from baseline to the default. */
export type Action = 'allow' | 'deny' | 'pass';

/** Which namespaces a selector peer looks in. */
export type NamespaceMatch =
  { readonly kind: 'same'; readonly namespace: string } | { readonly kind: 'selector'; readonly selector: Selector };

/** Endpoints chosen by labels: `podSelector` and/or `namespaceSelector` in one peer, which AND. */
export interface SelectorPeer {
  readonly kind: 'selector';
  readonly namespaces: NamespaceMatch;
  readonly pods: Selector;
  /** The selectors the source wrote (`pods` is everything when it wrote none), for translations named after them. */
  readonly written?: readonly ('namespaceSelector' | 'podSelector')[];
  /** Pods when absent. */
  readonly scope?: Scope;
  readonly origin: Location;
}

/** Addresses: an ipBlock's cidr minus its excepts, or the networks of a cluster-wide policy. */
export interface IPBlockPeer {
  readonly kind: 'ipBlock';
  readonly ips: IPSet;
  readonly cidr: string;
  readonly except: readonly string[];
  /**
   * Whether the addresses of pods count: as the engine option says for a NetworkPolicy ipBlock (upstream leaves
   * it to implementations), always for a cluster-wide policy's `networks` ("cluster-internal traffic will be
   * checked against the rule as well").
   */
  readonly podAddresses: 'by-option' | 'always';
  readonly origin: Location;
}

/** The addresses of the nodes whose labels a selector matches (and so the pods in their network). */
export interface NodesPeer {
  readonly kind: 'nodes';
  readonly nodes: Selector;
  readonly origin: Location;
}

/**
 * Destinations by DNS name: an exact name, or `*.` and a suffix that stands for one or more labels. Which
 * addresses they are is known only to the cluster's DNS at the time of the connection, so analysis never
 * takes an address for one; it says what such a rule allows and that it depends on DNS.
 */
export interface DomainsPeer {
  readonly kind: 'domains';
  readonly names: readonly string[];
  readonly origin: Location;
}

export type Peer = SelectorPeer | IPBlockPeer | NodesPeer | DomainsPeer;

/** Numbered ports (a single port, an endPort range, or every port) of one protocol. */
export interface NumberedPorts {
  readonly kind: 'numbered';
  readonly protocol: Protocol;
  readonly ports: PortSet;
  readonly origin: Location;
}

/**
 * A container port name, resolved on each destination endpoint. A NetworkPolicy names the protocol too; the
 * cluster-wide tiers name the port alone, and it means the container port's own protocol (`protocol` absent).
 */
export interface NamedPort {
  readonly kind: 'named';
  readonly protocol?: Protocol;
  readonly name: string;
  readonly origin: Location;
}

export type PortMatch = NumberedPorts | NamedPort;

export interface Rule {
  readonly ref: RuleRef;
  readonly action: Action;
  /** `any`: the rule names no peers and so matches every source or destination, inside or outside the cluster. */
  readonly peers: 'any' | readonly Peer[];
  /** `any`: every port of every protocol. */
  readonly ports: 'any' | readonly PortMatch[];
}

/** The endpoints a policy is about: those of one namespace (a namespaced policy) or of namespaces by labels. */
export interface Subject {
  readonly namespaces: NamespaceMatch;
  readonly pods: Selector;
  /** Where the source selects them (a NetworkPolicy's podSelector). */
  readonly origin?: Location;
}

export interface Policy {
  readonly ref: PolicyRef;
  readonly tier: Tier;
  /** Within the admin or baseline tier, lower is evaluated first; 0 for namespaced policies. */
  readonly priority: number;
  /** The namespace of a namespaced policy, whose endpoints alone it may select. */
  readonly namespace?: string;
  readonly subject: Subject;
  /** Pods when absent. */
  readonly scope?: Scope;
  /**
   * A namespaced policy has ingress rules exactly when it isolates its subjects for ingress, and then they are
   * what it allows. A tiered policy's rules are read as they are: first match decides, selecting isolates nothing.
   */
  readonly ingress?: readonly Rule[];
  readonly egress?: readonly Rule[];
}

/**
 * A key that two peers share exactly when they match the same remotes: the ipBlock's text, or what a selector
 * picks, where, and of which kinds in which network. Caches of peer matches are keyed by it, so it must tell
 * an Ironcore load balancer peer from an interface peer (or a pod selector) with the same labels.
 */
export function peerKey(peer: Peer): string {
  let key = peerKeys.get(peer);
  if (key === undefined) peerKeys.set(peer, (key = keyOf(peer)));
  return key;
}

/** Keys by peer: peers are immutable, and a large policy asks for the same peer's key many times. */
const peerKeys = new WeakMap<Peer, string>();

function keyOf(peer: Peer): string {
  if (peer.kind === 'ipBlock') {
    const pods = peer.podAddresses === 'always' ? '/pods-always' : '';
    return `ipBlock/${peer.cidr}/${peer.except.join(',')}${pods}`;
  }
  if (peer.kind === 'nodes') return `nodes/${peer.nodes}`;
  if (peer.kind === 'domains') return `domains/${peer.names.join(',')}`;
  const namespaces =
    peer.namespaces.kind === 'same' ? `ns=${peer.namespaces.namespace}` : `nsSelector=${peer.namespaces.selector}`;
  const scope = peer.scope === undefined ? '' : `/${peer.scope.kinds.join(',')}@${peer.scope.network ?? ''}`;
  return `selector/${namespaces}/${peer.pods}${scope}`;
}

export const policyName = (ref: PolicyRef): string => objectKey(ref);
export const ruleName = (ref: RuleRef): string =>
  `${policyName(ref.policy)} ${ref.direction}[${ref.index}]${ref.name === undefined ? '' : ` ${ref.name}`}`;

/** A rule's peer in words: the ipBlock, or what a selector picks and where. */
export function describeRulePeer(peer: Peer): string {
  if (peer.kind === 'ipBlock') {
    if (peer.podAddresses === 'always') return `networks ${peer.cidr}`;
    return `ipBlock ${peer.cidr}${peer.except.length ? ` except ${peer.except.join(', ')}` : ''}`;
  }
  if (peer.kind === 'nodes') return `nodes ${peer.nodes}`;
  if (peer.kind === 'domains') return `domain names ${peer.names.join(', ')}`;
  const where =
    peer.namespaces.kind === 'same'
      ? `namespace ${peer.namespaces.namespace}`
      : `namespaces ${peer.namespaces.selector}`;
  if (peer.scope === undefined) return `pods ${peer.pods} in ${where}`;
  return `${peer.scope.kinds.join('/')} ${peer.pods} in ${where}, network ${peer.scope.network}`;
}
