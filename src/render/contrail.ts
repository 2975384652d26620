import type { LabelSelector } from '../algebra/selector.js';
import type { Cluster } from '../model/cluster.js';
import { knownKind } from '../model/kinds.js';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../model/resources.js';
import type { Location, SourcedObject } from '../model/source.js';
import { typedView } from '../model/typed.js';
import { effectivePolicyTypes } from '../policy/networkpolicy.js';
import { compareStrings } from '../util/order.js';

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

export function renderContrail(
  objects: readonly SourcedObject[],
  cluster: Cluster,
  options: ContrailOptions = {},
): ContrailRendering {
  const clusterName = options.cluster ?? 'k8s';
  const context = new RenderContext(cluster);
  const policyObjects = objects
    .filter((o) => knownKind(o.apiVersion, o.kind) === 'NetworkPolicy')
    .sort((a, b) => compareStrings(`${a.namespace ?? 'default'}/${a.name}`, `${b.namespace ?? 'default'}/${b.name}`));
  const policies: ContrailPolicy[] = [];
  const denyAll: ContrailRule[] = [];
  for (const object of policyObjects) {
    const rendered = context.policy(object);
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

  /** Address groups are shared by prefix; the first use names one, as the CN2 documentation shows: `<policy>[-egress][-except]`. */
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

  policy(object: SourcedObject): { policy: ContrailPolicy; denyAll: ContrailRule[] } | undefined {
    const np = typedView<NetworkPolicy>(object);
    const namespace = object.namespace ?? 'default';
    const warn = (path: (string | number)[], message: string): void =>
      void this.warnings.push({
        origin: object.locate(path),
        message: `NetworkPolicy ${namespace}/${object.name}: ${message}`,
      });
    const targets = this.alternatives(np.spec?.podSelector ?? {}, (m) =>
      warn(['spec', 'podSelector'], `${m}; the policy is not rendered, so the pods it selects stay open`),
    );
    if (targets === undefined) return undefined;
    const types = effectivePolicyTypes(np);
    const rules: ContrailRule[] = [];
    const denyAll: ContrailRule[] = [];
    targets.forEach((target, t) => {
      const selected = this.tags([...target, tagName('namespace', namespace)]);
      const suffix = targets.length > 1 ? `-s${t}` : '';
      const any: ContrailEndpoint = { kind: 'any' };
      const all: ContrailService = { protocol: 'any', start: 0, end: 65535 };
      for (const direction of ['ingress', 'egress'] as const) {
        if (!types.has(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
        const list = (direction === 'ingress' ? np.spec?.ingress : np.spec?.egress) ?? [];
        list.forEach((rule, i) => {
          const peers =
            (direction === 'ingress'
              ? (rule as { from?: NetworkPolicyPeer[] }).from
              : (rule as { to?: NetworkPolicyPeer[] }).to) ?? [];
          const prefix = `${namespace}-${direction}-${object.name}-${i}`;
          const services = this.services(rule.ports ?? [], (j, m) => warn(['spec', direction, i, 'ports', j], m));
          const entries = this.peerEntries(peers, prefix, namespace, object.name, direction, (j, m) =>
            warn(['spec', direction, i, direction === 'ingress' ? 'from' : 'to', j], m),
          );
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
                name: `${namespace}-ingress-${object.name}${suffix}-denyall`,
                action: 'deny',
                service: all,
                direction,
                selected,
                peer: any,
              }
            : {
                name: `${namespace}-egress-${object.name}${suffix}-default-deny-all`,
                action: 'deny',
                service: all,
                direction,
                selected,
                peer: any,
              },
        );
      }
    });
    return { policy: { name: `${namespace}-${object.name}`, rules }, denyAll };
  }

  /** kube-manager's `spec_parser`, peer by peer: except denies before their cidr's pass, selectors as tags. */
  private peerEntries(
    peers: readonly NetworkPolicyPeer[],
    prefix: string,
    namespace: string,
    policy: string,
    direction: 'ingress' | 'egress',
    warn: (peer: number, message: string) => void,
  ): { name: string; action: 'pass' | 'deny'; endpoint: ContrailEndpoint }[] {
    if (peers.length === 0) return [{ name: `${prefix}-allow-all`, action: 'pass', endpoint: { kind: 'any' } }];
    const groupBase = `${policy}${direction === 'egress' ? '-egress' : ''}`;
    return peers.flatMap((peer, j) => {
      if (peer.ipBlock !== undefined) {
        const cidr = peer.ipBlock.cidr ?? '';
        return [
          ...(peer.ipBlock.except ?? []).map((except) => ({
            name: `${prefix}-ipBlock-${j}-${except}`,
            action: 'deny' as const,
            endpoint: this.group(except, `${groupBase}-except`),
          })),
          {
            name: `${prefix}-ipBlock-${j}-cidr-${cidr}`,
            action: 'pass' as const,
            endpoint: this.group(cidr, groupBase),
          },
        ];
      }
      const kind =
        peer.namespaceSelector === undefined
          ? 'podSelector'
          : peer.podSelector === undefined
            ? 'namespaceSelector'
            : 'namespaceSelector-podSelector';
      const unsupported = (m: string): void => warn(j, `${m}; this peer is left out, so it allows nothing`);
      const pods = peer.podSelector === undefined ? [[]] : this.alternatives(peer.podSelector, unsupported);
      const namespaces = this.namespaceAlternatives(peer.namespaceSelector, namespace, unsupported);
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
    selector: LabelSelector | undefined,
    own: string,
    unsupported: (m: string) => void,
  ): Alternatives | undefined {
    if (selector === undefined) return [[tagName('namespace', own)]];
    if (
      (selector.matchLabels === undefined || Object.keys(selector.matchLabels).length === 0) &&
      (selector.matchExpressions ?? []).length === 0
    ) {
      return [...this.cluster.namespaces.keys()].sort(compareStrings).map((ns) => [tagName('namespace', ns)]);
    }
    return this.alternatives(selector, unsupported);
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

  /** kube-manager's `ports_parser`, made right: TCP by default, endPort kept; a named port resolved where all pods agree. */
  private services(
    ports: readonly NetworkPolicyPort[],
    warn: (port: number, message: string) => void,
  ): ContrailService[] {
    if (ports.length === 0) return [{ protocol: 'any', start: 0, end: 65535 }];
    return ports.flatMap((port, j): ContrailService[] => {
      const protocol = (port.protocol ?? 'TCP').toLowerCase() as ContrailService['protocol'];
      if (port.port === undefined) return [{ protocol, start: 0, end: 65535 }];
      if (typeof port.port === 'number') return [{ protocol, start: port.port, end: port.endPort ?? port.port }];
      const numbers = new Set(
        this.cluster.endpoints.flatMap((e) =>
          e.ports.filter((p) => p.name === port.port && p.protocol.toLowerCase() === protocol).map((p) => p.port),
        ),
      );
      if (numbers.size === 1) {
        const [number] = numbers;
        return [{ protocol, start: number!, end: number! }];
      }
      warn(
        j,
        `the named port ${port.port} is ${numbers.size === 0 ? 'on no pod' : `${[...numbers].join(', ')} on different pods`}; Contrail services are numbers, so this port is left out`,
      );
      return [];
    });
  }
}
