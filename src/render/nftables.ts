import { createHash } from 'node:crypto';
import type { Protocol } from '../algebra/connset.js';
import { type Family, formatAddress, formatIP, parseCIDR } from '../algebra/ip.js';
import type { IPSet } from '../algebra/ipset.js';
import { PortSet } from '../algebra/portset.js';
import {
  type EngineOptions,
  defaultEngineOptions,
  ipBlockAddresses,
  appliedPolicies,
  isolatingPolicies,
  namedPortEntries,
  peerMatches as peerMatchesRemote,
} from '../policy/evaluate.js';
import type { Cluster } from '../policy/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import type { Direction, NamedPort, Peer, Policy, Rule } from '../policy/ir.js';
import { describeRulePeer, peerKey, policyName } from '../policy/ir.js';
import type { MembershipCache } from './membership.js';
import { endpointPatchOf, patchSorted } from '../pipeline/cluster-builder.js';

/**
 * One node's nftables ruleset, as data. Rules stay fixed and membership
 * lives in sets and maps, so that a pod's churn is a change of elements.
 * The semantics come from the engine: isolation, peer matching and named
 * ports are the engine's functions; this module only lays them out.
 */
export interface NftRuleset {
  readonly table: string;
  readonly sets: readonly NftSet[];
  readonly maps: readonly NftMap[];
  /** Regular chains first, base chains last, so every jump target is declared before use. */
  readonly chains: readonly NftChain[];
}

export interface NftSet {
  readonly name: string;
  readonly type: string;
  readonly interval: boolean;
  readonly elements: readonly string[];
  readonly comment?: string;
}

export interface NftMap {
  readonly name: string;
  readonly type: string;
  /** `key : verdict` */
  readonly elements: readonly (readonly [string, string])[];
}

export interface NftChain {
  readonly name: string;
  readonly base?: { readonly hook: 'forward' | 'input'; readonly priority: string; readonly policy: 'accept' };
  readonly rules: readonly string[];
}

export interface NftRenderOptions {
  readonly node: string;
  readonly table?: string;
  /** The node's pod networks: a local address there that no endpoint holds yet is dropped. */
  readonly podCIDRs?: readonly string[];
  readonly engine?: EngineOptions;
  /** Memberships kept from the last render, for an agent that renders again on every change. */
  readonly membership?: MembershipCache;
}

const FAMILIES = [4, 6] as const;
const ADDR: Record<Family, { match: 'ip' | 'ip6'; type: string }> = {
  4: { match: 'ip', type: 'ipv4_addr' },
  6: { match: 'ip6', type: 'ipv6_addr' },
};
const DIRECTIONS = ['egress', 'ingress'] as const;
const TIERS = ['admin', 'baseline'] as const;

/**
 * What a matching rule does to the packet. A namespaced policy's rules all allow; in the admin tier a pass
 * returns to the base chain, which goes on to the namespaced policies; in the baseline tier it hands over to
 * the default, which allows.
 */
function verdictOf(policy: Policy, rule: Rule): string {
  if (rule.action === 'allow') return 'accept';
  if (rule.action === 'deny') return 'drop';
  return policy.tier === 'admin' ? 'return' : 'accept';
}
/** The packet field that names the local endpoint, and the one that names the remote peer. */
const FIELDS: Record<Direction, { local: 'saddr' | 'daddr'; remote: 'saddr' | 'daddr' }> = {
  egress: { local: 'saddr', remote: 'daddr' },
  ingress: { local: 'daddr', remote: 'saddr' },
};

