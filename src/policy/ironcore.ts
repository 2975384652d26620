import type { Protocol } from '../algebra/connset.js';
import { IPSet } from '../algebra/ipset.js';
import { PortSet } from '../algebra/portset.js';
import { Selector } from '../algebra/selector.js';
import type { IroncoreNetworkPolicy, IroncorePolicyPeer, IroncorePolicyPort } from '../resources/types.js';
import type { FieldPath } from '../util/location.js';
import type { SourcedObject } from '../resources/source.js';
import { typedView } from '../validate/typed.js';
import { defaultedPolicyTypes } from '../validate/ironcore.js';
import { DEFAULT_NAMESPACE } from '../resources/defaults.js';
import type { Direction, Peer, Policy, PolicyRef, PortMatch, Rule, Scope } from './ir.js';
import type { EndpointKind } from '../model/endpoints.js';
import { protocolOrDefault } from '../resources/defaults.js';

/**
 * Every Ironcore semantic decision is made here:
 * - the policy applies to NetworkInterfaces of its network, in its namespace, that its selector picks;
 * - policyTypes are defaulted from the rules present, as the apiserver does;
 * - peers are the interfaces, load balancers and virtual IPs of the same network that an
 *   objectSelector names by kind and labels, or ipBlocks (minus excepts);
 * - ports are mandatory ("Only traffic matching the ports will be allowed"): a rule without
 *   ports allows nothing, and so does a rule without peers, as in ironcore-net;
 * - a port without protocol is TCP, as the API documents; without a number, every port.
 */
export function normaliseIroncorePolicy(object: SourcedObject): Policy {
  const policy = typedView<IroncoreNetworkPolicy>(object);
  const spec = policy.spec ?? {};
  const namespace = object.namespace ?? DEFAULT_NAMESPACE;
  const network = spec.networkRef?.name ?? '';
  const ref: PolicyRef = {
    kind: 'IroncoreNetworkPolicy',
    namespace,
    name: object.name,
    origin: object.origin,
    network,
  };
  const types = new Set(defaultedPolicyTypes(policy));
  const rules = (
    direction: Direction,
    list: readonly { ports?: readonly IroncorePolicyPort[]; peers?: readonly IroncorePolicyPeer[] }[],
  ): Rule[] =>
    list.map((rule, index) => {
      const path: FieldPath = ['spec', direction, index];
      const peersField = direction === 'ingress' ? 'from' : 'to';
      return {
        ref: { policy: ref, direction, index, origin: object.locate(path) },
        action: 'allow',
        peers: (rule.peers ?? []).flatMap((peer, j) =>
          normalisePeer(peer, namespace, network, object, [...path, peersField, j]),
        ),
        ports: (rule.ports ?? []).map((port, j) => normalisePort(port, object, [...path, 'ports', j])),
      };
    });
  return {
    ref,
    tier: 'namespaced',
    priority: 0,
    namespace,
    subject: {
      namespaces: { kind: 'same', namespace },
      pods: Selector.compile(spec.networkInterfaceSelector ?? {}),
    },
    scope: { kinds: ['NetworkInterface'], network },
    ...(types.has('Ingress')
      ? {
          ingress: rules(
            'ingress',
            (spec.ingress ?? []).map((r) => ({ ports: r.ports, peers: r.from })),
          ),
        }
      : {}),
    ...(types.has('Egress')
      ? {
          egress: rules(
            'egress',
            (spec.egress ?? []).map((r) => ({ ports: r.ports, peers: r.to })),
          ),
        }
      : {}),
  };
}

function normalisePeer(
  peer: IroncorePolicyPeer,
  namespace: string,
  network: string,
  object: SourcedObject,
  path: FieldPath,
): Peer[] {
  const origin = object.locate(path);
  if (peer.objectSelector !== undefined) {
    const { kind, ...selector } = peer.objectSelector;
    const scope: Scope = { kinds: [kind as EndpointKind], network };
    return [
      { kind: 'selector', namespaces: { kind: 'same', namespace }, pods: Selector.compile(selector), scope, origin },
    ];
  }
  if (peer.ipBlock !== undefined) {
    const cidr = peer.ipBlock.cidr ?? '';
    const except = peer.ipBlock.except ?? [];
    return [{ kind: 'ipBlock', ips: IPSet.fromIPBlock(cidr, except), cidr, except, podAddresses: 'by-option', origin }];
  }
  return []; // a peer that names nothing matches nothing
}

/** A port as Ironcore means it: TCP when no protocol is given, and 0 for no number (every port). */
export function defaultedIroncorePort(port: IroncorePolicyPort): {
  protocol: Protocol;
  port: number;
  endPort?: number;
} {
  return {
    protocol: protocolOrDefault(port.protocol),
    port: port.port ?? 0,
    ...(port.endPort !== undefined ? { endPort: port.endPort } : {}),
  };
}

function normalisePort(raw: IroncorePolicyPort, object: SourcedObject, path: FieldPath): PortMatch {
  const { protocol, port, endPort } = defaultedIroncorePort(raw);
  const ports = port === 0 ? PortSet.all : PortSet.range(port, endPort ?? port);
  return { kind: 'numbered', protocol, ports, origin: object.locate(path) };
}
