import type { LabelSelector } from '../algebra/selector.js';
import type { Cluster } from '../policy/cluster.js';
import type { Location } from '../util/location.js';
import type { Protocol } from '../algebra/connset.js';
import { namedPortEntries } from '../policy/evaluate.js';
import { type Policy, type Rule, type SelectorPeer, policyName } from '../policy/ir.js';
import { compareStrings } from '../util/order.js';

type NamespacedPolicy = Policy & { readonly namespace: string };

/**
 * Kubernetes NetworkPolicies as Juniper CN2 (Contrail) firewall objects,
 * following TF kube-manager's translation (ironcore-cn2.md §3): labels
 * become tags, ipBlock CIDRs and excepts become address groups, each policy
 * becomes a firewall policy of rules (one per peer entry × port), and the
 * cluster gets a deny-all and an allow-all policy behind them in the
 * application policy set. Where kube-manager is wrong, this is right:
 * a port without protocol is TCP (not any), endPort ranges are kept, and
 * egress rule names carry their rule index.
 */
export interface ContrailOptions {
  /** Names the application policy set and the cluster-wide policies. kube-manager's default is `k8s`. */
  readonly cluster?: string;
}

export type ContrailEndpoint =
  | { readonly kind: 'tags'; readonly tags: readonly string[] }
  | { readonly kind: 'addressGroup'; readonly name: string; readonly prefix: string }
  | { readonly kind: 'any' };

export interface ContrailService {
  readonly protocol: 'tcp' | 'udp' | 'sctp' | 'any';
  readonly start: number;
  readonly end: number;
}

export interface ContrailRule {
  readonly name: string;
  readonly action: 'pass' | 'deny';
  readonly service: ContrailService;
  readonly direction: 'ingress' | 'egress';
  /** The pods the policy selects. */
  readonly selected: ContrailEndpoint;
  /** The other side: the source for ingress, the destination for egress. */
  readonly peer: ContrailEndpoint;
}

export interface ContrailPolicy {
  readonly name: string;
  /** In sequence order: first match wins. */
  readonly rules: readonly ContrailRule[];
}

export interface ContrailWarning {
  readonly origin: Location;
  readonly message: string;
}

export interface ContrailRendering {
  readonly cluster: string;
  /** `key=value`, in order of first use. */
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly addressGroups: readonly { readonly name: string; readonly prefix: string }[];
  /** In application-policy-set order: one per NetworkPolicy, then `<cluster>-denyall`, then `<cluster>-allowall`. */
  readonly policies: readonly ContrailPolicy[];
  readonly warnings: readonly ContrailWarning[];
}

/** `i` as kube-manager's `construct_sequence_number`: `00000.0`, `00001.0`, … */
export const sequenceNumber = (i: number): string => `${String(i).padStart(5, '0')}.0`;

/** A tag name: `key=value`, with `/` spelled `__slash__` as kube-manager spells it. */
const tagName = (key: string, value: string): string =>
  `${key.replaceAll('/', '__slash__')}=${value.replaceAll('/', '__slash__')}`;

export function renderContrail(cluster: Cluster, options: ContrailOptions = {}): ContrailRendering {
  const clusterName = options.cluster ?? 'k8s';
  const context = new RenderContext(cluster);
  const networkPolicies = cluster.policies
    .filter((p): p is NamespacedPolicy => p.ref.kind === 'NetworkPolicy' && p.namespace !== undefined)
    .sort((a, b) => compareStrings(policyName(a.ref), policyName(b.ref)));
  const policies: ContrailPolicy[] = [];
  const denyAll: ContrailRule[] = [];
  for (const policy of networkPolicies) {
    const rendered = context.policy(policy);
    if (rendered === undefined) continue;
    policies.push(rendered.policy);
    denyAll.push(...rendered.denyAll);
  }
  const allowAll = [...cluster.namespaces.keys()].sort(compareStrings).flatMap((ns): ContrailRule[] => {
    const namespace = context.tags([tagName('namespace', ns)]);
    const any: ContrailEndpoint = { kind: 'any' };
    const all: ContrailService = { protocol: 'any', start: 0, end: 65535 };
    return [
      {
        name: `${clusterName}-Namespace-${ns}-ingress`,
        action: 'pass',
        service: all,
        direction: 'ingress',
        selected: namespace,
        peer: any,
      },
      {
        name: `${clusterName}-Namespace-${ns}-egress`,
        action: 'pass',
        service: all,
        direction: 'egress',
        selected: namespace,
        peer: any,
      },
    ];
  });
  policies.push(
    { name: `${clusterName}-denyall`, rules: denyAll },
    { name: `${clusterName}-allowall`, rules: allowAll },
  );
  return {
    cluster: clusterName,
    tags: context.usedTags(),
    addressGroups: context.usedGroups(),
    policies,
    warnings: context.warnings,
  };
}