export function buildNftRuleset(cluster: Cluster, options: NftRenderOptions): NftRuleset {
  const engine = options.engine ?? defaultEngineOptions;
  const local = localEndpoints(cluster, options.node);
  const context: RenderContext = { cluster, node: options.node, local, engine, membership: options.membership };
  // Rules for a family no endpoint has would only be noise.
  const families = cluster.families;
  const sets = new SetRegistry();
  const maps: NftMap[] = [];
  const chains: NftChain[] = [];
  const baseChains: NftChain[] = [];

  for (const family of FAMILIES) {
    const addresses = local.flatMap((e) => addressesOf(e, family));
    sets.declare(
      `programmed${family}`,
      ADDR[family].type,
      false,
      addresses,
      'every local endpoint that has been programmed',
    );
    const podNetworks = (options.podCIDRs ?? []).map(parseCIDR).filter((c) => c?.family === family);
    sets.declare(
      `local_pods${family}`,
      ADDR[family].type,
      true,
      podNetworks.map((c) => intervalElement(family, c!.first, c!.last)),
      "the node's pod networks",
    );
  }

  const tiers = TIERS.filter((tier) => cluster.tiers[tier].length > 0);
  const localNode = localNodeEgress(tiers, engine);
  for (const direction of DIRECTIONS) {
    const policyChains = new Map<Policy, string>();
    const endpointChains = new Map<string, string>();
    const dispatch: Record<Family, [string, string][]> = { 4: [], 6: [] };
    for (const endpoint of local) {
      const isolating = isolatingPolicies(cluster, endpoint, direction);
      if (isolating.length === 0) continue; // programmed, not isolated: the lookup misses and the packet goes on
      const key = isolating.map((p) => policyName(p.ref)).join(',');
      let chain = endpointChains.get(key);
      if (chain === undefined) {
        // Chains are named after what they stand for, so that churn changes elements, not chain names.
        chain = `ep_${direction}_${shortHash(key)}`;
        endpointChains.set(key, chain);
        const jumps = isolating.map((policy) => {
          let target = policyChains.get(policy);
          if (target === undefined) {
            target = `pol_${direction}_${shortHash(policyName(policy.ref))}`;
            policyChains.set(policy, target);
            const plan = chainPlan(policy, direction, engine, families);
            for (const set of plan.sets) sets.add(set.name, set.type, set.interval, set.elements(context), set.comment);
            chains.push({ name: target, rules: plan.rules });
          }
          return `jump ${target}`;
        });
        const ownNode = direction === 'egress' && localNode.inChains ? ownNodeRules(context, families, sets) : [];
        chains.push({ name: chain, rules: [...ownNode, ...jumps, 'drop'] });
      }
      for (const ip of endpoint.ips) dispatch[ip.family].push([formatAddress(ip), `jump ${chain}`]);
    }
    for (const family of FAMILIES)
      maps.push({ name: `${direction}${family}`, type: `${ADDR[family].type} : verdict`, elements: dispatch[family] });
    for (const tier of tiers) {
      const tierDispatch = tierChains(context, tier, direction, families, sets, chains);
      for (const family of FAMILIES)
        maps.push({
          name: `${tier}_${direction}${family}`,
          type: `${ADDR[family].type} : verdict`,
          elements: tierDispatch[family],
        });
    }
    baseChains.push(baseChain(direction, 'forward', tiers));
  }
  // A local pod's traffic to its own node is delivered, not forwarded: the input hook walks its egress.
  if (localNode.inputHook) baseChains.push(baseChain('egress', 'input', tiers));
  return { table: options.table ?? 'netpol', sets: sets.all(), maps, chains: [...chains, ...baseChains] };
}

/**
 * The chains of one tier for one direction: one per combination of the tier's policies that some local
 * endpoint is subject to, holding their rules in the order they are walked (a chain per policy would not do:
 * a pass must leave the whole tier, and `return` leaves only the chain it is in). Returns the dispatch.
 */
function tierChains(
  context: RenderContext,
  tier: (typeof TIERS)[number],
  direction: Direction,
  families: readonly Family[],
  sets: SetRegistry,
  chains: NftChain[],
): Record<Family, [string, string][]> {
  const dispatch: Record<Family, [string, string][]> = { 4: [], 6: [] };
  const byKey = new Map<string, string>();
  for (const endpoint of context.local) {
    const policies = appliedPolicies(context.cluster, endpoint, direction)[tier];
    if (policies.length === 0) continue;
    const key = policies.map((p) => `${p.ref.kind}/${policyName(p.ref)}`).join(',');
    let chain = byKey.get(key);
    if (chain === undefined) {
      chain = `${tier}_${direction}_${shortHash(key)}`;
      byKey.set(key, chain);
      const rules = policies.flatMap((policy) => {
        const plan = chainPlan(policy, direction, context.engine, families);
        for (const set of plan.sets) sets.add(set.name, set.type, set.interval, set.elements(context), set.comment);
        return plan.rules;
      });
      chains.push({ name: chain, rules });
    }
    for (const ip of endpoint.ips) dispatch[ip.family].push([formatAddress(ip), `jump ${chain}`]);
  }
  return dispatch;
}

