import { parseCIDR } from '../algebra/ip.js';
import type { IPBlock, IroncoreNetworkPolicy, IroncorePolicyPeer, IroncorePolicyPort } from '../resources/types.js';
import type { FieldPath } from '../util/location.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from '../resources/field-error.js';
import { validateObjectMeta } from './meta.js';
import { isDNS1123Subdomain, isValidPortNum } from './names.js';
import { validateLabelSelector } from './selector.js';

/** Ironcore's enums are checked with `ValidateEnum`, which lists the allowed values sorted. */
const POLICY_TYPES = ['Egress', 'Ingress'];
const PEER_KINDS = ['LoadBalancer', 'NetworkInterface', 'VirtualIP'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/**
 * `ValidateNetworkPolicy` of ironcore's internal/apis/networking/validation,
 * after `SetDefaults_NetworkPolicySpec` (policyTypes gain Ingress and Egress
 * from the rules present), message for message.
 */
export function validateIroncoreNetworkPolicy(policy: IroncoreNetworkPolicy): FieldError[] {
  const spec = policy.spec ?? {};
  const errors = [...validateObjectMeta(policy.metadata, true, 'subdomain')];
  const networkRef = spec.networkRef?.name ?? '';
  if (networkRef === '') errors.push(required(['spec', 'networkRef'], 'must specify a network ref'));
  else
    errors.push(...isDNS1123Subdomain(networkRef).map((m) => invalid(['spec', 'networkRef', 'name'], networkRef, m)));
  errors.push(...validateLabelSelector(spec.networkInterfaceSelector, ['spec', 'networkInterfaceSelector']));
  for (const direction of ['ingress', 'egress'] as const) {
    const peersField = direction === 'ingress' ? 'from' : 'to';
    (spec[direction] ?? []).forEach((rule, i) => {
      const path = ['spec', direction, i];
      const peers =
        (direction === 'ingress'
          ? (rule as { from?: IroncorePolicyPeer[] }).from
          : (rule as { to?: IroncorePolicyPeer[] }).to) ?? [];
      peers.forEach((peer, j) => errors.push(...validatePeer(peer, [...path, peersField, j])));
      (rule.ports ?? []).forEach((port, j) => errors.push(...validatePort(port, [...path, 'ports', j])));
    });
  }
  const types = defaultedPolicyTypes(policy);
  if (types.length === 0) errors.push(required(['spec', 'policyTypes'], 'must specify policyTypes'));
  const seen = new Set<string>();
  types.forEach((type, i) => {
    const path = ['spec', 'policyTypes', i];
    errors.push(...validateEnum(POLICY_TYPES, type, path, 'must specify type'));
    if (seen.has(type)) errors.push(duplicate(path, type));
    seen.add(type);
  });
  return errors;
}

/** `SetDefaults_NetworkPolicySpec`: the declared types, with Ingress and Egress added for the rules present, sorted. */
export function defaultedPolicyTypes(policy: IroncoreNetworkPolicy): string[] {
  const declared = policy.spec?.policyTypes ?? [];
  const added = [
    ...((policy.spec?.ingress ?? []).length > 0 ? ['Ingress'] : []),
    ...((policy.spec?.egress ?? []).length > 0 ? ['Egress'] : []),
  ];
  // Written back as sets.List: deduplicated and sorted, so the duplicate check after it never fires on create.
  return [...new Set([...declared, ...added])].sort();
}

function validateEnum(
  allowed: readonly string[],
  value: string,
  path: FieldPath,
  requiredDetail: string,
): FieldError[] {
  if (value === '') return [required(path, requiredDetail)];
  return allowed.includes(value) ? [] : [notSupported(path, value, allowed)];
}

function validatePeer(peer: IroncorePolicyPeer, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (peer.objectSelector !== undefined) {
    errors.push(
      ...validateEnum(
        PEER_KINDS,
        peer.objectSelector.kind ?? '',
        [...path, 'objectSelector', 'kind'],
        'must specify kind',
      ),
    );
    const { kind: _kind, ...selector } = peer.objectSelector;
    errors.push(...validateLabelSelector(selector, [...path, 'objectSelector']));
  }
  if (peer.ipBlock !== undefined) {
    if (peer.objectSelector !== undefined)
      errors.push(forbidden([...path, 'ipBlock'], 'cannot specify multiple peers'));
    else errors.push(...validateIPBlock(peer.ipBlock, [...path, 'ipBlock']));
  }
  return errors;
}

function validateIPBlock(block: IPBlock, path: FieldPath): FieldError[] {
  const cidr = parseCIDR(block.cidr ?? '');
  if (cidr === undefined) return [invalid([...path, 'cidr'], block.cidr ?? '', 'must specify valid cidr')];
  return (block.except ?? []).flatMap((text, k) => {
    const exceptPath = [...path, 'except', k];
    const except = parseCIDR(text);
    if (except === undefined) return [invalid(exceptPath, text, 'must specify valid except value')];
    const inside = except.family === cidr.family && except.first >= cidr.first && except.last <= cidr.last;
    return inside ? [] : [forbidden(exceptPath, `cidr ${block.cidr} does not contain except ${text}`)];
  });
}

function validatePort(port: IroncorePolicyPort, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const value = port.port ?? 0;
  if (value !== 0) errors.push(...isValidPortNum(value).map((m) => invalid([...path, 'port'], value, m)));
  if (port.endPort !== undefined) {
    if (value === 0) errors.push(forbidden([...path, 'endPort'], 'must not specify endPort without port'));
    else if (port.endPort < value)
      errors.push(forbidden([...path, 'endPort'], `endPort ${port.endPort} must not be smaller than port ${value}`));
  }
  if (port.protocol !== undefined)
    errors.push(...validateEnum(PROTOCOLS, port.protocol, [...path, 'protocol'], 'must specify protocol'));
  return errors;
}