/** A selector as the alternatives of tags that express it: several when `In` lists several values. */
type Alternatives = readonly (readonly string[])[];

class RenderContext {
  readonly warnings: ContrailWarning[] = [];
  private readonly tagOrder = new Map<string, { key: string; value: string }>();
  private readonly groups = new Map<string, string>();
  private readonly groupNames = new Set<string>();

  constructor(private readonly cluster: Cluster) {}

  usedTags(): { key: string; value: string }[] {
    return [...this.tagOrder.values()];
  }

  usedGroups(): { name: string; prefix: string }[] {
    return [...this.groups].map(([prefix, name]) => ({ name, prefix }));
  }

  /** Records tags in order of first use, and returns the endpoint they make. */
  tags(tags: readonly string[]): ContrailEndpoint {
    for (const tag of tags) {
      const at = tag.indexOf('=');
      if (!this.tagOrder.has(tag)) this.tagOrder.set(tag, { key: tag.slice(0, at), value: tag.slice(at + 1) });
    }
    return { kind: 'tags', tags };
  }

  /**
   * Address groups are shared by prefix; the first use names one, as the CN2 documentation shows:
   * `<policy>[-egress][-except]`.
   */
  group(prefix: string, base: string): ContrailEndpoint {
    let name = this.groups.get(prefix);
    if (name === undefined) {
      name = base;
      for (let i = 2; this.groupNames.has(name); i++) name = `${base}-${i}`;
      this.groupNames.add(name);
      this.groups.set(prefix, name);
    }
    return { kind: 'addressGroup', name, prefix };
  }

  policy(policy: NamespacedPolicy): { policy: ContrailPolicy; denyAll: ContrailRule[] } | undefined {
    const { namespace, ref } = policy;
    const warn = (origin: Location, message: string): void =>
      void this.warnings.push({ origin, message: `NetworkPolicy ${policyName(ref)}: ${message}` });
    const targets = this.alternatives(policy.subject.pods.source, (m) =>
      warn(policy.subject.origin ?? ref.origin, `${m}; the policy is not rendered, so the pods it selects stay open`),
    );
    if (targets === undefined) return undefined;
    const rules: ContrailRule[] = [];
    const denyAll: ContrailRule[] = [];
    targets.forEach((target, t) => {
      const selected = this.tags([...target, tagName('namespace', namespace)]);
      const suffix = targets.length > 1 ? `-s${t}` : '';
      const any: ContrailEndpoint = { kind: 'any' };
      const all: ContrailService = { protocol: 'any', start: 0, end: 65535 };
      for (const direction of ['ingress', 'egress'] as const) {
        const list = policy[direction];
        if (list === undefined) continue;
        list.forEach((rule, i) => {
          const prefix = `${namespace}-${direction}-${ref.name}-${i}`;
          const services = this.services(rule, warn);
          const entries = this.peerEntries(rule, prefix, namespace, ref.name, direction, warn);
          for (const entry of entries) {
            services.forEach((service, k) =>
              rules.push({
                name: `${entry.name}${suffix}-${k}`,
                action: entry.action,
                service,
                direction,
                selected,
                peer: entry.endpoint,
              }),
            );
          }
        });
        denyAll.push(
          direction === 'ingress'
            ? {
                name: `${namespace}-ingress-${ref.name}${suffix}-denyall`,
                action: 'deny',
                service: all,
                direction,
                selected,
                peer: any,
              }
            : {
                name: `${namespace}-egress-${ref.name}${suffix}-default-deny-all`,
                action: 'deny',
                service: all,
                direction,
                selected,
                peer: any,
              },
        );
      }
    });
    return { policy: { name: `${namespace}-${ref.name}`, rules }, denyAll };
  }

