import { ConnSet } from '../algebra/connset.js';
import type { AddressRange } from '../algebra/ipset.js';
import type { Cluster } from '../model/cluster.js';
import { type Direction, type Peer, type Policy, type Rule, peerKey } from '../policy/ir.js';
import { type Identity, identitiesOf } from './identities.js';
import { AddressCells } from './ranges.js';
import {
  type EngineOptions,
  type FlowPeer,
  defaultEngineOptions,
  isolatingPolicies,
  peerMatchesRemote,
  peerNamespaceMatches,
  rulePortConns,
} from './verdict.js';

/**
 * Everything the policies allow, between identities and between identities
 * and external address ranges. The per-flow semantics are those of
 * verdict.ts; this module only organises the work so that it grows with
 * identities and allowed pairs, never with pods × pods.
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
}

/** What one identity's policies allow in one direction. */
interface DirectionView {
  readonly isolated: boolean;
  readonly byIdentity: ReadonlyMap<number, ConnSet>;
  readonly byRange: ReadonlyMap<number, ConnSet>;
  /** Rules that name no peers: they apply to every remote. */
  readonly anyRules: readonly Rule[];
}

const OPEN: DirectionView = { isolated: false, byIdentity: new Map(), byRange: new Map(), anyRules: [] };

export interface ConnectivityOptions {
  readonly engine?: EngineOptions;
  readonly progress?: (done: number, total: number) => void;
  /** Policies whose CIDRs cut the external ranges; another cluster's too, when two are compared. */
  readonly rangePolicies?: readonly Policy[];
}

export function computeConnectivity(
  cluster: Cluster,
  {
    engine: options = defaultEngineOptions,
    progress = () => {},
    rangePolicies = cluster.policies,
  }: ConnectivityOptions = {},
): Connectivity {
  const identities = identitiesOf(cluster, AddressCells.of(cluster.policies, ['ingress', 'egress']));
  const sourceRanges = AddressCells.of(rangePolicies, ['ingress']).ranges();
  const destinationRanges = AddressCells.of(rangePolicies, ['egress']).ranges();
  const matcher = new PeerMatcher(cluster, identities, options);
  const viewOf = (local: Identity, direction: Direction): DirectionView =>
    directionView(
      cluster,
      local,
      direction,
      direction === 'ingress' ? sourceRanges : destinationRanges,
      identities,
      matcher,
    );
  const ingress = identities.map((d) => viewOf(d, 'ingress'));
  const egress = identities.map((s) => viewOf(s, 'egress'));

  const ingressConns = (d: Identity, view: DirectionView, src: number | undefined, srcRange?: number): ConnSet => {
    if (!view.isolated) return ConnSet.all;
    let conns = (src !== undefined ? view.byIdentity.get(src) : view.byRange.get(srcRange!)) ?? ConnSet.none;
    for (const rule of view.anyRules) conns = conns.union(rulePortConns(rule, d.representative));
    return conns;
  };
  const egressConns = (view: DirectionView, dst: Identity | undefined, dstRange?: number): ConnSet => {
    if (!view.isolated) return ConnSet.all;
    let conns = (dst !== undefined ? view.byIdentity.get(dst.index) : view.byRange.get(dstRange!)) ?? ConnSet.none;
    for (const rule of view.anyRules) conns = conns.union(rulePortConns(rule, dst?.representative));
    return conns;
  };

  // Destinations that may accept a given source: open ones, ones with peer-less rules, and those whose rules name it.
  const openToAll = identities.filter((d) => !ingress[d.index]!.isolated || ingress[d.index]!.anyRules.length > 0);
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
    const dense = !out.isolated || out.anyRules.length > 0;
    const candidates = dense
      ? [...openToAll.map((d) => d.index), ...(namedBy.get(s.index) ?? [])]
      : [...out.byIdentity.keys()];
    for (const d of candidates) {
      if (seen[d] === s.index) continue;
      seen[d] = s.index;
      const dst = identities[d]!;
      const e = egressConns(out, dst);
      if (e.isEmpty()) continue;
      const conns = e.intersect(ingressConns(dst, ingress[d]!, s.index));
      if (!conns.isEmpty()) pairs.push({ src: s, dst, conns });
    }
    progress(s.index + 1, identities.length);
  }

  const toRanges = identities.flatMap((s) =>
    destinationRanges
      .map((dst, r) => ({ src: s, dst, conns: egressConns(egress[s.index]!, undefined, r) }))
      .filter((p) => !p.conns.isEmpty()),
  );
  const fromRanges = sourceRanges.flatMap((src, r) =>
    identities
      .map((d) => ({ src, dst: d, conns: ingressConns(d, ingress[d.index]!, undefined, r) }))
      .filter((p) => !p.conns.isEmpty()),
  );
  return { identities, sourceRanges, destinationRanges, pairs, fromRanges, toRanges };
}

function directionView(
  cluster: Cluster,
  local: Identity,
  direction: Direction,
  ranges: readonly AddressRange[],
  identities: readonly Identity[],
  matcher: PeerMatcher,
): DirectionView {
  const policies = isolatingPolicies(cluster, local.representative, direction);
  if (policies.length === 0) return OPEN;
  const byIdentity = new Map<number, ConnSet>();
  const byRange = new Map<number, ConnSet>();
  const anyRules: Rule[] = [];
  const add = (map: Map<number, ConnSet>, key: number, conns: ConnSet): void => {
    if (conns.isEmpty()) return;
    const current = map.get(key);
    map.set(key, current === undefined ? conns : current.union(conns));
  };
  for (const policy of policies) {
    for (const rule of policy[direction]!) {
      if (rule.peers === 'any') {
        anyRules.push(rule);
        continue;
      }
      // Ingress ports resolve on the local endpoint; egress ports on each destination.
      const localConns = direction === 'ingress' ? rulePortConns(rule, local.representative) : undefined;
      const externalConns = localConns ?? rulePortConns(rule, undefined);
      for (const peer of rule.peers) {
        for (const remote of matcher.identities(peer)) {
          add(byIdentity, remote, localConns ?? matcher.portConns(rule, identities[remote]!));
        }
        for (const r of matcher.ranges(peer, ranges)) add(byRange, r, externalConns);
      }
    }
  }
  return { isolated: true, byIdentity, byRange, anyRules };
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
    if (peer.kind !== 'ipBlock') return [];
    let cache = this.rangeCache.get(ranges);
    if (cache === undefined) this.rangeCache.set(ranges, (cache = new Map()));
    const key = peerKey(peer);
    let matched = cache.get(key);
    if (matched === undefined) {
      matched = ranges.flatMap((range, r) => {
        const remote: FlowPeer = { kind: 'external', ip: { family: range.family, value: range.first } };
        return peerMatchesRemote(this.cluster, peer, remote, this.options) ? [r] : [];
      });
      cache.set(key, matched);
    }
    return matched;
  }

  /** A rule's ports towards a destination identity; constant unless the rule names ports. */
  portConns(rule: Rule, dst: Identity): ConnSet {
    const named = rule.ports !== 'any' && rule.ports.some((p) => p.kind === 'named');
    if (named) return rulePortConns(rule, dst.representative);
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
