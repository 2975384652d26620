import { ConnSet, PROTOCOLS, type Protocol } from '../algebra/connset.js';
import type { IPAddress } from '../algebra/ip.js';
import { IPSet } from '../algebra/ipset.js';
import { type Cluster } from './cluster.js';
import { addressKey } from '../model/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import {
  type Direction,
  type IPBlockPeer,
  type NamedPort,
  type Peer,
  type Policy,
  type PortMatch,
  type Rule,
  type SelectorPeer,
  type Tier,
  inScope,
} from './ir.js';
import { namedPortNumbers } from './named-port.js';

/**
 * The policy evaluator: which policies apply to an endpoint, which remotes a
 * rule's peers match, which connections its ports allow, and how the tiers
 * combine. Every consumer (verdicts, connectivity, lint, exposure and the
 * renderers) asks these functions instead of deciding again.
 */

/** The behaviours upstream leaves to implementations, as switches. The defaults follow the upstream e2e tests. */
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

// ---- Subjects -------------------------------------------------------------------------------------------------

/** Whether a policy is about an endpoint. Pods in their node's network are node traffic: no policy selects them. */
export function selects(cluster: Cluster, policy: Policy, endpoint: Endpoint): boolean {
  return (
    !endpoint.hostNetwork &&
    inScope(policy.scope, endpoint) &&
    namespaceMatches(cluster, policy.subject.namespaces, endpoint.namespace) &&
    policy.subject.pods.matches(endpoint.labels)
  );
}

/** The policies that apply to an endpoint in one direction, tier by tier, each tier in the order it is walked. */
export interface AppliedPolicies {
  /** By priority, lower first; equal priorities by name. */
  readonly admin: readonly Policy[];
  /** The namespaced policies that isolate the endpoint for the direction; their order does not matter. */
  readonly namespaced: readonly Policy[];
  readonly baseline: readonly Policy[];
}

const NONE: AppliedPolicies = { admin: [], namespaced: [], baseline: [] };

export function appliedPolicies(cluster: Cluster, endpoint: Endpoint, direction: Direction): AppliedPolicies {
  if (endpoint.hostNetwork) return NONE;
  const applies = (p: Policy): boolean => p[direction] !== undefined && selects(cluster, p, endpoint);
  const namespaced = (cluster.policiesByNamespace.get(endpoint.namespace) ?? []).filter(applies);
  const { admin, baseline } = cluster.tiers;
  if (admin.length === 0 && baseline.length === 0) return namespaced.length === 0 ? NONE : { ...NONE, namespaced };
  return { admin: admin.filter(applies), namespaced, baseline: baseline.filter(applies) };
}

/** The namespaced policies that select the endpoint and isolate it for the direction. */
export const isolatingPolicies = (cluster: Cluster, endpoint: Endpoint, direction: Direction): readonly Policy[] =>
  appliedPolicies(cluster, endpoint, direction).namespaced;

// ---- Peers ----------------------------------------------------------------------------------------------------

export function peerMatches(cluster: Cluster, peer: Peer, remote: FlowPeer, options: EngineOptions): boolean {
  switch (peer.kind) {
    case 'ipBlock': {
      if (remote.kind === 'external') return peer.ips.hasAddress(remote.ip);
      const usable = peer.podAddresses === 'always' || options.ipBlockMatchesPodIPs || remote.endpoint.hostNetwork;
      return usable && remote.ip !== undefined && peer.ips.hasAddress(remote.ip);
    }
    case 'nodes':
      return remote.ip !== undefined && isNodeAddress(cluster, peer.nodes, remote);
    case 'domains':
      // An address is a name's only as DNS answers at the time; analysis never assumes it.
      return false;
    case 'selector':
      if (remote.kind === 'external' || remote.endpoint.hostNetwork) return false;
      return selectorPeerMatches(cluster, peer, remote.endpoint);
  }
}

/** A node peer matches the addresses of the nodes it selects: pods in their network share them. */
function isNodeAddress(cluster: Cluster, nodes: Policy['subject']['pods'], remote: FlowPeer): boolean {
  if (remote.kind === 'endpoint' && !remote.endpoint.hostNetwork) return false;
  const key = addressKey(remote.ip!);
  for (const node of cluster.nodes.values()) {
    if (nodes.matches(node.labels) && node.addresses.some((a) => addressKey(a) === key)) return true;
  }
  return false;
}

