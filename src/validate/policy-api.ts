import { isIPv4, isIPv6 } from 'node:net';
import type { LabelSelector } from '../algebra/selector.js';
import type { ObjectMeta, TierPolicyEgressPeer, TierPolicyIngressPeer, TierPolicySubject } from '../resources/types.js';
import type { FieldPath } from '../util/location.js';
import type { JSONValue } from '../util/json.js';
import { type StructuralSchema, crd, validateCustomResource } from '../resources/structural.js';
import type { FieldError } from '../resources/field-error.js';
import { validateObjectMeta } from './meta.js';
import { validateLabelSelector } from './selector.js';

/**
 * What the CRDs of policy.networking.k8s.io (AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy v1alpha1, ClusterNetworkPolicy v1alpha2) share:
 * their schema pieces, and how an object of them is validated.
 */

const requirement = crd.object(
  { key: crd.string(), operator: crd.string(), values: crd.array(crd.string()) },
  { required: ['key', 'operator'] },
);

/** `metav1.LabelSelector` as controller-gen writes it into a CRD: its shape only, no label syntax. */
export const labelSelectorSchema = crd.object({
  matchExpressions: crd.array(requirement),
  matchLabels: crd.map(crd.string()),
});

/** Pods by namespace and pod labels; v1alpha1 requires both selectors, v1alpha2 only the pod selector. */
export const namespacedPodSchema = (required: readonly string[]): StructuralSchema =>
  crd.object({ namespaceSelector: labelSelectorSchema, podSelector: labelSelectorSchema }, { required });

/** The CRDs' `CIDR` type: at most 43 characters, and CEL's `isCIDR`. */
export const cidrSchema = crd.string({
  maxLength: 43,
  rules: [crd.rule('isCIDR(self)', 'Invalid CIDR format provided', isCIDR)],
});

/**
 * CEL's `isCIDR` (k8s.io/apiserver's cel library): Go's `netip.ParsePrefix`,
 * stricter than `net.ParseCIDR`. No leading zeros in IPv4 octets or in the
 * prefix length, no IPv6 zone; host bits may be set.
 */
export function isCIDR(text: string): boolean {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (address.includes('%') || !/^(0|[1-9][0-9]{0,2})$/.test(bits)) return false;
  if (isIPv4(address)) return Number(bits) <= 32;
  return isIPv6(address) && Number(bits) <= 128;
}

/** An object of these kinds: its metadata, its schema and rules, then what netpol checks beyond the CRD. */
export function validateTierPolicy(
  value: JSONValue,
  schema: StructuralSchema,
  beyondTheCRD: (spec: never) => FieldError[],
): FieldError[] {
  const policy = value as { metadata?: ObjectMeta; spec?: TierPolicySpecShape };
  const metadataErrors = validateObjectMeta(policy.metadata, false, 'subdomain');
  const errors = validateCustomResource(value, schema, metadataErrors);
  // Only a spec of the right shape can be looked into; the API server's own errors come first.
  if (errors.length > metadataErrors.length || policy.spec === undefined) return errors;
  return [...errors, ...validateTierSelectors(policy.spec), ...beyondTheCRD(policy.spec as never)];
}

interface TierPolicySpecShape {
  readonly subject: TierPolicySubject;
  readonly ingress?: readonly { readonly from: readonly TierPolicyIngressPeer[] }[];
  readonly egress?: readonly { readonly to: readonly TierPolicyEgressPeer[] }[];
}

/**
 * The CRDs check a selector's shape only; `LabelSelectorAsSelector`, which
 * every implementation calls, refuses an unknown operator or a malformed key
 * or value, and the policy would then not be enforced. netpol says so with
 * the messages apimachinery has for them, as it does for NetworkPolicy.
 */
function validateTierSelectors(spec: TierPolicySpecShape): FieldError[] {
  const errors: FieldError[] = [];
  const check = (selector: LabelSelector | undefined, path: FieldPath): void => {
    errors.push(...validateLabelSelector(selector, path));
  };
  const checkPeer = (peer: TierPolicyEgressPeer, path: FieldPath): void => {
    check(peer.namespaces, [...path, 'namespaces']);
    check(peer.pods?.namespaceSelector, [...path, 'pods', 'namespaceSelector']);
    check(peer.pods?.podSelector, [...path, 'pods', 'podSelector']);
    check(peer.nodes, [...path, 'nodes']);
  };
  checkPeer(spec.subject, ['spec', 'subject']);
  (spec.ingress ?? []).forEach((rule, i) =>
    rule.from.forEach((peer, j) => checkPeer(peer, ['spec', 'ingress', i, 'from', j])),
  );
  (spec.egress ?? []).forEach((rule, i) =>
    rule.to.forEach((peer, j) => checkPeer(peer, ['spec', 'egress', i, 'to', j])),
  );
  return errors;
}
