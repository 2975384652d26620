import { IPSet } from '../algebra/ipset.js';
import { PortSet } from '../algebra/portset.js';
import { Selector } from '../algebra/selector.js';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../resources/types.js';
import type { FieldPath } from '../util/location.js';
import type { SourcedObject } from '../resources/source.js';
import type { Direction, Peer, Policy, PolicyRef, PortMatch, Rule } from './ir.js';
import { typedView } from '../validate/typed.js';
import { DEFAULT_NAMESPACE, protocolOrDefault } from '../resources/defaults.js';

/**
 * Normalises a validated `networking.k8s.io/v1` NetworkPolicy into the IR.
 * Every v1 semantic decision is made here:
 * - policyTypes defaulting (Ingress always; Egress when egress rules exist);
 * - absent and empty `from`/`to`/`ports` both mean "any";
 * - a port entry without protocol means TCP, and without port means every port;
 * - a peer with only podSelector looks in the policy's own namespace.
 */
export function normaliseNetworkPolicy(object: SourcedObject): Policy {
  let normalised = normalisedPolicies.get(object);
  if (normalised === undefined) normalisedPolicies.set(object, (normalised = normalise(object)));
  return normalised;
}

/** Policies by object: an agent rebuilds its cluster on every change, and most policies did not change. */
const normalisedPolicies = new WeakMap<SourcedObject, Policy>();

function normalise(object: SourcedObject): Policy {
  const policy = typedView<NetworkPolicy>(object);
  const spec = policy.spec ?? {};
  const namespace = object.namespace ?? DEFAULT_NAMESPACE;
  const ref: PolicyRef = { kind: 'NetworkPolicy', namespace, name: object.name, origin: object.origin };
  const types = effectivePolicyTypes(policy);
  const rules = (
    direction: Direction,
    list: readonly { ports?: readonly NetworkPolicyPort[]; peers?: readonly NetworkPolicyPeer[] }[],
  ) =>
    list.map((rule, index): Rule => {
      const path = ['spec', direction, index];
      const peerField = direction === 'ingress' ? 'from' : 'to';
      return {
        ref: { policy: ref, direction, index, origin: object.locate(path) },
        action: 'allow',
        peers: nonEmpty(rule.peers)
          ? rule.peers.map((peer, j) => normalisePeer(peer, namespace, object, [...path, peerField, j]))
          : 'any',
        ports: nonEmpty(rule.ports)
          ? rule.ports.map((port, j) => normalisePort(port, object, [...path, 'ports', j]))
          : 'any',
      };
    });
  return {
    ref,
    tier: 'namespaced',
    priority: 0,
    namespace,
    subject: {
      namespaces: { kind: 'same', namespace },
      pods: Selector.compile(spec.podSelector ?? {}),
      origin: object.locate(['spec', 'podSelector']),
    },
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

/** `SetDefaults_NetworkPolicy`: the apiserver's defaulting of an empty policyTypes. */
export function effectivePolicyTypes(policy: NetworkPolicy): ReadonlySet<string> {
  const declared = policy.spec?.policyTypes ?? [];
  if (declared.length > 0) return new Set(declared);
  return new Set(nonEmpty(policy.spec?.egress) ? ['Ingress', 'Egress'] : ['Ingress']);
}

function normalisePeer(peer: NetworkPolicyPeer, namespace: string, object: SourcedObject, path: FieldPath): Peer {
  const origin = object.locate(path);
  if (peer.ipBlock) {
    const except = peer.ipBlock.except ?? [];
    const cidr = peer.ipBlock.cidr ?? '';
    return { kind: 'ipBlock', ips: IPSet.fromIPBlock(cidr, except), cidr, except, podAddresses: 'by-option', origin };
  }
  return {
    kind: 'selector',
    namespaces: peer.namespaceSelector
      ? { kind: 'selector', selector: Selector.compile(peer.namespaceSelector) }
      : { kind: 'same', namespace },
    pods: Selector.compile(peer.podSelector ?? {}),
    written: [
      ...(peer.namespaceSelector ? (['namespaceSelector'] as const) : []),
      ...(peer.podSelector ? (['podSelector'] as const) : []),
    ],
    origin,
  };
}

function normalisePort(port: NetworkPolicyPort, object: SourcedObject, path: FieldPath): PortMatch {
  const origin = object.locate(path);
  const protocol = protocolOrDefault(port.protocol);
  if (typeof port.port === 'string') return { kind: 'named', protocol, name: port.port, origin };
  const ports = typeof port.port === 'number' ? PortSet.range(port.port, port.endPort ?? port.port) : PortSet.all;
  return { kind: 'numbered', protocol, ports, origin };
}

function nonEmpty<T>(list: readonly T[] | undefined | null): list is readonly T[] {
  return Array.isArray(list) && list.length > 0;
}