  /** kube-manager's `spec_parser`, peer by peer: except denies before their cidr's pass, selectors as tags. */
  private peerEntries(
    rule: Rule,
    prefix: string,
    namespace: string,
    policy: string,
    direction: 'ingress' | 'egress',
    warn: (origin: Location, message: string) => void,
  ): { name: string; action: 'pass' | 'deny'; endpoint: ContrailEndpoint }[] {
    if (rule.peers === 'any') return [{ name: `${prefix}-allow-all`, action: 'pass', endpoint: { kind: 'any' } }];
    const groupBase = `${policy}${direction === 'egress' ? '-egress' : ''}`;
    return rule.peers.flatMap((peer, j) => {
      if (peer.kind === 'ipBlock') {
        return [
          ...peer.except.map((except) => ({
            name: `${prefix}-ipBlock-${j}-${except}`,
            action: 'deny' as const,
            endpoint: this.group(except, `${groupBase}-except`),
          })),
          {
            name: `${prefix}-ipBlock-${j}-cidr-${peer.cidr}`,
            action: 'pass' as const,
            endpoint: this.group(peer.cidr, groupBase),
          },
        ];
      }
      if (peer.kind !== 'selector') return []; // NetworkPolicy peers are selectors and ipBlocks only
      const written = peer.written ?? [];
      const kind = written.includes('namespaceSelector')
        ? written.includes('podSelector')
          ? 'namespaceSelector-podSelector'
          : 'namespaceSelector'
        : 'podSelector';
      const unsupported = (m: string): void => warn(peer.origin, `${m}; this peer is left out, so it allows nothing`);
      const pods = written.includes('podSelector') ? this.alternatives(peer.pods.source, unsupported) : [[]];
      const namespaces = this.namespaceAlternatives(peer, namespace, unsupported);
      if (pods === undefined || namespaces === undefined) return [];
      const alternatives = namespaces.flatMap((ns) => pods.map((p) => [...ns, ...p]));
      return alternatives.map((tags, a) => ({
        name: `${prefix}-${kind}-${j}${alternatives.length > 1 ? `-${a}` : ''}`,
        action: 'pass' as const,
        endpoint: this.tags(tags),
      }));
    });
  }

  /**
   * Pods carry their namespace's labels as tags, and `namespace=<ns>`. No
   * namespaceSelector means the policy's namespace; `{}` means every
   * namespace, which no one tag says: one alternative per namespace known.
   */
  private namespaceAlternatives(
    peer: SelectorPeer,
    own: string,
    unsupported: (m: string) => void,
  ): Alternatives | undefined {
    if (peer.namespaces.kind === 'same') return [[tagName('namespace', own)]];
    if (peer.namespaces.selector.isEverything()) {
      return [...this.cluster.namespaces.keys()].sort(compareStrings).map((ns) => [tagName('namespace', ns)]);
    }
    return this.alternatives(peer.namespaces.selector.source, unsupported);
  }

  /** matchLabels as tags, and `In` as one alternative per value; other operators have no tag form. */
  private alternatives(selector: LabelSelector, unsupported: (m: string) => void): Alternatives | undefined {
    let alternatives: string[][] = [Object.entries(selector.matchLabels ?? {}).map(([k, v]) => tagName(k, v))];
    for (const expression of selector.matchExpressions ?? []) {
      if (expression.operator !== 'In') {
        unsupported(
          `the selector operator ${expression.operator} (key ${expression.key}) has no form in Contrail tags`,
        );
        return undefined;
      }
      alternatives = alternatives.flatMap((tags) =>
        (expression.values ?? []).map((value) => [...tags, tagName(expression.key, value)]),
      );
    }
    return alternatives;
  }

  /**
   * kube-manager's `ports_parser`, made right:
   * TCP by default, endPort kept; a named port resolved where all pods agree.
   */
  private services(rule: Rule, warn: (origin: Location, message: string) => void): ContrailService[] {
    if (rule.ports === 'any') return [{ protocol: 'any', start: 0, end: 65535 }];
    return rule.ports.flatMap((match): ContrailService[] => {
      if (match.kind === 'numbered') {
        const protocol = match.protocol.toLowerCase() as ContrailService['protocol'];
        if (match.ports.isAll()) return [{ protocol, start: 0, end: 65535 }];
        return match.ports.ranges.map(([start, end]) => ({ protocol, start, end }));
      }
      const entries = new Map(
        this.cluster.endpoints
          .flatMap((e) => namedPortEntries(match, e))
          .map((e) => [`${e.protocol}/${e.port}`, e] as const),
      );
      const numbers = new Set([...entries.values()].map((e) => e.port));
      if (entries.size === 1) {
        const [{ protocol, port }] = [...entries.values()] as [{ protocol: Protocol; port: number }];
        return [{ protocol: protocol.toLowerCase() as ContrailService['protocol'], start: port, end: port }];
      }
      const where = numbers.size === 0 ? 'on no pod' : `${[...numbers].join(', ')} on different pods`;
      warn(
        match.origin,
        `the named port ${match.name} is ${where}; Contrail services are numbers, so this port is left out`,
      );
      return [];
    });
  }
}
