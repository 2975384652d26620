import { ConnSet, PROTOCOLS } from '../src/algebra/connset.js';
import { formatIP } from '../src/algebra/ip.js';
import {
  defaultEngineOptions,
  peerMatches as peerMatchesRemote,
  portMatchConns,
  selects,
} from '../src/policy/evaluate.js';
import type { Cluster } from '../src/policy/cluster.js';
import type { Endpoint } from '../src/model/endpoints.js';
import { type Peer, type Rule, peerKey, policyName } from '../src/policy/ir.js';
import type { NftChain, NftRuleset, NftSet } from '../src/render/nftables.js';

/**
 * The baseline the dataplane bench compares netpol with: the rendering of the
 * iptables era. Every policy of the cluster becomes rules in one chain per
 * direction, one rule per policy × peer × port, walked in order until one
 * accepts; isolated pods are dropped at the end. Address groups are shared
 * named sets (as ipset was), so the ruleset stays loadable; what grows with
 * the policy count is the walk. IPv4 only, as the lab.
 */
export function buildLinearRuleset(cluster: Cluster, table = 'netpol'): NftRuleset {
  const sets = new Map<string, NftSet>();
  const setOf = (elements: string[]): string => {
    const key = [...new Set(elements)].sort().join(',');
    let set = sets.get(key);
    if (set === undefined) {
      set = { name: `grp_${sets.size}`, type: 'ipv4_addr', interval: true, elements: key.split(','), comment: '' };
      sets.set(key, set);
    }
    return set.name;
  };
  const pods = cluster.endpoints.filter((e) => !e.hostNetwork);
  const podsByNamespace = new Map<string, Endpoint[]>();
  for (const e of pods) {
    const inNamespace = podsByNamespace.get(e.namespace);
    if (inNamespace === undefined) podsByNamespace.set(e.namespace, [e]);
    else inNamespace.push(e);
  }
  const peerCache = new Map<string, string[]>();
  const elementsOf = (peer: Peer): string[] => {
    const key = peerKey(peer);
    let elements = peerCache.get(key);
    if (elements === undefined) peerCache.set(key, (elements = peerElements(cluster, pods, peer)));
    return elements;
  };
  const policies = [...cluster.policies].sort((a, b) => (policyName(a.ref) < policyName(b.ref) ? -1 : 1));
  const chains: NftChain[] = (['egress', 'ingress'] as const).map((direction) => {
    const local = direction === 'ingress' ? 'daddr' : 'saddr';
    const remote = direction === 'ingress' ? 'saddr' : 'daddr';
    const isolated: string[] = [];
    const rules = ['ct state established,related accept', 'ct state invalid drop'];
    for (const policy of policies) {
      if (policy[direction] === undefined) continue;
      const targets = addressesOf(
        (podsByNamespace.get(policy.namespace ?? '') ?? []).filter((e) => selects(cluster, policy, e)),
      );
      if (targets.length === 0) continue;
      isolated.push(...targets);
      const target = `ip ${local} @${setOf(targets)}`;
      for (const rule of policy[direction]!) {
        for (const peer of peerMatches(rule, elementsOf)) {
          const from = peer === '' ? '' : ` ip ${remote} @${setOf(peer)}`;
          for (const port of portMatches(rule, pods)) rules.push(`${target}${from}${port} accept`);
        }
      }
    }
    if (isolated.length > 0) rules.push(`ip ${local} @${setOf(isolated)} drop`);
    return {
      name: direction,
      base: { hook: 'forward', priority: direction === 'egress' ? 'filter' : 'filter + 10', policy: 'accept' },
      rules,
    };
  });
  return { table, sets: [...sets.values()], maps: [], chains };
}

const addressesOf = (endpoints: readonly Endpoint[]): string[] =>
  endpoints.flatMap((e) => e.ips.filter((ip) => ip.family === 4).map((ip) => formatIP(4, ip.value)));

/** Each peer as its IPv4 elements; `''` for any peer. Peers that match nothing give no rule. */
function peerMatches(rule: Rule, elementsOf: (peer: Peer) => string[]): (string[] | '')[] {
  if (rule.peers === 'any') return [''];
  return rule.peers.map(elementsOf).filter((elements) => elements.length > 0);
}

function peerElements(cluster: Cluster, pods: readonly Endpoint[], peer: Peer): string[] {
  if (peer.kind === 'ipBlock') {
    return peer.ips
      .ranges()
      .filter((r) => r.family === 4)
      .map((r) => (r.first === r.last ? formatIP(4, r.first) : `${formatIP(4, r.first)}-${formatIP(4, r.last)}`));
  }
  return addressesOf(
    pods.filter((e) =>
      peerMatchesRemote(cluster, peer, { kind: 'endpoint', endpoint: e, ip: undefined }, defaultEngineOptions),
    ),
  );
}

/** Each port entry as a match, named ports resolved to the numbers any pod gives them. */
function portMatches(rule: Rule, pods: readonly Endpoint[]): string[] {
  if (rule.ports === 'any') return [''];
  return rule.ports.flatMap((match) => {
    const conns =
      match.kind === 'numbered'
        ? portMatchConns(match, undefined)
        : pods.reduce((all, e) => all.union(portMatchConns(match, e)), ConnSet.none);
    return PROTOCOLS.flatMap((protocol) => {
      const ports = conns.portsFor(protocol);
      if (ports.isEmpty()) return [];
      if (ports.isAll()) return [` meta l4proto ${protocol.toLowerCase()}`];
      const elements = ports.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');
      return [` meta l4proto ${protocol.toLowerCase()} th dport { ${elements} }`];
    });
  });
}
