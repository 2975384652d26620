import type { Protocol } from '../algebra/connset.js';
import type { IPSet } from '../algebra/ipset.js';
import type { PortSet } from '../algebra/portset.js';
import type { Selector } from '../algebra/selector.js';
import { type Location, objectKey } from '../model/source.js';

/**
 * The policy IR: what every policy kind is normalised into. Engines read
 * only this; the meaning of the source fields is decided once, in policy/.
 */

export type Direction = 'ingress' | 'egress';

/** What can be an endpoint: Kubernetes pods, and Ironcore's network interfaces, load balancers and virtual IPs. */
export type EndpointKind = 'Pod' | 'NetworkInterface' | 'LoadBalancer' | 'VirtualIP';

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

export interface PolicyRef {
  /** NamespaceIsolation: the legacy DefaultDeny annotation of a namespace, seen as a policy. */
  readonly kind: 'NetworkPolicy' | 'NamespaceIsolation' | 'IroncoreNetworkPolicy';
  readonly namespace: string;
  readonly name: string;
  readonly origin: Location;
  /** The Ironcore network the policy regulates. */
  readonly network?: string;
}

export interface RuleRef {
  readonly policy: PolicyRef;
  readonly direction: Direction;
  readonly index: number;
  readonly origin: Location;
}

/** Which namespaces a selector peer looks in. */
export type NamespaceMatch =
  { readonly kind: 'same'; readonly namespace: string } | { readonly kind: 'selector'; readonly selector: Selector };

/** Endpoints chosen by labels: `podSelector` and/or `namespaceSelector` in one peer, which AND. */
export interface SelectorPeer {
  readonly kind: 'selector';
  readonly namespaces: NamespaceMatch;
  readonly pods: Selector;
  /** Pods when absent. */
  readonly scope?: Scope;
  readonly origin: Location;
}

/** Addresses: an ipBlock's cidr minus its excepts. */
export interface IPBlockPeer {
  readonly kind: 'ipBlock';
  readonly ips: IPSet;
  readonly cidr: string;
  readonly except: readonly string[];
  readonly origin: Location;
}

export type Peer = SelectorPeer | IPBlockPeer;

/** Numbered ports (a single port, an endPort range, or every port) of one protocol. */
export interface NumberedPorts {
  readonly kind: 'numbered';
  readonly protocol: Protocol;
  readonly ports: PortSet;
  readonly origin: Location;
}

/** A container port name, resolved on each destination endpoint. */
export interface NamedPort {
  readonly kind: 'named';
  readonly protocol: Protocol;
  readonly name: string;
  readonly origin: Location;
}

export type PortMatch = NumberedPorts | NamedPort;

export interface Rule {
  readonly ref: RuleRef;
  readonly action: 'allow';
  /** `any`: the rule names no peers and so matches every source or destination, inside or outside the cluster. */
  readonly peers: 'any' | readonly Peer[];
  /** `any`: every port of every protocol. */
  readonly ports: 'any' | readonly PortMatch[];
}

export interface Policy {
  readonly ref: PolicyRef;
  readonly tier: 'namespaced';
  readonly namespace: string;
  /** Selects the endpoints of `namespace` the policy applies to. */
  readonly subject: Selector;
  /** Pods when absent. */
  readonly scope?: Scope;
  /** Present exactly when the policy isolates its subjects for ingress; then these rules are what it allows. */
  readonly ingress?: readonly Rule[];
  readonly egress?: readonly Rule[];
}

/**
 * A key that two peers share exactly when they match the same remotes: the ipBlock's text, or what a selector
 * picks, where, and of which kinds in which network. Caches of peer matches are keyed by it, so it must tell
 * an Ironcore load balancer peer from an interface peer (or a pod selector) with the same labels.
 */
export function peerKey(peer: Peer): string {
  if (peer.kind === 'ipBlock') return `ipBlock/${peer.cidr}/${peer.except.join(',')}`;
  const namespaces =
    peer.namespaces.kind === 'same' ? `ns=${peer.namespaces.namespace}` : `nsSelector=${peer.namespaces.selector}`;
  const scope = peer.scope === undefined ? '' : `/${peer.scope.kinds.join(',')}@${peer.scope.network ?? ''}`;
  return `selector/${namespaces}/${peer.pods}${scope}`;
}

export const policyName = (ref: PolicyRef): string => objectKey(ref);
export const ruleName = (ref: RuleRef): string => `${policyName(ref.policy)} ${ref.direction}[${ref.index}]`;

/** A rule's peer in words: the ipBlock, or what a selector picks and where. */
export function describeRulePeer(peer: Peer): string {
  if (peer.kind === 'ipBlock')
    return `ipBlock ${peer.cidr}${peer.except.length ? ` except ${peer.except.join(', ')}` : ''}`;
  const where =
    peer.namespaces.kind === 'same'
      ? `namespace ${peer.namespaces.namespace}`
      : `namespaces ${peer.namespaces.selector}`;
  if (peer.scope === undefined) return `pods ${peer.pods} in ${where}`;
  return `${peer.scope.kinds.join('/')} ${peer.pods} in ${where}, network ${peer.scope.network}`;
}