/**
 * How a local endpoint's egress to its own node is enforced. Such a packet is delivered to the node, not
 * forwarded: only the input hook sees it. The evaluator lets the namespaced policies allow it always (an endpoint
 * they isolate may reach its own node while `allowEgressToLocalNode` holds), and the default allows it; so without
 * tiers, and with the option on, nothing can deny it and no input chain is needed (a cluster of NetworkPolicies
 * renders as it always has). Otherwise the input hook walks the egress tiers as the forward hook does, and when
 * the option is on, the chains of the namespaced policies accept the node's own addresses before their rules.
 */
function localNodeEgress(
  tiers: readonly (typeof TIERS)[number][],
  engine: EngineOptions,
): { readonly inputHook: boolean; readonly inChains: boolean } {
  const inputHook = tiers.length > 0 || !engine.allowEgressToLocalNode;
  return { inputHook, inChains: inputHook && engine.allowEgressToLocalNode };
}

/** The rules that accept the node's own addresses, in a chain of namespaced policies for egress. */
function ownNodeRules(context: RenderContext, families: readonly Family[], sets: SetRegistry): string[] {
  const addresses = context.cluster.nodes.get(context.node)?.addresses ?? [];
  return families.map((family) => {
    const own = addresses.filter((ip) => ip.family === family).map(formatAddress);
    sets.add(`node${family}`, ADDR[family].type, false, own, "the node's own addresses");
    return `${ADDR[family].match} daddr @node${family} accept comment "own node"`;
  });
}

/**
 * The base chains. Each walks the tiers in order: the admin tier's dispatch (a rule accepts, drops, or returns
 * here for a pass), then the namespaced policies' (an isolated endpoint's chain ends in a drop), then the
 * baseline tier's; what no chain decides, the policy accepts. On the input hook only local endpoints' egress
 * is looked up: the node's own traffic, and what it receives from elsewhere, are no policy's concern.
 */
function baseChain(
  direction: Direction,
  hook: 'forward' | 'input',
  tiers: readonly (typeof TIERS)[number][] = [],
): NftChain {
  const field = FIELDS[direction].local;
  const dispatch = (name: string): string[] => FAMILIES.map((f) => `${ADDR[f].match} ${field} vmap @${name}${f}`);
  const forward = hook === 'forward';
  return {
    name: forward ? direction : 'input',
    // Egress and ingress are two base chains on one hook: a packet must be accepted by both.
    base: { hook, priority: direction === 'egress' ? 'filter' : 'filter + 10', policy: 'accept' },
    rules: [
      'ct state established,related accept',
      ...(forward ? ['ct state invalid drop'] : []),
      ...FAMILIES.map(
        (f) => `${ADDR[f].match} ${field} @local_pods${f} ${ADDR[f].match} ${field} != @programmed${f} drop`,
      ),
      ...(tiers.includes('admin') ? dispatch(`admin_${direction}`) : []),
      ...dispatch(direction),
      ...(tiers.includes('baseline') ? dispatch(`baseline_${direction}`) : []),
    ],
  };
}

/** What one render knows: everything the elements of a set are computed from. */
interface RenderContext {
  readonly cluster: Cluster;
  readonly node: string;
  readonly local: readonly Endpoint[];
  readonly engine: EngineOptions;
  readonly membership: MembershipCache | undefined;
}

/** A set a policy chain's rules name; its elements are the cluster's of each render. */
interface SetPlan {
  readonly name: string;
  readonly type: string;
  readonly interval: boolean;
  readonly comment: string;
  readonly elements: (context: RenderContext) => readonly string[];
}