/**
 * The addresses an ipBlock peer matches, as a set: its own, or, when pods are not matched by address (Cilium's
 * mode, for a NetworkPolicy ipBlock), its own without those of the cluster's pods.
 */
export function ipBlockAddresses(cluster: Cluster, peer: IPBlockPeer, options: EngineOptions): IPSet {
  if (peer.podAddresses === 'always' || options.ipBlockMatchesPodIPs) return peer.ips;
  return peer.ips.subtract(IPSet.fromAddresses(cluster.endpoints.filter((e) => !e.hostNetwork).flatMap((e) => e.ips)));
}

export function selectorPeerMatches(cluster: Cluster, peer: SelectorPeer, endpoint: Endpoint): boolean {
  return (
    inScope(peer.scope, endpoint) &&
    peerNamespaceMatches(cluster, peer, endpoint.namespace) &&
    peer.pods.matches(endpoint.labels)
  );
}

/** Whether a selector peer looks in a namespace: its own with podSelector alone, else by namespace labels. */
export const peerNamespaceMatches = (cluster: Cluster, peer: SelectorPeer, namespace: string): boolean =>
  namespaceMatches(cluster, peer.namespaces, namespace);

function namespaceMatches(cluster: Cluster, match: SelectorPeer['namespaces'], namespace: string): boolean {
  return match.kind === 'same'
    ? namespace === match.namespace
    : match.selector.matches(cluster.namespaces.get(namespace)?.labels ?? {});
}

export function rulePeersMatch(cluster: Cluster, rule: Rule, remote: FlowPeer, options: EngineOptions): boolean {
  return rule.peers === 'any' || rule.peers.some((peer) => peerMatches(cluster, peer, remote, options));
}

// ---- Ports ----------------------------------------------------------------------------------------------------

/**
 * The connections a port match allows towards one destination. Named ports resolve there: the container ports
 * with that name and protocol. A destination outside the cluster has no names, so a named port allows nothing.
 */
export function portMatchConns(match: PortMatch, dst: Endpoint | undefined): ConnSet {
  if (match.kind === 'numbered') return ConnSet.of(match.protocol, match.ports);
  if (dst === undefined) return ConnSet.none;
  return namedPortEntries(match, dst).reduce((conns, e) => conns.union(ConnSet.port(e.protocol, e.port)), ConnSet.none);
}

/** What a named port means on one endpoint: each protocol and number its container ports give that name. */
export function namedPortEntries(match: NamedPort, dst: Endpoint): { protocol: Protocol; port: number }[] {
  const protocols = match.protocol === undefined ? PROTOCOLS : [match.protocol];
  return protocols.flatMap((protocol) =>
    namedPortNumbers(dst.ports, match.name, protocol).map((port) => ({ protocol, port })),
  );
}

/** The connections a rule's port list allows towards one destination. */
export function rulePortConns(rule: Rule, dst: Endpoint | undefined): ConnSet {
  if (rule.ports === 'any') return ConnSet.all;
  return rule.ports.reduce((conns, match) => conns.union(portMatchConns(match, dst)), ConnSet.none);
}

// ---- Combination ----------------------------------------------------------------------------------------------

/** What one rule of the admin or baseline tier decided: the connections it was the first to match. */
export interface RuleStep {
  readonly tier: Exclude<Tier, 'namespaced'>;
  readonly policy: Policy;
  readonly rule: Rule;
  readonly conns: ConnSet;
}

/** What the namespaced policies decided for the connections that reached them. */
export interface NamespacedStep {
  readonly tier: 'namespaced';
  readonly isolatedBy: readonly Policy[];
  /** The rules that allow some of the connections, each with what it allows of them. */
  readonly allowedBy: readonly { readonly rule: Rule; readonly conns: ConnSet }[];
  /** Allowed because the remote is the endpoint's own node, which no namespaced policy can block. */
  readonly localNode: boolean;
  readonly conns: ConnSet;
}

/** Connections no policy decided, which the default allows. */
export interface DefaultStep {
  readonly tier: 'default';
  readonly conns: ConnSet;
  /** The remote is the endpoint's own node (said, since a namespaced policy could not have blocked it anyway). */
  readonly localNode: boolean;
}

