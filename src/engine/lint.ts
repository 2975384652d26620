import { compareStrings } from '../util/order.js';
import { ConnSet, type Protocol } from '../algebra/connset.js';
import { type Cluster } from '../policy/cluster.js';
import { NAMESPACE_NAME_LABEL } from '../model/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import { type Location, formatLocation, printable } from '../util/location.js';
import type { ReplacedObject } from '../load/load.js';
import { isPolicyKind, knownKind } from '../resources/kinds.js';
import { objectKey } from '../resources/source.js';
import {
  type Direction,
  type Peer,
  type Policy,
  type Rule,
  type SelectorPeer,
  describeRulePeer,
  peerKey,
  policyName,
} from '../policy/ir.js';
import { workloadName } from './connlist.js';
import { tierFindings } from './lint-tiers.js';
import { type KubeDns, isKubeDns, kubeDns } from './kube-dns.js';
import {
  type EngineOptions,
  defaultEngineOptions,
  directionConns,
  isolatingPolicies,
  peerNamespaceMatches,
  selectorPeerMatches,
  selects,
} from '../policy/evaluate.js';
import { plural } from '../util/plural.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  readonly severity: Severity;
  readonly code: string;
  readonly location: Location;
  readonly message: string;
  /** One line that says what to change. */
  readonly fix: string;
}

/**
 * The mistakes people make with NetworkPolicy, found in one pass over a cluster. A finding is a
 * warning or an error only where the input proves it; what may be defined outside the input (pods
 * of a namespace it holds none of, namespace labels) or may be meant (pods left open beside
 * isolated ones) is a note, so that correct policies pass `--fail-on warning`.
 */
export function lint(
  cluster: Cluster,
  options: EngineOptions = defaultEngineOptions,
  replaced: readonly ReplacedObject[] = [],
): Finding[] {
  const dns = kubeDns(cluster);
  return [
    ...policiesSelectingNothing(cluster),
    ...peersMatchingNothing(cluster, dns),
    ...namespaceLabelsMissing(cluster),
    ...emptyPortNextToNumbered(cluster),
    ...andWrittenAsOr(cluster),
    ...ipBlocksCoveringPods(cluster),
    ...duplicatePolicies(cluster),
    ...policiesNamedTwice(replaced),
    ...shadowedByAllowAll(cluster),
    ...dnsBlocked(dns, options),
    ...partlyIsolatedNamespaces(cluster),
    ...ironcoreRulesAllowingNothing(cluster),
    ...legacyWithoutEffect(cluster),
    ...tierFindings(cluster, options),
  ].sort(
    (a, b) =>
      compareStrings(a.location.file, b.location.file) ||
      a.location.line - b.location.line ||
      compareStrings(a.code, b.code),
  );
}

/**
 * Under the legacy model, a policy does something only in a namespace the
 * DefaultDeny annotation isolates, and an annotation that cannot be read
 * isolates nothing: both look like protection and are none.
 */
function legacyWithoutEffect(cluster: Cluster): Finding[] {
  const legacy = cluster.legacy;
  if (legacy === undefined) return [];
  return [
    ...legacy.ineffective.map((p) =>
      finding(
        'warning',
        'legacy-policy-without-effect',
        p.ref.origin,
        `${policyName(p.ref)} has no effect: namespace ${p.namespace} is not isolated by the annotation ` +
          'net.beta.kubernetes.io/network-policy, so its pods take everything ' +
          '(under v1 semantics it would isolate them)',
        `annotate namespace ${p.namespace} with net.beta.kubernetes.io/network-policy: ` +
          `'{"ingress": {"isolation": "DefaultDeny"}}', or delete the policy`,
      ),
    ),
    ...legacy.problems.map((problem) =>
      finding(
        'error',
        'legacy-annotation-unreadable',
        problem.origin,
        `namespace ${problem.namespace}: ${problem.message}`,
        'write the annotation as {"ingress": {"isolation": "DefaultDeny"}}, or remove it',
      ),
    ),
  ];
}

