import { ConnSet } from '../algebra/connset.js';
import type { AddressRange } from '../algebra/ipset.js';
import type { Cluster } from '../policy/cluster.js';
import { type Direction, type Peer, type Policy, type Rule, peerKey } from '../policy/ir.js';
import { type Identity, identitiesOf } from './identities.js';
import { AddressCells, nodeAddresses } from './ranges.js';
import {
  type AppliedPolicies,
  type EngineOptions,
  type RemoteView,
  type FlowPeer,
  appliedPolicies,
  combine,
  defaultEngineOptions,
  domainView,
  peerMatches as peerMatchesRemote,
  peerNamespaceMatches,
  rulePortConns,
} from '../policy/evaluate.js';

/**
 * Everything the policies allow, between identities and between identities
 * and external address ranges. The semantics are the evaluator's (peer
 * matching, ports, the walk of the tiers in policy/evaluate.ts); this module
 * only organises the work so that it grows with identities and allowed
 * pairs, never with pods × pods.
 */
export interface Connectivity {
  readonly identities: readonly Identity[];
  /** External sources, cut at the ingress rules' CIDRs. */
  readonly sourceRanges: readonly AddressRange[];
  /** External destinations, cut at the egress rules' CIDRs. */
  readonly destinationRanges: readonly AddressRange[];
  readonly pairs: readonly { readonly src: Identity; readonly dst: Identity; readonly conns: ConnSet }[];
  readonly fromRanges: readonly { readonly src: AddressRange; readonly dst: Identity; readonly conns: ConnSet }[];
  readonly toRanges: readonly { readonly src: Identity; readonly dst: AddressRange; readonly conns: ConnSet }[];
  /** Destinations a cluster-wide rule names by DNS name: what reaches them depends on DNS. */
  readonly toDomains: readonly { readonly src: Identity; readonly dst: string; readonly conns: ConnSet }[];
}

/** What one identity's policies say in one direction, with their peers matched against identities and ranges. */
interface DirectionView {
  readonly applied: AppliedPolicies;
  /** The namespaced policies' rules, unioned per remote identity and per range. */
  readonly byIdentity: ReadonlyMap<number, ConnSet>;
  readonly byRange: ReadonlyMap<number, ConnSet>;
  /** Namespaced rules that name no peers: they apply to every remote. */
  readonly anyRules: readonly Rule[];
}

export interface ConnectivityOptions {
  readonly engine?: EngineOptions;
  readonly progress?: (done: number, total: number) => void;
  /** Policies whose CIDRs cut the external ranges; another cluster's too, when two are compared. */
  readonly rangePolicies?: readonly Policy[];
}

/** A remote for the walk of the tiers: an identity, or an external range. */
type Remote =
  | { readonly identity: Identity; readonly range?: undefined }
  | { readonly identity?: undefined; readonly range: number };