export type Step = RuleStep | NamespacedStep | DefaultStep;

/** A rule with domain-name peers that comes before whatever decides: it allows more if the address is the name's. */
export interface DomainNote {
  readonly policy: Policy;
  readonly rule: Rule;
  readonly conns: ConnSet;
}

export interface DirectionOutcome {
  readonly allowed: ConnSet;
  /** In the order they were walked; each covers the connections it decided, so together they cover what was asked. */
  readonly steps: readonly Step[];
  readonly domainNotes: readonly DomainNote[];
}

/** How one remote looks to a local endpoint's rules: what each rule matches of it. */
export interface RemoteView {
  /** The connections the rule would take for this remote: its ports towards the destination if its peers match. */
  ruleConns(rule: Rule): ConnSet;
  /** The connections the rule would take if the remote's address were one of its domain names. */
  domainConns(rule: Rule): ConnSet;
  /**
   * What the namespaced policies' rules allow this remote, all together, when the caller knows it already;
   * then the outcome names no rules (connectivity wants the connections, not the explanation).
   */
  namespacedConns?(): ConnSet;
  /** Whether the remote is the local endpoint's own node. */
  readonly localNode: boolean;
}

const NO_STEPS: readonly Step[] = [];
const NO_NOTES: readonly DomainNote[] = [];

/**
 * The order of evaluation for one direction, as the cluster-wide policy APIs define it: the admin tier's rules,
 * by priority and in order, where the first match decides (allow and deny are final, pass hands over to the
 * namespaced policies); then the namespaced policies, which decide everything for an endpoint they isolate (a
 * connection is allowed when some rule allows it, or when it is with the endpoint's own node); then the
 * baseline tier, first match deciding; then the default, which allows.
 */
export function combine(
  applied: AppliedPolicies,
  direction: Direction,
  view: RemoteView,
  wanted: ConnSet = ConnSet.all,
): DirectionOutcome {
  if (applied.admin.length === 0 && applied.baseline.length === 0 && view.namespacedConns !== undefined) {
    // Namespaced policies alone, matched by the caller: the common case of connectivity, kept free of steps.
    if (applied.namespaced.length === 0 || view.localNode)
      return { allowed: wanted, steps: NO_STEPS, domainNotes: NO_NOTES };
    const conns = view.namespacedConns();
    const allowed = wanted === ConnSet.all ? conns : wanted.intersect(conns);
    return { allowed, steps: NO_STEPS, domainNotes: NO_NOTES };
  }
  const steps: Step[] = [];
  const domainNotes: DomainNote[] = [];
  let allowed = ConnSet.none;
  let rest = wanted;
  const walk = (tier: 'admin' | 'baseline', policies: readonly Policy[]): ConnSet => {
    let passed = ConnSet.none;
    for (const policy of policies) {
      for (const rule of policy[direction] ?? []) {
        if (rest.isEmpty()) return passed;
        const ifDomain = view.domainConns(rule).intersect(rest);
        if (!ifDomain.isEmpty()) domainNotes.push({ policy, rule, conns: ifDomain });
        const conns = view.ruleConns(rule).intersect(rest);
        if (conns.isEmpty()) continue;
        steps.push({ tier, policy, rule, conns });
        rest = rest.subtract(conns);
        if (rule.action === 'allow') allowed = allowed.union(conns);
        else if (rule.action === 'pass') passed = passed.union(conns);
      }
    }
    return passed;
  };
  const passed = walk('admin', applied.admin);
  rest = rest.union(passed);
  if (applied.namespaced.length > 0 && !rest.isEmpty()) {
    const allowedBy =
      view.localNode || view.namespacedConns !== undefined
        ? []
        : applied.namespaced.flatMap((p) =>
            p[direction]!.flatMap((rule) => {
              const conns = view.ruleConns(rule).intersect(rest);
              return conns.isEmpty() ? [] : [{ rule, conns }];
            }),
          );
    const allowedHere = view.localNode
      ? rest
      : view.namespacedConns !== undefined
        ? rest.intersect(view.namespacedConns())
        : allowedBy.reduce((all, a) => all.union(a.conns), ConnSet.none);
    steps.push({
      tier: 'namespaced',
      isolatedBy: applied.namespaced,
      allowedBy,
      localNode: view.localNode,
      conns: rest,
    });
    allowed = allowed.union(allowedHere);
    rest = ConnSet.none;
  }
  // A pass in the baseline tier hands over to the default, which allows.
  const passedToDefault = walk('baseline', applied.baseline);
  allowed = allowed.union(passedToDefault);
  if (!rest.isEmpty()) {
    steps.push({ tier: 'default', conns: rest, localNode: view.localNode });
    allowed = allowed.union(rest);
  }
  return { allowed, steps, domainNotes };
}

