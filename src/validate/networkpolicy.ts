import { parseCIDR } from '../algebra/ip.js';
import { PROTOCOLS } from '../algebra/connset.js';
import type { FieldPath } from '../util/location.js';
import type { IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../resources/types.js';
import { type FieldError, forbidden, invalid, notSupported, required } from '../resources/field-error.js';
import { validateObjectMeta } from './meta.js';
import { isValidPortName, isValidPortNum } from './names.js';
import { validateLabelSelector } from './selector.js';

/** The apiserver lists supported protocols in this order for NetworkPolicy ports. */
const POLICY_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const POLICY_TYPES = ['Ingress', 'Egress'] as const;
const CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** `ValidateNetworkPolicy` of k8s.io/kubernetes pkg/apis/networking/validation, message for message. */
export function validateNetworkPolicy(policy: NetworkPolicy): FieldError[] {
  const spec = policy.spec ?? {};
  const errors = [...validateObjectMeta(policy.metadata, true, 'subdomain')];
  errors.push(...validateLabelSelector(spec.podSelector, ['spec', 'podSelector']));
  (spec.ingress ?? []).forEach((rule, i) => {
    const path = ['spec', 'ingress', i];
    (rule.ports ?? []).forEach((port, j) => errors.push(...validatePort(port, [...path, 'ports', j])));
    (rule.from ?? []).forEach((peer, j) => errors.push(...validatePeer(peer, [...path, 'from', j])));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    const path = ['spec', 'egress', i];
    (rule.ports ?? []).forEach((port, j) => errors.push(...validatePort(port, [...path, 'ports', j])));
    (rule.to ?? []).forEach((peer, j) => errors.push(...validatePeer(peer, [...path, 'to', j])));
  });
  errors.push(...validatePolicyTypes(spec.policyTypes ?? []));
  return errors;
}

function validatePolicyTypes(policyTypes: readonly string[]): FieldError[] {
  if (policyTypes.length > POLICY_TYPES.length) {
    const shown = `[]networking.PolicyType{${policyTypes.map((t) => JSON.stringify(t)).join(', ')}}`;
    return [invalid(['spec', 'policyTypes'], { goSyntax: shown }, 'may not specify more than two policyTypes')];
  }
  return policyTypes.flatMap((type, i) =>
    (POLICY_TYPES as readonly string[]).includes(type)
      ? []
      : [notSupported(['spec', 'policyTypes', i], type, POLICY_TYPES)],
  );
}

function validatePort(port: NetworkPolicyPort, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const { protocol, port: value, endPort } = port;
  if (protocol !== undefined && protocol !== null && !(PROTOCOLS as readonly string[]).includes(protocol)) {
    errors.push(notSupported([...path, 'protocol'], protocol, POLICY_PROTOCOLS));
  }
  const hasEndPort = endPort !== undefined && endPort !== null;
  if (typeof value === 'number') {
    errors.push(...isValidPortNum(value).map((m) => invalid([...path, 'port'], value, m)));
    if (hasEndPort) {
      if (endPort < value)
        errors.push(invalid([...path, 'endPort'], endPort, 'must be greater than or equal to `port`'));
      errors.push(...isValidPortNum(endPort).map((m) => invalid([...path, 'endPort'], endPort, m)));
    }
  } else if (typeof value === 'string') {
    if (hasEndPort)
      errors.push(invalid([...path, 'endPort'], endPort, 'may not be specified when `port` is non-numeric'));
    errors.push(...isValidPortName(value).map((m) => invalid([...path, 'port'], value, m)));
  } else if (hasEndPort) {
    errors.push(invalid([...path, 'endPort'], endPort, 'may not be specified when `port` is not specified'));
  }
  return errors;
}

function validatePeer(peer: NetworkPolicyPeer, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const present = (v: unknown): boolean => v !== undefined && v !== null;
  const count = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter(present).length;
  if (present(peer.podSelector)) errors.push(...validateLabelSelector(peer.podSelector, [...path, 'podSelector']));
  if (present(peer.namespaceSelector)) {
    errors.push(...validateLabelSelector(peer.namespaceSelector, [...path, 'namespaceSelector']));
  }
  if (present(peer.ipBlock)) errors.push(...validateIPBlock(peer.ipBlock!, [...path, 'ipBlock']));
  if (count === 0) errors.push(required(path, 'must specify a peer'));
  else if (count > 1 && present(peer.ipBlock))
    errors.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errors;
}

function validateIPBlock(block: IPBlock, path: FieldPath): FieldError[] {
  const cidrText = block.cidr ?? '';
  if (cidrText === '') return [required([...path, 'cidr'])];
  const cidr = parseCIDR(cidrText);
  if (cidr === undefined) return [invalid([...path, 'cidr'], cidrText, CIDR_MESSAGE)];
  const errors: FieldError[] = [];
  (block.except ?? []).forEach((exceptText, k) => {
    const exceptPath = [...path, 'except', k];
    const except = parseCIDR(exceptText);
    if (except === undefined) {
      errors.push(invalid(exceptPath, exceptText, CIDR_MESSAGE));
      return;
    }
    // Go: !cidrNet.Contains(except.IP) || cidrMaskLen >= exceptMaskLen
    const inside = except.family === cidr.family && except.first >= cidr.first && except.first <= cidr.last;
    if (!inside || cidr.prefix >= except.prefix)
      errors.push(invalid(exceptPath, exceptText, 'must be a strict subset of `cidr`'));
  });
  return errors;
}