/** A policy's chain for one direction: its rules, and the sets they name. */
interface ChainPlan {
  readonly rules: readonly string[];
  readonly sets: readonly SetPlan[];
}

/**
 * Plans by policy: the rules of a policy depend on the policy alone (and on
 * which address families the cluster has), never on who is in its sets,
 * so an agent renders them once and then only fills sets. A set may be
 * empty; its rule stays, and matches nothing until an element comes.
 */
const chainPlans = new WeakMap<Policy, Map<string, ChainPlan>>();

function chainPlan(
  policy: Policy,
  direction: Direction,
  engine: EngineOptions,
  families: readonly Family[],
): ChainPlan {
  let plans = chainPlans.get(policy);
  if (plans === undefined) chainPlans.set(policy, (plans = new Map()));
  const key = `${direction}/${engineKey(engine)}/${families.join(',')}`;
  let plan = plans.get(key);
  if (plan === undefined) plans.set(key, (plan = planChain(policy, direction, engine, families)));
  return plan;
}

/** The rules of one policy for one direction: each accepts what one rule allows, for one family. */
function planChain(
  policy: Policy,
  direction: Direction,
  engine: EngineOptions,
  families: readonly Family[],
): ChainPlan {
  const sets = new Map<string, SetPlan>();
  const use = (set: SetPlan): string => {
    sets.set(set.name, set);
    return set.name;
  };
  const rules = policy[direction]!.flatMap((rule) => {
    const comment = ` comment ${JSON.stringify(`${policyName(policy.ref)} ${direction}[${rule.ref.index}]`)}`;
    const verdict = verdictOf(policy, rule);
    return families.flatMap((family) => {
      const peers = peerMatches(rule, direction, family, engine, use);
      const ports = portMatches(rule, direction, family, use);
      // The port first: a compare rejects most packets before the peer's set is looked up.
      return peers.flatMap((peer) =>
        ports.map((port) => `${[port, peer].filter(Boolean).join(' ')} ${verdict}${comment}`),
      );
    });
  });
  return { rules, sets: [...sets.values()] };
}

/** How a rule's peers appear for one family: `''` for any peer, else a match on a shared set. */
function peerMatches(
  rule: Rule,
  direction: Direction,
  family: Family,
  engine: EngineOptions,
  use: (set: SetPlan) => string,
): string[] {
  if (rule.peers === 'any') return [''];
  const { match, type } = ADDR[family];
  const field = FIELDS[direction].remote;
  // An ipBlock of the other family can never hold an element: no set, no rule. Domain names are resolved by
  // no one here (netpol runs no DNS proxy): a rule of them alone has nothing to match, and is left out.
  return rule.peers.flatMap((peer) =>
    peer.kind === 'domains' || (peer.kind === 'ipBlock' && !peer.ips.ranges().some((r) => r.family === family))
      ? []
      : [
          `${match} ${field} @${use({
            name: `peer${family}_${shortHash(familyPeerKey(peer, family))}`,
            type,
            interval: peer.kind === 'ipBlock',
            comment: describeRulePeer(peer),
            elements: peerElements(peer, family, engine),
          })}`,
        ],
  );
}

function peerElements(
  peer: Peer,
  family: Family,
  engine: EngineOptions,
): (context: RenderContext) => readonly string[] {
  if (peer.kind === 'ipBlock') {
    const format = (ips: IPSet): string[] =>
      ips
        .ranges()
        .filter((r) => r.family === family)
        .map((r) => intervalElement(family, r.first, r.last));
    if (peer.podAddresses === 'always' || engine.ipBlockMatchesPodIPs) {
      const elements = format(peer.ips);
      return () => elements;
    }
    return ({ cluster }) => format(ipBlockAddresses(cluster, peer, engine));
  }
  if (peer.kind === 'nodes') {
    // The addresses of the nodes the peer selects, as the evaluator matches an address to a node.
    return ({ cluster }) =>
      [...cluster.nodes.values()]
        .flatMap((node) => node.addresses.filter((ip) => ip.family === family))
        .filter((ip) => peerMatchesRemote(cluster, peer, { kind: 'external', ip }, engine))
        .map(formatAddress);
  }
  const key = `peer/${familyPeerKey(peer, family)}/${engineKey(engine)}`;
  const contribute = (c: Cluster, e: Endpoint): string[] =>
    peerMatchesRemote(c, peer, { kind: 'endpoint', endpoint: e, ip: undefined }, engine) ? addressesOf(e, family) : [];
  return ({ cluster, membership }) =>
    membership !== undefined
      ? membership.elements(cluster, key, contribute)
      : cluster.endpoints.flatMap((e) => contribute(cluster, e));
}

