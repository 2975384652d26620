import { PROTOCOLS, type Protocol, isProtocol } from '../algebra/connset.js';
import { IPSet } from '../algebra/ipset.js';
import { PortSet } from '../algebra/portset.js';
import { type LabelSelector, Selector } from '../algebra/selector.js';
import { knownKind } from '../resources/kinds.js';
import type {
  AdminNetworkPolicy,
  AdminNetworkPolicyPort,
  BaselineAdminNetworkPolicy,
  ClusterNetworkPolicy,
  ClusterNetworkPolicyProtocol,
  NamespacedPod,
  TierPolicyEgressPeer,
  TierPolicySubject,
} from '../resources/types.js';
import type { FieldPath } from '../util/location.js';
import type { SourcedObject } from '../resources/source.js';
import { typedView } from '../validate/typed.js';
import { ownValue } from '../util/records.js';
import type { Action, Direction, Peer, Policy, PolicyRef, PortMatch, Rule, Subject, Tier } from './ir.js';

/**
 * The cluster-wide tiers of policy.networking.k8s.io as IR, every decision about their fields made here:
 * - AdminNetworkPolicy (v1alpha1): the admin tier at its priority; Allow, Deny, Pass.
 * - BaselineAdminNetworkPolicy (v1alpha1): the baseline tier, after every baseline ClusterNetworkPolicy.
 * - ClusterNetworkPolicy (v1alpha2): the tier it names at its priority; Accept, Deny, Pass.
 * Subjects and peers pick namespaces by labels and pods by labels within them; `nodes` peers pick node
 * addresses, `networks` addresses (pods' included), `domainNames` names only DNS can resolve. Rules are
 * read as they are: no ports means every port, and selecting a pod isolates nothing.
 */
export function normaliseTierPolicy(object: SourcedObject): Policy | undefined {
  switch (knownKind(object.apiVersion, object.kind)) {
    case 'AdminNetworkPolicy': {
      const { spec } = typedView<AdminNetworkPolicy>(object);
      return tierPolicy(object, 'admin', spec.priority, spec, portsOfV1alpha1);
    }
    case 'BaselineAdminNetworkPolicy': {
      const { spec } = typedView<BaselineAdminNetworkPolicy>(object);
      return tierPolicy(object, 'baseline', BASELINE_ADMIN_PRIORITY, spec, portsOfV1alpha1);
    }
    case 'ClusterNetworkPolicy': {
      const { spec } = typedView<ClusterNetworkPolicy>(object);
      const tier = spec.tier === 'Admin' ? 'admin' : 'baseline';
      return tierPolicy(object, tier, spec.priority, spec, protocolsOfV1alpha2);
    }
    default:
      return undefined;
  }
}

/**
 * The BaselineAdminNetworkPolicy stands after every baseline ClusterNetworkPolicy (priorities end at 1000): the
 * two APIs are not meant to meet in one cluster, and where they do, the newer one's explicit order comes first.
 */
const BASELINE_ADMIN_PRIORITY = 1001;

/** A rule of either API version, as far as the normaliser reads it. */
interface TierRule {
  readonly name?: string;
  readonly action: string;
  readonly from?: readonly TierPolicyEgressPeer[];
  readonly to?: readonly TierPolicyEgressPeer[];
  readonly ports?: readonly AdminNetworkPolicyPort[];
  readonly protocols?: readonly ClusterNetworkPolicyProtocol[];
}

interface TierSpec {
  readonly subject: TierPolicySubject;
  readonly ingress?: readonly TierRule[];
  readonly egress?: readonly TierRule[];
}

type PortsOf = (
  rule: TierRule,
  locate: (path: FieldPath) => PortMatch['origin'],
  path: FieldPath,
) => PortMatch[] | 'any';

function tierPolicy(
  object: SourcedObject,
  tier: Exclude<Tier, 'namespaced'>,
  priority: number,
  spec: TierSpec,
  portsOf: PortsOf,
): Policy {
  const ref: PolicyRef = {
    kind: object.kind as PolicyRef['kind'],
    name: object.name,
    origin: object.origin,
  };
  const locate = (path: FieldPath) => object.locate(path);
  const rules = (direction: Direction, list: readonly TierRule[] | undefined): Rule[] | undefined =>
    list?.map((rule, index) => {
      const path: FieldPath = ['spec', direction, index];
      const peersField = direction === 'ingress' ? 'from' : 'to';
      const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
      return {
        ref: {
          policy: ref,
          direction,
          index,
          ...(rule.name === undefined ? {} : { name: rule.name }),
          origin: locate(path),
        },
        // A validated rule has one of the three actions; anything else fails closed.
        action: ownValue(ACTIONS, rule.action) ?? 'deny',
        peers: peers.flatMap((peer, j) => normalisePeer(peer, locate([...path, peersField, j]))),
        ports: portsOf(rule, locate, path),
      };
    });
  const ingress = rules('ingress', spec.ingress);
  const egress = rules('egress', spec.egress);
  return {
    ref,
    tier,
    priority,
    subject: normaliseSubject(spec.subject, locate(['spec', 'subject'])),
    ...(ingress === undefined ? {} : { ingress }),
    ...(egress === undefined ? {} : { egress }),
  };
}

