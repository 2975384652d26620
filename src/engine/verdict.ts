import { ConnSet, type Protocol } from '../algebra/connset.js';
import type { IPAddress } from '../algebra/ip.js';
import { type Cluster, addressKey } from '../model/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import {
  type Direction,
  type Peer,
  type Policy,
  type PolicyRef,
  type PortMatch,
  type Rule,
  type RuleRef,
  type SelectorPeer,
  inScope,
} from '../policy/ir.js';
import { namedPortNumbers } from '../policy/named-port.js';

/**
 * The behaviours upstream leaves to implementations, as switches. The
 * defaults follow the upstream e2e expectations.
 */
export interface EngineOptions {
  /** An ipBlock matches a pod whose known IP lies inside it (Calico, upstream e2e). False: Cilium's default. */
  readonly ipBlockMatchesPodIPs: boolean;
  /** Traffic between a pod and its own node is allowed, both ways. Ingress from the node is always allowed. */
  readonly allowEgressToLocalNode: boolean;
}

export const defaultEngineOptions: EngineOptions = { ipBlockMatchesPodIPs: true, allowEgressToLocalNode: true };

/** One end of a flow: an endpoint (with the address the flow uses, if known), or an address outside every endpoint. */
export type FlowPeer =
  | { readonly kind: 'endpoint'; readonly endpoint: Endpoint; readonly ip: IPAddress | undefined }
  | { readonly kind: 'external'; readonly ip: IPAddress };

export interface Flow {
  readonly src: FlowPeer;
  readonly dst: FlowPeer;
  readonly protocol: Protocol;
  readonly port: number;
}

export type DirectionReason =
  | 'not-an-endpoint' // the side is outside the cluster; NetworkPolicy says nothing about it
  | 'host-network' // hostNetwork pods are node traffic
  | 'local-node' // traffic between a pod and its own node
  | 'not-isolated' // no policy selects the endpoint for this direction
  | 'allowed-by-rule'
  | 'no-rule-allows';

export interface DirectionVerdict {
  readonly direction: Direction;
  readonly allowed: boolean;
  readonly reason: DirectionReason;
  /** The policies that select the endpoint for this direction. */
  readonly isolatedBy: readonly PolicyRef[];
  /** Every rule that allows the flow, in policy order. */
  readonly allowedBy: readonly RuleRef[];
}