const addressesOf = (e: Endpoint, family: Family): string[] =>
  e.ips.filter((ip) => ip.family === family).map(formatAddress);
const engineKey = (engine: EngineOptions): string => `${engine.ipBlockMatchesPodIPs}/${engine.allowEgressToLocalNode}`;
/** The endpoints whose addresses a node programs. */
const isLocal = (e: Endpoint, node: string): boolean => e.node === node && !e.hostNetwork && e.ips.length > 0;

/**
 * How a rule's ports appear: `''` for any, one match per protocol for
 * numbered ports, and for each named port a set of `address . protocol . port`
 * resolved on the destinations: the local endpoints for ingress, every
 * endpoint for egress.
 */
function portMatches(rule: Rule, direction: Direction, family: Family, use: (set: SetPlan) => string): string[] {
  if (rule.ports === 'any') return [''];
  const byProtocol = new Map<Protocol, PortSet>();
  const named: NamedPort[] = [];
  for (const match of rule.ports) {
    if (match.kind === 'named') named.push(match);
    else byProtocol.set(match.protocol, (byProtocol.get(match.protocol) ?? PortSet.empty).union(match.ports));
  }
  const numbered = [...byProtocol].map(([protocol, ports]) => {
    const l4 = `meta l4proto ${protocol.toLowerCase()}`;
    if (ports.isAll()) return l4;
    return `${l4} th dport { ${ports.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ')} }`;
  });
  const resolved = named.map((match) => {
    const protocol = match.protocol ?? 'any';
    const key = `${direction}/${direction === 'ingress' ? 'local' : 'all'}/${protocol}/${match.name}/${family}`;
    // A pod in its node's network resolves it too, as the evaluator resolves it there: at its node's address.
    const named = (e: Endpoint): string[] =>
      namedPortEntries(match, e).flatMap(({ protocol, port }) =>
        addressesOf(e, family).map((address) => `${address} . ${protocol.toLowerCase()} . ${port}`),
      );
    // Ingress resolves on the local endpoints; egress on every endpoint. The cache follows both.
    const elements = ({ cluster, node, local, membership }: RenderContext): readonly string[] =>
      direction === 'ingress'
        ? membership !== undefined
          ? membership.elements(cluster, `named/${key}/${node}`, (_, e) => (isLocal(e, node) ? named(e) : []))
          : local.flatMap(named)
        : membership !== undefined
          ? membership.elements(cluster, `named/${key}`, (_, e) => named(e))
          : cluster.endpoints.flatMap(named);
    const set = {
      name: `named${family}_${shortHash(key)}`,
      type: `${ADDR[family].type} . inet_proto . inet_service`,
      interval: false,
      comment: `port ${match.name}/${protocol}`,
      elements,
    };
    return `${ADDR[family].match} daddr . meta l4proto . th dport @${use(set)}`;
  });
  return [...numbered, ...resolved];
}

/** The shared peer key, per family: a selector's set of one family differs from its set of the other. */
const familyPeerKey = (peer: Peer, family: Family): string => `${peerKey(peer)}/${family}`;

const shortHashes = new Map<string, string>();
/** Names follow what chains and sets stand for; the same few thousand keys come back on every render. */
const shortHash = (key: string): string => {
  let hash = shortHashes.get(key);
  if (hash === undefined) {
    if (shortHashes.size > 100_000) shortHashes.clear();
    shortHashes.set(key, (hash = createHash('sha256').update(key).digest('hex').slice(0, 10)));
  }
  return hash;
};