/** A remote as a rule sees it, matched directly: for one flow, or one pair of endpoints. */
export function directView(
  cluster: Cluster,
  local: Endpoint,
  remote: FlowPeer,
  direction: Direction,
  options: EngineOptions,
): RemoteView {
  const dst = direction === 'ingress' ? local : remote.kind === 'endpoint' ? remote.endpoint : undefined;
  const external = remote.kind === 'external';
  return {
    ruleConns: (rule) => (rulePeersMatch(cluster, rule, remote, options) ? rulePortConns(rule, dst) : ConnSet.none),
    domainConns: (rule) =>
      external && rule.peers !== 'any' && rule.peers.some((p) => p.kind === 'domains')
        ? rulePortConns(rule, undefined)
        : ConnSet.none,
    localNode: (direction === 'ingress' || options.allowEgressToLocalNode) && isOwnNode(cluster, local, remote),
  };
}

/**
 * A destination known only by a DNS name, as a rule sees it: domain-name peers that name it match, and so do
 * peers that match any address at all (every port of every address, or a network that is all of IPv4 or IPv6);
 * no other ipBlock can be said to hold its addresses, nor can a selector. What this allows depends on DNS.
 */
export function domainView(name: string): RemoteView {
  const matchesAnyAddress = (peer: Peer): boolean =>
    peer.kind === 'ipBlock' && peer.except.length === 0 && /\/0$/.test(peer.cidr.trim());
  return {
    ruleConns: (rule) =>
      rule.peers === 'any' ||
      rule.peers.some(
        (p) => matchesAnyAddress(p) || (p.kind === 'domains' && p.names.some((n) => domainMatches(n, name))),
      )
        ? rulePortConns(rule, undefined)
        : ConnSet.none,
    domainConns: () => ConnSet.none,
    localNode: false,
  };
}

/** `*.example.com` matches one or more labels before `.example.com`; any other name matches itself. */
export function domainMatches(pattern: string, name: string): boolean {
  const [p, n] = [pattern.toLowerCase().replace(/\.$/, ''), name.toLowerCase().replace(/\.$/, '')];
  if (!p.startsWith('*.')) return p === n;
  return n.endsWith(p.slice(1)) && n.length > p.length - 1;
}

/** Everything one direction allows between a local endpoint and a remote, and what decided it. */
export function evaluateDirection(
  cluster: Cluster,
  local: Endpoint,
  remote: FlowPeer,
  direction: Direction,
  options: EngineOptions = defaultEngineOptions,
  wanted: ConnSet = ConnSet.all,
): DirectionOutcome {
  const view = directView(cluster, local, remote, direction, options);
  return combine(appliedPolicies(cluster, local, direction), direction, view, wanted);
}

/** The connections one direction allows between a local endpoint and a remote. */
export const directionConns = (
  cluster: Cluster,
  local: Endpoint,
  remote: FlowPeer,
  direction: Direction,
  options: EngineOptions = defaultEngineOptions,
): ConnSet => evaluateDirection(cluster, local, remote, direction, options).allowed;

/** Whether the remote is the local endpoint's own node: one of its addresses, and not a pod of its own. */
export function isOwnNode(cluster: Cluster, endpoint: Endpoint, remote: FlowPeer): boolean {
  if (endpoint.node === undefined || remote.ip === undefined) return false;
  if (remote.kind === 'endpoint' && !remote.endpoint.hostNetwork) return false;
  const node = cluster.nodes.get(endpoint.node);
  return node?.addresses.some((a) => addressKey(a) === addressKey(remote.ip!)) ?? false;
}