export interface Verdict {
  readonly flow: Flow;
  readonly allowed: boolean;
  /** Set when the flow never reaches policy: a pod talking to itself. */
  readonly self: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

/** Decides one flow: the source's egress and the destination's ingress must both allow it. */
export function decide(cluster: Cluster, flow: Flow, options: EngineOptions = defaultEngineOptions): Verdict {
  if (isSelf(flow)) {
    const open = (direction: Direction): DirectionVerdict => ({
      direction,
      allowed: true,
      reason: 'not-isolated',
      isolatedBy: [],
      allowedBy: [],
    });
    return { flow, allowed: true, self: true, egress: open('egress'), ingress: open('ingress') };
  }
  const egress = decideDirection(cluster, flow, 'egress', options);
  const ingress = decideDirection(cluster, flow, 'ingress', options);
  return { flow, allowed: egress.allowed && ingress.allowed, self: false, egress, ingress };
}

function decideDirection(cluster: Cluster, flow: Flow, direction: Direction, options: EngineOptions): DirectionVerdict {
  const [local, remote] = direction === 'egress' ? [flow.src, flow.dst] : [flow.dst, flow.src];
  const outcome = (
    allowed: boolean,
    reason: DirectionReason,
    isolatedBy: PolicyRef[] = [],
    allowedBy: RuleRef[] = [],
  ) => ({
    direction,
    allowed,
    reason,
    isolatedBy,
    allowedBy,
  });
  if (local.kind === 'external') return outcome(true, 'not-an-endpoint');
  const endpoint = local.endpoint;
  if (endpoint.hostNetwork) return outcome(true, 'host-network');
  if ((direction === 'ingress' || options.allowEgressToLocalNode) && isOwnNode(cluster, endpoint, remote)) {
    return outcome(true, 'local-node');
  }
  const isolating = isolatingPolicies(cluster, endpoint, direction);
  if (isolating.length === 0) return outcome(true, 'not-isolated');
  const allowedBy = isolating.flatMap((p) =>
    p[direction]!.filter((rule) => ruleAllows(cluster, rule, flow, remote, options)),
  );
  return outcome(
    allowedBy.length > 0,
    allowedBy.length > 0 ? 'allowed-by-rule' : 'no-rule-allows',
    isolating.map((p) => p.ref),
    allowedBy.map((r) => r.ref),
  );
}

/** The policies that select the endpoint and isolate it for the direction. */
export function isolatingPolicies(cluster: Cluster, endpoint: Endpoint, direction: Direction): Policy[] {
  if (endpoint.hostNetwork) return [];
  return (cluster.policiesByNamespace.get(endpoint.namespace) ?? []).filter(
    (p) => p[direction] !== undefined && inScope(p.scope, endpoint) && p.subject.matches(endpoint.labels),
  );
}

function ruleAllows(cluster: Cluster, rule: Rule, flow: Flow, remote: FlowPeer, options: EngineOptions): boolean {
  return (
    rulePeersMatch(cluster, rule, remote, options) &&
    (rule.ports === 'any' || rule.ports.some((port) => portMatches(port, flow)))
  );
}

export function rulePeersMatch(cluster: Cluster, rule: Rule, remote: FlowPeer, options: EngineOptions): boolean {
  return rule.peers === 'any' || rule.peers.some((peer) => peerMatchesRemote(cluster, peer, remote, options));
}

/**
 * Everything one direction allows between a local endpoint and a remote
 * peer, as connections rather than one verdict: what `decide` answers for
 * each port at once. The local node and hostNetwork are not special here;
 * callers that ask about them use `decide`.
 */
export function directionConns(
  cluster: Cluster,
  local: Endpoint,
  remote: FlowPeer,
  direction: Direction,
  options: EngineOptions = defaultEngineOptions,
): ConnSet {
  const isolating = isolatingPolicies(cluster, local, direction);
  if (isolating.length === 0) return ConnSet.all;
  const dst = direction === 'ingress' ? local : remote.kind === 'endpoint' ? remote.endpoint : undefined;
  let conns = ConnSet.none;
  for (const policy of isolating) {
    for (const rule of policy[direction]!) {
      if (rulePeersMatch(cluster, rule, remote, options)) conns = conns.union(rulePortConns(rule, dst));
    }
  }
  return conns;
}

export function peerMatchesRemote(cluster: Cluster, peer: Peer, remote: FlowPeer, options: EngineOptions): boolean {
  if (peer.kind === 'ipBlock') {
    if (remote.kind === 'external') return peer.ips.hasAddress(remote.ip);
    const addressUsable = options.ipBlockMatchesPodIPs || remote.endpoint.hostNetwork;
    return addressUsable && remote.ip !== undefined && peer.ips.hasAddress(remote.ip);
  }
  if (remote.kind === 'external' || remote.endpoint.hostNetwork) return false;
  return selectorPeerMatches(cluster, peer, remote.endpoint);
}

export function selectorPeerMatches(cluster: Cluster, peer: SelectorPeer, endpoint: Endpoint): boolean {
  return (
    inScope(peer.scope, endpoint) &&
    peerNamespaceMatches(cluster, peer, endpoint.namespace) &&
    peer.pods.matches(endpoint.labels)
  );
}

/** Whether a selector peer looks in a namespace: its own with podSelector alone, else by namespace labels. */
export function peerNamespaceMatches(cluster: Cluster, peer: SelectorPeer, namespace: string): boolean {
  return peer.namespaces.kind === 'same'
    ? namespace === peer.namespaces.namespace
    : peer.namespaces.selector.matches(cluster.namespaces.get(namespace)?.labels ?? {});
}

/**
 * The connections a port match allows towards one destination. Named ports
 * resolve there: the container ports with that name and protocol. A
 * destination outside the cluster has no names, so a named port allows nothing.
 */
export function portMatchConns(match: PortMatch, dst: Endpoint | undefined): ConnSet {
  if (match.kind === 'numbered') return ConnSet.of(match.protocol, match.ports);
  return namedPortNumbers(dst?.ports ?? [], match.name, match.protocol).reduce(
    (conns, port) => conns.union(ConnSet.port(match.protocol, port)),
    ConnSet.none,
  );
}

/** The connections a rule's port list allows towards one destination. */
export function rulePortConns(rule: Rule, dst: Endpoint | undefined): ConnSet {
  if (rule.ports === 'any') return ConnSet.all;
  return rule.ports.reduce((conns, match) => conns.union(portMatchConns(match, dst)), ConnSet.none);
}

export function portMatches(match: PortMatch, flow: Flow): boolean {
  if (match.protocol !== flow.protocol) return false;
  if (match.kind === 'numbered') return match.ports.has(flow.port);
  return portMatchConns(match, flow.dst.kind === 'endpoint' ? flow.dst.endpoint : undefined).has(
    flow.protocol,
    flow.port,
  );
}

/**
 * A pod talking to itself: the same endpoint, or an endpoint and its own address. Two endpoints that share an
 * address (pods in their node's network, taken as pods) are two pods, and policy decides between them.
 */
function isSelf(flow: Flow): boolean {
  const { src, dst } = flow;
  if (src.kind === 'endpoint' && dst.kind === 'endpoint') return src.endpoint === dst.endpoint;
  return src.ip !== undefined && dst.ip !== undefined && addressKey(src.ip) === addressKey(dst.ip);
}

function isOwnNode(cluster: Cluster, endpoint: Endpoint, remote: FlowPeer): boolean {
  if (endpoint.node === undefined || remote.ip === undefined) return false;
  if (remote.kind === 'endpoint' && !remote.endpoint.hostNetwork) return false;
  const node = cluster.nodes.get(endpoint.node);
  return node?.addresses.some((a) => addressKey(a) === addressKey(remote.ip!)) ?? false;
}