/** Both API versions' words for the three actions. */
const ACTIONS: Readonly<Record<string, Action>> = { Allow: 'allow', Accept: 'allow', Deny: 'deny', Pass: 'pass' };

/** `namespaces`: every pod of the namespaces it selects; `pods`: the pods it selects in those namespaces. */
function normaliseSubject(subject: TierPolicySubject, origin: Subject['origin']): Subject {
  if (subject.pods !== undefined) return { ...podsIn(subject.pods), ...(origin ? { origin } : {}) };
  return {
    namespaces: { kind: 'selector', selector: Selector.compile(subject.namespaces ?? {}) },
    pods: Selector.everything,
    ...(origin ? { origin } : {}),
  };
}

const podsIn = (pods: NamespacedPod): Pick<Subject, 'namespaces' | 'pods'> => ({
  // ClusterNetworkPolicy may leave out namespaceSelector: every namespace.
  namespaces: { kind: 'selector', selector: Selector.compile(pods.namespaceSelector ?? ({} as LabelSelector)) },
  pods: Selector.compile(pods.podSelector),
});

/** One peer, as one or more IR peers (each network its own, as the rule matches any of them). */
function normalisePeer(peer: TierPolicyEgressPeer, origin: Peer['origin']): Peer[] {
  if (peer.namespaces !== undefined) {
    const selector = Selector.compile(peer.namespaces);
    return [{ kind: 'selector', namespaces: { kind: 'selector', selector }, pods: Selector.everything, origin }];
  }
  if (peer.pods !== undefined) return [{ kind: 'selector', ...podsIn(peer.pods), origin }];
  if (peer.nodes !== undefined) return [{ kind: 'nodes', nodes: Selector.compile(peer.nodes), origin }];
  if (peer.networks !== undefined) {
    return peer.networks.map((cidr) => ({
      kind: 'ipBlock',
      ips: IPSet.fromIPBlock(cidr, []),
      cidr,
      except: [],
      podAddresses: 'always',
      origin,
    }));
  }
  if (peer.domainNames !== undefined) return [{ kind: 'domains', names: peer.domainNames, origin }];
  // A peer of a kind this version does not know matches nothing: an allow then allows nothing (fail closed).
  return [];
}

/** v1alpha1 `ports`: a number, an inclusive range, or a container port name; none means every port. */
function portsOfV1alpha1(
  rule: TierRule,
  locate: (path: FieldPath) => PortMatch['origin'],
  path: FieldPath,
): PortMatch[] | 'any' {
  if (rule.ports === undefined) return 'any';
  return rule.ports.flatMap((port, j): PortMatch[] => {
    const origin = locate([...path, 'ports', j]);
    if (port.namedPort !== undefined) return [{ kind: 'named', name: port.namedPort, origin }];
    const numbered = port.portNumber ?? port.portRange;
    if (numbered === undefined || !isProtocol(numbered.protocol)) return [];
    const ports =
      port.portNumber !== undefined
        ? PortSet.range(port.portNumber.port)
        : PortSet.range(port.portRange!.start, port.portRange!.end);
    return [{ kind: 'numbered', protocol: numbered.protocol, ports, origin }];
  });
}

/** v1alpha2 `protocols`: per protocol, a destination port number or range (none: every port), or a port name. */
function protocolsOfV1alpha2(
  rule: TierRule,
  locate: (path: FieldPath) => PortMatch['origin'],
  path: FieldPath,
): PortMatch[] | 'any' {
  if (rule.protocols === undefined) return 'any';
  return rule.protocols.flatMap((entry, j): PortMatch[] => {
    const origin = locate([...path, 'protocols', j]);
    if (entry.destinationNamedPort !== undefined) return [{ kind: 'named', name: entry.destinationNamedPort, origin }];
    return PROTOCOLS.flatMap((protocol: Protocol): PortMatch[] => {
      const match = entry[protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp'];
      if (match === undefined) return [];
      const port = match.destinationPort;
      const ports =
        port?.number !== undefined
          ? PortSet.range(port.number)
          : port?.range !== undefined
            ? PortSet.range(port.range.start, port.range.end)
            : PortSet.all;
      return [{ kind: 'numbered', protocol, ports, origin }];
    });
  });
}