const finding = (severity: Severity, code: string, location: Location, message: string, fix: string): Finding => ({
  severity,
  code,
  location,
  message,
  fix,
});

/** The namespaced policies, each with its namespace. */
const namespacedPolicies = (cluster: Cluster): (Policy & { readonly namespace: string })[] =>
  cluster.policies.filter((p): p is Policy & { readonly namespace: string } => p.namespace !== undefined);

const selected = (cluster: Cluster, policy: Policy): Endpoint[] =>
  cluster.endpoints.filter((e) => selects(cluster, policy, e));

const rulesOf = (policy: Policy): [Direction, Rule][] => [
  ...(policy.ingress ?? []).map((r): [Direction, Rule] => ['ingress', r]),
  ...(policy.egress ?? []).map((r): [Direction, Rule] => ['egress', r]),
];

const peersOf = (policy: Policy): Peer[] => rulesOf(policy).flatMap(([, r]) => (r.peers === 'any' ? [] : r.peers));

const names = (endpoints: readonly Endpoint[], limit = 5): string => {
  const unique = [...new Set(endpoints.map(workloadName))];
  return unique.slice(0, limit).join(', ') + (unique.length > limit ? `, and ${unique.length - limit} more` : '');
};

function policiesSelectingNothing(cluster: Cluster): Finding[] {
  return namespacedPolicies(cluster)
    .filter((p) => selected(cluster, p).length === 0)
    .map((p) =>
      p.ref.kind === 'IroncoreNetworkPolicy'
        ? finding(
            'warning',
            'policy-selects-nothing',
            p.ref.origin,
            `Ironcore NetworkPolicy ${policyName(p.ref)} selects nothing: ` +
              noTargetsMessage(cluster, p, p.namespace, p.scope?.network ?? ''),
            'make spec.networkInterfaceSelector match the labels the interfaces carry, or label the interfaces',
          )
        : finding(
            holdsPods(cluster, p.namespace) ? 'warning' : 'info',
            'policy-selects-nothing',
            p.ref.origin,
            `NetworkPolicy ${policyName(p.ref)} selects no pod: no pod in namespace ${p.namespace} matches ` +
              `podSelector ${p.subject.pods}` +
              (holdsPods(cluster, p.namespace) ? '' : `; ${ELSEWHERE(`in ${p.namespace}`)}`),
            `make spec.podSelector match the labels of the pods it is meant for, or delete the policy`,
          ),
    );
}

/** Why an Ironcore policy selects nothing: the interfaces of its network and their labels, next to what it asks for. */
export function noTargetsMessage(cluster: Cluster, policy: Policy, namespace: string, network: string): string {
  const candidates = cluster.endpoints.filter(
    (e) => e.kind === 'NetworkInterface' && e.namespace === namespace && e.network === network,
  );
  const wanted =
    `no NetworkInterface of network ${network} in namespace ${namespace} ` +
    `matches networkInterfaceSelector ${policy.subject.pods}`;
  if (candidates.length === 0)
    return `${wanted}: the network has no interfaces there that carry traffic (state Available, or no status)`;
  const labels = candidates.map(
    (e) =>
      `${e.name} {${Object.entries(e.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}}`,
  );
  return `${wanted}; its interfaces are labelled ${labels.join('; ')}`;
}

/** Ironcore allows only what a rule's ports and peers name: a rule without either allows nothing. */
function ironcoreRulesAllowingNothing(cluster: Cluster): Finding[] {
  return cluster.policies
    .filter((p) => p.ref.kind === 'IroncoreNetworkPolicy')
    .flatMap((p) =>
      rulesOf(p).flatMap(([direction, rule]) => {
        const where = `Ironcore NetworkPolicy ${policyName(p.ref)} ${direction}[${rule.ref.index}]`;
        const found: Finding[] = [];
        if (rule.ports !== 'any' && rule.ports.length === 0) {
          found.push(
            finding(
              'warning',
              'rule-without-ports',
              rule.ref.origin,
              `${where} has no ports: in Ironcore ports are mandatory ` +
                '("Only traffic matching the ports will be allowed"), so this rule allows nothing',
              'list the ports to allow, e.g. ports: [{protocol: TCP, port: 22}]',
            ),
          );
        }
        if (rule.peers !== 'any' && rule.peers.length === 0) {
          found.push(
            finding(
              'warning',
              'rule-without-peers',
              rule.ref.origin,
              `${where} names no peer: Ironcore has no "any" peer, so this rule allows nothing`,
              `name the peers in ${direction === 'ingress' ? 'from' : 'to'}: ` +
                'objectSelectors or ipBlocks (0.0.0.0/0 for anywhere)',
            ),
          );
        }
        return found;
      }),
    );
}