/** A node's endpoints by cluster, followed through patches rather than sought among all endpoints again. */
const localByCluster = new WeakMap<Cluster, { readonly node: string; readonly local: readonly Endpoint[] }>();
function localEndpoints(cluster: Cluster, node: string): readonly Endpoint[] {
  const known = localByCluster.get(cluster);
  if (known?.node === node) return known.local;
  const patch = endpointPatchOf(cluster);
  const before = patch === undefined ? undefined : localByCluster.get(patch.from);
  const local =
    patch !== undefined && before?.node === node
      ? patchSorted(
          before.local,
          new Set(patch.removed),
          patch.added.filter((e) => isLocal(e, node)),
        )
      : cluster.endpoints.filter((e) => isLocal(e, node));
  localByCluster.set(cluster, { node, local });
  return local;
}

/**
 * Elements without repeats, the same array for the same input array:
 * kept memberships come back unchanged, and so do their sets.
 */
const deduplicated = new WeakMap<readonly string[], readonly string[]>();
function withoutRepeats(elements: readonly string[]): readonly string[] {
  let unique = deduplicated.get(elements);
  if (unique === undefined) deduplicated.set(elements, (unique = [...new Set(elements)]));
  return unique;
}

/**
 * Named sets, deduplicated. A set is named after what it means (the peer
 * or named port it stands for), never after its contents, so that a change
 * of membership keeps the name and becomes an element delta.
 */
class SetRegistry {
  private readonly byName = new Map<string, NftSet>();

  declare(name: string, type: string, interval: boolean, elements: readonly string[], comment: string): void {
    this.byName.set(name, { name, type, interval, elements: withoutRepeats(elements), comment });
  }

  /** A set several chains may name: the first declaration stands. */
  add(name: string, type: string, interval: boolean, elements: readonly string[], comment: string): void {
    if (!this.byName.has(name)) this.declare(name, type, interval, elements, comment);
  }

  all(): NftSet[] {
    return [...this.byName.values()];
  }
}

/**
 * The ruleset as `nft -f` input: one transaction that replaces the whole
 * table (creating it first if missing). `flush table` would not do: it
 * empties chains but leaves set and map elements behind.
 */
export function formatNftRuleset(ruleset: NftRuleset, { replace = true }: { replace?: boolean } = {}): string {
  const out: string[] = [];
  if (replace) out.push(`table inet ${ruleset.table}`, `delete table inet ${ruleset.table}`);
  out.push(`table inet ${ruleset.table} {`);
  for (const set of ruleset.sets) {
    out.push(`\tset ${set.name} {`, `\t\ttype ${set.type}`);
    if (set.interval) out.push('\t\tflags interval');
    if (set.comment) out.push(`\t\tcomment ${JSON.stringify(set.comment)}`);
    if (set.elements.length > 0) out.push(`\t\telements = { ${set.elements.join(', ')} }`);
    out.push('\t}');
  }
  for (const map of ruleset.maps) {
    out.push(`\tmap ${map.name} {`, `\t\ttype ${map.type}`);
    if (map.elements.length > 0)
      out.push(`\t\telements = { ${map.elements.map(([k, v]) => `${k} : ${v}`).join(', ')} }`);
    out.push('\t}');
  }
  for (const chain of ruleset.chains) {
    out.push(`\tchain ${chain.name} {`);
    if (chain.base)
      out.push(`\t\ttype filter hook ${chain.base.hook} priority ${chain.base.priority}; policy ${chain.base.policy};`);
    for (const rule of chain.rules) out.push(`\t\t${rule}`);
    out.push('\t}');
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/**
 * An element of an interval set: one address alone, as nft lists it back (a /32 pod network written `a-a` read
 * back as `a`, and every resync took the difference for drift).
 */
const intervalElement = (family: Family, first: bigint, last: bigint): string =>
  first === last ? formatIP(family, first) : `${formatIP(family, first)}-${formatIP(family, last)}`;