export function computeConnectivity(
  cluster: Cluster,
  {
    engine: options = defaultEngineOptions,
    progress = () => {},
    rangePolicies = cluster.policies,
  }: ConnectivityOptions = {},
): Connectivity {
  const identities = identitiesOf(cluster, AddressCells.of(cluster.policies, ['ingress', 'egress']));
  const sourceRanges = AddressCells.of(rangePolicies, ['ingress'], cluster).ranges();
  const destinationRanges = AddressCells.of(rangePolicies, ['egress'], cluster).ranges();
  const matcher = new PeerMatcher(cluster, identities, options);
  const viewOf = (local: Identity, direction: Direction): DirectionView =>
    directionView(cluster, local, direction, direction === 'ingress' ? sourceRanges : destinationRanges, matcher);
  const ingress = identities.map((d) => viewOf(d, 'ingress'));
  const egress = identities.map((s) => viewOf(s, 'egress'));

  /** What `local`'s policies allow with `remote` in `direction`: the tiers walked, as for one flow. */
  const remoteView = new IdentityView(matcher);
  const allowed = (local: Identity, direction: Direction, remote: Remote): ConnSet => {
    const view = (direction === 'ingress' ? ingress : egress)[local.index]!;
    const ranges = direction === 'ingress' ? sourceRanges : destinationRanges;
    remoteView.set(view, ranges, remote, direction === 'ingress' ? local : remote.identity);
    return combine(view.applied, direction, remoteView).allowed;
  };

  // Destinations that may accept any source: those no namespaced policy isolates, those with peer-less rules or
  // with rules of a tier; and, for a given source, those whose namespaced rules name it.
  const openToAll = identities.filter((d) => acceptsAnyone(ingress[d.index]!));
  const namedBy = new Map<number, number[]>();
  for (const d of identities) {
    for (const src of ingress[d.index]!.byIdentity.keys()) {
      const list = namedBy.get(src);
      if (list === undefined) namedBy.set(src, [d.index]);
      else list.push(d.index);
    }
  }

  const pairs: { src: Identity; dst: Identity; conns: ConnSet }[] = [];
  const seen = new Int32Array(identities.length).fill(-1);
  for (const s of identities) {
    const out = egress[s.index]!;
    const candidates = acceptsAnyone(out)
      ? [...openToAll.map((d) => d.index), ...(namedBy.get(s.index) ?? [])]
      : [...out.byIdentity.keys()];
    for (const d of candidates) {
      if (seen[d] === s.index) continue;
      seen[d] = s.index;
      const dst = identities[d]!;
      const e = allowed(s, 'egress', { identity: dst });
      if (e.isEmpty()) continue;
      const conns = e.intersect(allowed(dst, 'ingress', { identity: s }));
      if (!conns.isEmpty()) pairs.push({ src: s, dst, conns });
    }
    progress(s.index + 1, identities.length);
  }

  const toRanges = identities.flatMap((s) =>
    destinationRanges
      .map((dst, r) => ({ src: s, dst, conns: allowed(s, 'egress', { range: r }) }))
      .filter((p) => !p.conns.isEmpty()),
  );
  const fromRanges = sourceRanges.flatMap((src, r) =>
    identities
      .map((d) => ({ src, dst: d, conns: allowed(d, 'ingress', { range: r }) }))
      .filter((p) => !p.conns.isEmpty()),
  );
  const toDomains = identities.flatMap((s) =>
    domainsNamed(egress[s.index]!.applied)
      .map((name) => ({
        src: s,
        dst: name,
        conns: combine(egress[s.index]!.applied, 'egress', domainView(name)).allowed,
      }))
      .filter((p) => !p.conns.isEmpty()),
  );
  return { identities, sourceRanges, destinationRanges, pairs, fromRanges, toRanges, toDomains };
}

/** The DNS names the egress rules of a direction's tiers name, each once. */
const domainsNamed = (applied: AppliedPolicies): string[] => [
  ...new Set(
    [...applied.admin, ...applied.baseline]
      .flatMap((p) => p.egress ?? [])
      .flatMap((r) => (r.peers === 'any' ? [] : r.peers))
      .flatMap((p) => (p.kind === 'domains' ? p.names : [])),
  ),
];

/**
 * One remote as a local identity's rules see it, through the matcher's caches. One object serves every pair
 * (set before each walk): a pair costs a walk, not an allocation.
 */
class IdentityView implements RemoteView {
  readonly localNode = false;
  private view!: DirectionView;
  private ranges!: readonly AddressRange[];
  private remote!: Remote;
  private dst: Identity | undefined;

  constructor(private readonly matcher: PeerMatcher) {}

  set(view: DirectionView, ranges: readonly AddressRange[], remote: Remote, dst: Identity | undefined): void {
    this.view = view;
    this.ranges = ranges;
    this.remote = remote;
    this.dst = dst;
  }

  ruleConns(rule: Rule): ConnSet {
    return this.matcher.ruleMatches(rule, this.remote, this.ranges)
      ? this.matcher.portConns(rule, this.dst)
      : ConnSet.none;
  }