/** Whether the input holds pods (or workloads) in a namespace: only then can it say that a selector there misses. */
const holdsPods = (cluster: Cluster, namespace: string): boolean =>
  cluster.endpoints.some((e) => e.kind === 'Pod' && e.namespace === namespace);

const RULE_VERBS = { allow: 'allows', deny: 'denies', pass: 'passes on' } as const;

const ELSEWHERE = (where: string): string => `the input holds no pod ${where}, so they may be defined elsewhere`;

/**
 * Selector peers that match nothing, the assumed kube-dns included (a DNS peer in an application's
 * repository is no mistake). A warning when the input holds pods where the peer looks (its
 * policy's namespace, or a namespace its namespaceSelector picks): then its podSelector misses.
 */
function peersMatchingNothing(cluster: Cluster, dns: KubeDns): Finding[] {
  const candidates = [...cluster.endpoints, ...(dns.assumed ? dns.resolvers : [])].filter((e) => !e.hostNetwork);
  return cluster.policies.flatMap((p) =>
    rulesOf(p).flatMap(([direction, rule]) =>
      (rule.peers === 'any' ? [] : rule.peers)
        .filter((peer): peer is SelectorPeer => peer.kind === 'selector')
        .filter((peer) => !candidates.some((e) => selectorPeerMatches(dns.cluster, peer, e)))
        .map((peer) => {
          const proven =
            peer.scope !== undefined ||
            [...cluster.namespaces.keys()].some(
              (ns) => holdsPods(cluster, ns) && peerNamespaceMatches(cluster, peer, ns),
            );
          return finding(
            proven ? 'warning' : 'info',
            'peer-matches-nothing',
            peer.origin,
            `a peer of ${policyName(p.ref)} matches no ${peer.scope ? 'object' : 'pod'} (${describeRulePeer(peer)}), ` +
              `so its rule ${RULE_VERBS[rule.action]} nothing ${direction === 'egress' ? 'to' : 'from'} it` +
              (proven ? '' : `; ${ELSEWHERE('where it looks')}`),
            "check the peer's labels against the pods and namespaces it is meant for",
          );
        }),
    ),
  );
}

/**
 * A namespaceSelector that needs a label key no namespace has: often `name:` where
 * `kubernetes.io/metadata.name` was meant, a warning. Any other key is a warning only when the
 * input labels its namespaces; otherwise the labels are set elsewhere, and it is a note.
 */
function namespaceLabelsMissing(cluster: Cluster): Finding[] {
  const keys = new Set([...cluster.namespaces.values()].flatMap((n) => Object.keys(n.labels)));
  const labelsNamespaces = [...cluster.namespaces.values()].some((n) =>
    Object.keys(n.labels).some((key) => key !== NAMESPACE_NAME_LABEL),
  );
  const trap = (key: string): boolean => key === 'name' || key === 'namespace';
  return cluster.policies.flatMap((p) =>
    peersOf(p).flatMap((peer) => {
      if (peer.kind !== 'selector' || peer.namespaces.kind !== 'selector') return [];
      const source = peer.namespaces.selector.source;
      const needed = [
        ...Object.keys(source.matchLabels ?? {}),
        ...(source.matchExpressions ?? [])
          .filter((r) => r.operator === 'In' || r.operator === 'Exists')
          .map((r) => r.key),
      ];
      return [...new Set(needed)]
        .filter((key) => !keys.has(key))
        .map((key) => {
          const proven = trap(key) || labelsNamespaces;
          return finding(
            proven ? 'warning' : 'info',
            'namespace-label-missing',
            peer.origin,
            `namespaceSelector of ${policyName(p.ref)} needs label "${key}", ` +
              `which no namespace${proven ? '' : ' of the input'} has`,
            trap(key)
              ? 'select a namespace by name with the label kubernetes.io/metadata.name, which every namespace carries'
              : `label the namespaces you mean with "${key}", or select them by kubernetes.io/metadata.name`,
          );
        });
    }),
  );
}

/** `ports: [{}, {port: 80}]`: the empty entry allows every TCP port, so the numbered ones add nothing. */
function emptyPortNextToNumbered(cluster: Cluster): Finding[] {
  return cluster.policies.flatMap((p) =>
    rulesOf(p).flatMap(([direction, rule]) => {
      if (rule.ports === 'any' || rule.ports.length < 2) return [];
      const open = rule.ports.find((m) => m.kind === 'numbered' && m.ports.isAll());
      if (open === undefined) return [];
      const shadowed = rule.ports.filter((m) => m !== open && m.protocol === open.protocol);
      if (shadowed.length === 0) return [];
      return [
        finding(
          'warning',
          'port-entry-allows-all',
          open.origin,
          `${policyName(p.ref)} ${direction}[${rule.ref.index}]: a ports entry without a port ` +
            `allows every ${open.protocol} port, so the other ${open.protocol} entries add nothing`,
          'give the entry a port, or remove the entries it makes redundant',
        ),
      ];
    }),
  );
}

/** The YAML indentation trap: `- namespaceSelector` then `- podSelector` is OR; one item with both keys is AND. */
function andWrittenAsOr(cluster: Cluster): Finding[] {
  return cluster.policies.flatMap((p) =>
    rulesOf(p).flatMap(([direction, rule]) => {
      if (rule.peers === 'any') return [];
      const peers = rule.peers;
      return peers.slice(1).flatMap((peer, i) => {
        const previous = peers[i]!;
        const namespaceOnly = (x: Peer) =>
          x.kind === 'selector' && x.namespaces.kind === 'selector' && x.pods.isEverything();
        const podOnly = (x: Peer) => x.kind === 'selector' && x.namespaces.kind === 'same' && !x.pods.isEverything();
        if (!(namespaceOnly(previous) && podOnly(peer)) && !(podOnly(previous) && namespaceOnly(peer))) return [];
        return [
          finding(
            'info',
            'peers-or-not-and',
            previous.origin,
            `${policyName(p.ref)} ${direction}[${rule.ref.index}]: ` +
              'a namespaceSelector and a podSelector in separate list items allow either one (OR)',
            'if only those pods in those namespaces were meant (AND), ' +
              'put both selectors in one list item: remove the "-" before the second',
          ),
        ];
      });
    }),
  );
}

const kubernetesPolicies = (cluster: Cluster): Policy[] =>
  cluster.policies.filter((p) => p.ref.kind !== 'IroncoreNetworkPolicy');

function ipBlocksCoveringPods(cluster: Cluster): Finding[] {
  // Pods only: Ironcore interfaces keep their addresses, and ipBlocks are how Ironcore names them. NetworkPolicy
  // only: the tiers' `networks` are no ipBlock, and the API says they match pod addresses.
  const withIPs = cluster.endpoints.filter((e) => e.kind === 'Pod' && e.ips.length > 0 && !e.hostNetwork);
  const networkPolicies = kubernetesPolicies(cluster).filter((p) => p.tier === 'namespaced');
  return networkPolicies.flatMap((p) =>
    peersOf(p).flatMap((peer) => {
      if (peer.kind !== 'ipBlock') return [];
      const covered = withIPs.filter((e) => e.ips.some((ip) => peer.ips.hasAddress(ip)));
      if (covered.length === 0) return [];
      return [
        finding(
          'warning',
          'ipblock-covers-pods',
          peer.origin,
          `ipBlock ${peer.cidr} of ${policyName(p.ref)} covers the IPs of ${plural(covered.length, 'pod')} ` +
            `(${names(covered)}); pod IPs change when pods restart`,
          'select pods with podSelector and namespaceSelector; ' +
            'keep ipBlock for addresses outside the cluster, or except the pod network',
        ),
      ];
    }),
  );
}