  domainConns(): ConnSet {
    return ConnSet.none;
  }

  namespacedConns(): ConnSet {
    const { view, remote } = this;
    let conns =
      (remote.identity !== undefined ? view.byIdentity.get(remote.identity.index) : view.byRange.get(remote.range)) ??
      ConnSet.none;
    for (const rule of view.anyRules) conns = conns.union(this.matcher.portConns(rule, this.dst));
    return conns;
  }
}

/** Whether a direction's policies might let any remote through, rather than only those its namespaced rules name. */
const acceptsAnyone = (view: DirectionView): boolean =>
  view.applied.namespaced.length === 0 ||
  view.anyRules.length > 0 ||
  view.applied.admin.length > 0 ||
  view.applied.baseline.length > 0;

function directionView(
  cluster: Cluster,
  local: Identity,
  direction: Direction,
  ranges: readonly AddressRange[],
  matcher: PeerMatcher,
): DirectionView {
  const applied = appliedPolicies(cluster, local.representative, direction);
  // Collected first and unioned once per remote: a remote that many rules name would otherwise cost a union
  // per rule over an ever larger set.
  const identityConns = new Map<number, ConnSet[]>();
  const rangeConns = new Map<number, ConnSet[]>();
  const anyRules: Rule[] = [];
  const add = (map: Map<number, ConnSet[]>, key: number, conns: ConnSet): void => {
    if (conns.isEmpty()) return;
    const current = map.get(key);
    if (current === undefined) map.set(key, [conns]);
    else current.push(conns);
  };
  for (const policy of applied.namespaced) {
    for (const rule of policy[direction]!) {
      if (rule.peers === 'any') {
        anyRules.push(rule);
        continue;
      }
      // Ingress ports resolve on the local endpoint; egress ports on each destination.
      const localConns = direction === 'ingress' ? matcher.portConns(rule, local) : undefined;
      const externalConns = localConns ?? matcher.portConns(rule, undefined);
      for (const peer of rule.peers) {
        for (const remote of matcher.identities(peer)) {
          add(identityConns, remote, localConns ?? matcher.portConns(rule, matcher.identity(remote)));
        }
        for (const r of matcher.ranges(peer, ranges)) add(rangeConns, r, externalConns);
      }
    }
  }
  const unioned = (map: Map<number, ConnSet[]>): Map<number, ConnSet> =>
    new Map([...map].map(([key, list]) => [key, ConnSet.unionAll(list)]));
  return { applied, byIdentity: unioned(identityConns), byRange: unioned(rangeConns), anyRules };
}

/** Which identities and ranges each peer matches, computed once per distinct peer. */
class PeerMatcher {
  private readonly identityCache = new Map<string, number[]>();
  /** Per list of ranges: sources and destinations are cut apart, and may well be as many. */
  private readonly rangeCache = new WeakMap<readonly AddressRange[], Map<string, number[]>>();
  private readonly byNamespace = new Map<string, Identity[]>();
  private readonly portCache = new Map<Rule, ConnSet>();

  constructor(
    private readonly cluster: Cluster,
    private readonly all: readonly Identity[],
    private readonly options: EngineOptions,
  ) {
    for (const identity of all) {
      const list = this.byNamespace.get(identity.namespace);
      if (list === undefined) this.byNamespace.set(identity.namespace, [identity]);
      else list.push(identity);
    }
  }

  identities(peer: Peer): number[] {
    const key = peerKey(peer);
    let matched = this.identityCache.get(key);
    if (matched === undefined) {
      const candidates =
        peer.kind === 'selector'
          ? [...this.byNamespace]
              .filter(([ns]) => peerNamespaceMatches(this.cluster, peer, ns))
              .flatMap(([, list]) => list)
          : this.all;
      matched = candidates
        .filter((i) => peerMatchesRemote(this.cluster, peer, remoteOf(i), this.options))
        .map((i) => i.index);
      this.identityCache.set(key, matched);
    }
    return matched;
  }