function duplicatePolicies(cluster: Cluster): Finding[] {
  const seen = new Map<string, Policy>();
  const findings: Finding[] = [];
  for (const p of cluster.policies) {
    const key = `${p.namespace}\u0000${canonical(p)}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, p);
      continue;
    }
    findings.push(
      finding(
        'warning',
        'duplicate-policy',
        p.ref.origin,
        `NetworkPolicy ${policyName(p.ref)} says exactly what ` +
          `${policyName(first.ref)} (${formatLocation(first.ref.origin)}) says`,
        'delete one of them',
      ),
    );
  }
  return findings;
}

/**
 * A policy given twice by name: a cluster holds one, and which depends on how the files are applied (`kubectl
 * apply` leaves the later, `kubectl create` refuses it), so the input does not say what is enforced.
 */
function policiesNamedTwice(replaced: readonly ReplacedObject[]): Finding[] {
  return replaced.flatMap(({ object, by }) => {
    const kind = knownKind(by.apiVersion, by.kind);
    if (kind === undefined || !isPolicyKind(kind)) return [];
    return [
      finding(
        'error',
        'duplicate-policy',
        by.origin,
        `${printable(by.kind)} ${objectKey(by)} is defined twice (also at ${formatLocation(object.origin)}); ` +
          'kubectl apply keeps the later, kubectl create refuses it',
        'delete one of them, or give one another name',
      ),
    ];
  });
}

function canonical(p: Policy): string {
  const rule = (r: Rule): string => {
    const peers =
      r.peers === 'any'
        ? '*'
        : r.peers
            .map((x) =>
              x.kind === 'ipBlock'
                ? `ip:${x.ips}:${x.podAddresses}`
                : x.kind === 'selector'
                  ? `sel:${x.namespaces.kind === 'same' ? '=' : x.namespaces.selector}:${x.pods}`
                  : peerKey(x),
            )
            .sort()
            .join('|');
    const ports =
      r.ports === 'any'
        ? '*'
        : r.ports
            .map((m) => (m.kind === 'named' ? `${m.protocol}/${m.name}` : `${m.protocol}/${m.ports}`))
            .sort()
            .join('|');
    return `${peers}#${ports}`;
  };
  const direction = (rules: readonly Rule[] | undefined): string =>
    rules === undefined ? '-' : rules.map(rule).sort().join(';');
  const namespaces = p.subject.namespaces;
  const subject = `${namespaces.kind === 'same' ? namespaces.namespace : namespaces.selector}/${p.subject.pods}`;
  return `${subject}\u0000${direction(p.ingress)}\u0000${direction(p.egress)}`;
}

const allowsAll = (r: Rule): boolean => r.peers === 'any' && r.ports === 'any';

/**
 * A rule is moot when every pod its policy selects is also selected by another policy
 * that allows everything that way.
 */
function shadowedByAllowAll(cluster: Cluster): Finding[] {
  return cluster.policies.flatMap((p) => {
    const subjects = selected(cluster, p);
    if (subjects.length === 0) return [];
    return rulesOf(p).flatMap(([direction, rule]) => {
      if (allowsAll(rule)) return [];
      const opener = (e: Endpoint) =>
        isolatingPolicies(cluster, e, direction).find((q) => q !== p && q[direction]!.some(allowsAll));
      const openers = subjects.map(opener);
      if (openers.some((o) => o === undefined)) return [];
      return [
        finding(
          'info',
          'rule-shadowed',
          rule.ref.origin,
          `${policyName(p.ref)} ${direction}[${rule.ref.index}] has no effect: ` +
            `${policyName(openers[0]!.ref)} (${formatLocation(openers[0]!.ref.origin)}) ` +
            `allows all ${direction} to the same pods`,
          `remove the rule, or narrow the allow-all policy if it is broader than meant`,
        ),
      ];
    });
  });
}

const DNS: readonly { protocol: Protocol; conns: ConnSet }[] = [
  { protocol: 'UDP', conns: ConnSet.port('UDP', 53) },
  { protocol: 'TCP', conns: ConnSet.port('TCP', 53) },
];

/** `UDP`, `TCP`, or `UDP and TCP`: what kube-dns cannot be reached on. */
const spell = (protocols: readonly Protocol[]): string => protocols.join(' and ');

/**
 * Egress isolation without a way to kube-dns on UDP 53 and TCP 53 breaks name resolution (DNS
 * falls back to TCP for long answers): the most common default-deny outage. Against the loaded
 * kube-dns pods, or the one assumed in kube-system.
 */
function dnsBlocked(dns: KubeDns, options: EngineOptions): Finding[] {
  const cluster = dns.cluster;
  const blocked: { policy: Policy; missing: Protocol[]; endpoints: Endpoint[] }[] = [];
  for (const e of cluster.endpoints) {
    if (e.kind !== 'Pod' || isKubeDns(e)) continue; // kube-dns is the pods' resolver
    const isolating = isolatingPolicies(cluster, e, 'egress');
    if (isolating.length === 0) continue;
    const reach = dns.resolvers.reduce(
      (conns, resolver) =>
        conns.union(
          directionConns(cluster, e, { kind: 'endpoint', endpoint: resolver, ip: resolver.ips[0] }, 'egress', options),
        ),
      ConnSet.none,
    );
    const missing = DNS.filter((d) => !d.conns.isSubsetOf(reach)).map((d) => d.protocol);
    if (missing.length === 0) continue;
    const policy = isolating[0]!;
    const group = blocked.find((b) => b.policy === policy && spell(b.missing) === spell(missing));
    if (group === undefined) blocked.push({ policy, missing, endpoints: [e] });
    else group.endpoints.push(e);
  }
  return blocked.map(({ policy, missing, endpoints }) =>
    finding(
      'error',
      'egress-blocks-dns',
      policy.ref.origin,
      `egress isolation by ${policyName(policy.ref)} leaves ${names(endpoints)} unable to reach kube-dns on ` +
        `${spell(missing)} 53${dns.assumed ? ' (kube-dns assumed in kube-system)' : ''}`,
      'add an egress rule to namespaceSelector {kubernetes.io/metadata.name: kube-system} with podSelector ' +
        `{k8s-app: kube-dns} on ${missing.map((m) => `${m} 53`).join(' and ')}`,
    ),
  );
}

/**
 * Pods that no policy isolates, in a namespace where policies isolate others: a forgotten label, or
 * what every single-app policy means to do (the other pods stay open). A note, not a warning.
 */
function partlyIsolatedNamespaces(cluster: Cluster): Finding[] {
  const findings: Finding[] = [];
  for (const [namespace, policies] of cluster.policiesByNamespace) {
    const endpoints = cluster.endpoints.filter((e) => e.kind === 'Pod' && e.namespace === namespace && !e.hostNetwork);
    for (const direction of ['ingress', 'egress'] as const) {
      const open = endpoints.filter((e) => isolatingPolicies(cluster, e, direction).length === 0);
      if (open.length === 0 || open.length === endpoints.length) continue;
      const anchor =
        policies.find((p) => p[direction] !== undefined && p.ref.kind !== 'IroncoreNetworkPolicy') ?? policies[0]!;
      findings.push(
        finding(
          'info',
          'pods-not-isolated',
          anchor.ref.origin,
          `in namespace ${namespace}, ${names(open)} ${open.length === 1 ? 'is' : 'are'} ` +
            `not isolated for ${direction} while other pods are`,
          'add a default-deny policy ' +
            `(podSelector: {}, policyTypes: [${direction === 'ingress' ? 'Ingress' : 'Egress'}]) ` +
            `to ${namespace}, or select these pods`,
        ),
      );
    }
  }
  return findings;
}