  ranges(peer: Peer, ranges: readonly AddressRange[]): number[] {
    if (peer.kind !== 'ipBlock' && peer.kind !== 'nodes') return [];
    let cache = this.rangeCache.get(ranges);
    if (cache === undefined) this.rangeCache.set(ranges, (cache = new Map()));
    const key = peerKey(peer);
    let matched = cache.get(key);
    if (matched === undefined) {
      const addresses =
        peer.kind === 'ipBlock'
          ? peer.ips.ranges()
          : nodeAddresses(this.cluster, peer).map((ip) => ({ family: ip.family, first: ip.value, last: ip.value }));
      // Only ranges that overlap the peer's addresses can match: found by binary search, so that many
      // blocks over many ranges cost blocks × log(ranges), not blocks × ranges.
      matched = overlapping(ranges, addresses).filter((r) => {
        const range = ranges[r]!;
        const remote: FlowPeer = { kind: 'external', ip: { family: range.family, value: range.first } };
        return peerMatchesRemote(this.cluster, peer, remote, this.options);
      });
      cache.set(key, matched);
    }
    return matched;
  }

  identity(index: number): Identity {
    return this.all[index]!;
  }

  /** Whether some peer of a rule matches the remote: an identity, or a range of the given cut. */
  ruleMatches(rule: Rule, remote: Remote, ranges: readonly AddressRange[]): boolean {
    if (rule.peers === 'any') return true;
    return rule.peers.some((peer) =>
      remote.identity !== undefined
        ? this.identitySet(peer).has(remote.identity.index)
        : this.rangeSet(peer, ranges).has(remote.range),
    );
  }

  private readonly identitySets = new Map<string, ReadonlySet<number>>();
  private identitySet(peer: Peer): ReadonlySet<number> {
    const key = peerKey(peer);
    let set = this.identitySets.get(key);
    if (set === undefined) this.identitySets.set(key, (set = new Set(this.identities(peer))));
    return set;
  }

  private readonly rangeSets = new WeakMap<readonly AddressRange[], Map<string, ReadonlySet<number>>>();
  private rangeSet(peer: Peer, ranges: readonly AddressRange[]): ReadonlySet<number> {
    let cache = this.rangeSets.get(ranges);
    if (cache === undefined) this.rangeSets.set(ranges, (cache = new Map()));
    const key = peerKey(peer);
    let set = cache.get(key);
    if (set === undefined) cache.set(key, (set = new Set(this.ranges(peer, ranges))));
    return set;
  }

  /** A rule's ports towards a destination identity (or outside, for none); constant unless the rule names ports. */
  portConns(rule: Rule, dst: Identity | undefined): ConnSet {
    const named = rule.ports !== 'any' && rule.ports.some((p) => p.kind === 'named');
    if (named) return rulePortConns(rule, dst?.representative);
    let conns = this.portCache.get(rule);
    if (conns === undefined) {
      conns = rulePortConns(rule, undefined);
      this.portCache.set(rule, conns);
    }
    return conns;
  }
}

const remoteOf = (identity: Identity): FlowPeer => ({
  kind: 'endpoint',
  endpoint: identity.representative,
  ip: identity.ip,
});

/** The indexes of the sorted, disjoint `ranges` (IPv4 before IPv6) that overlap some of `intervals`. */
function overlapping(ranges: readonly AddressRange[], intervals: readonly AddressRange[]): number[] {
  const found: number[] = [];
  for (const interval of intervals) {
    // The first range that ends at or after the interval's start.
    let low = 0;
    let high = ranges.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const r = ranges[middle]!;
      if (r.family < interval.family || (r.family === interval.family && r.last < interval.first)) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < ranges.length; i++) {
      const r = ranges[i]!;
      if (r.family !== interval.family || r.first > interval.last) break;
      found.push(i);
    }
  }
  return found;
}
