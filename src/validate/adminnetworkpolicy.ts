import type { AdminNetworkPolicyEgressRule, AdminNetworkPolicyPort } from '../resources/types.js';
import type { FieldPath } from '../util/location.js';
import type { JSONValue } from '../util/json.js';
import { type StructuralSchema, crd } from '../resources/structural.js';
import { type FieldError, invalid, notSupported } from '../resources/field-error.js';
import { cidrSchema, labelSelectorSchema, namespacedPodSchema, validateTierPolicy } from './policy-api.js';
import { DEFAULT_PROTOCOL } from '../resources/defaults.js';

/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy,
 * `policy.networking.k8s.io/v1alpha1`, as kubernetes-sigs/network-policy-api
 * v0.1.7 (0638d394) defines them: the standard channel's CRDs, transcribed,
 * with what the experimental channel adds from `apis/v1alpha1` (`namedPort`,
 * `nodes` peers, `domainNames` peers for ANP, and the rule that keeps named
 * ports away from them). Every object of the standard channel is valid in it.
 */

const portNumber = crd.integer({ minimum: 1, maximum: 65535 });
/** The CRDs default a port's protocol to TCP: a policy read back from the API server always has one. */
const protocol = crd.string({ default: DEFAULT_PROTOCOL });

const port = crd.object(
  {
    namedPort: crd.string(),
    portNumber: crd.object({ port: portNumber, protocol }, { required: ['port', 'protocol'] }),
    portRange: crd.object({ end: portNumber, protocol, start: portNumber }, { required: ['end', 'start'] }),
  },
  { minProperties: 1, maxProperties: 1 },
);

const ports = crd.array(port, { minItems: 1, maxItems: 100 });
const namespacedPod = namespacedPodSchema(['namespaceSelector', 'podSelector']);
/** Namespaces or pods: a subject, or an ingress peer. */
const selectors = { namespaces: labelSelectorSchema, pods: namespacedPod };
const ingressPeer = crd.object(selectors, { minProperties: 1, maxProperties: 1 });

/** As `apis/v1alpha1` writes it, `A-z` and all: that range also takes `[`, `\`, `]`, `^`, `_` and the backquote. */
const DOMAIN_NAME =
  String.raw`^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+` +
  String.raw`[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$`;

const networks = crd.array(cidrSchema, { minItems: 1, maxItems: 25, listType: 'set' });

const anpEgressPeer = crd.object(
  {
    domainNames: crd.array(crd.string({ pattern: DOMAIN_NAME }), { minItems: 1, maxItems: 25, listType: 'set' }),
    namespaces: labelSelectorSchema,
    networks,
    nodes: labelSelectorSchema,
    pods: namespacedPod,
  },
  { minProperties: 1, maxProperties: 1 },
);

const banpEgressPeer = crd.object(
  { namespaces: labelSelectorSchema, networks, nodes: labelSelectorSchema, pods: namespacedPod },
  { minProperties: 1, maxProperties: 1 },
);

const ruleName = crd.string({ maxLength: 100 });

/** The experimental channel's rule on egress rules; the BANP's peers have no domainNames, nor has its message. */
const namedPortsOnlyForPods = (peerFields: readonly string[]): ReturnType<typeof crd.rule> => {
  const names = peerFields.join('/');
  const has = peerFields.map((f) => `has(peer.${f})`).join(' || ');
  return crd.rule(
    `!(self.to.exists(peer, ${has}) && has(self.ports) && self.ports.exists(port, has(port.namedPort)))`,
    `${names} peer cannot be set with namedPorts since there are no namedPorts for ${names}`,
    (rule: AdminNetworkPolicyEgressRule<string>) =>
      !(
        rule.to.some((peer) => peerFields.some((f) => f in peer)) &&
        rule.ports !== undefined &&
        rule.ports.some((p) => 'namedPort' in p)
      ),
  );
};

function rules(actions: readonly string[], egressPeer: StructuralSchema, peerFields: readonly string[]) {
  const action = crd.string({ enum: actions });
  return {
    egress: crd.array(
      crd.object(
        { action, name: ruleName, ports, to: crd.array(egressPeer, { minItems: 1, maxItems: 100 }) },
        { required: ['action', 'to'], rules: [namedPortsOnlyForPods(peerFields)] },
      ),
      { maxItems: 100 },
    ),
    ingress: crd.array(
      crd.object(
        { action, from: crd.array(ingressPeer, { minItems: 1, maxItems: 100 }), name: ruleName, ports },
        { required: ['action', 'from'] },
      ),
      { maxItems: 100 },
    ),
  };
}

const subject = crd.object(selectors, { minProperties: 1, maxProperties: 1 });

export const adminNetworkPolicySchema: StructuralSchema = crd.object(
  {
    apiVersion: crd.string(),
    kind: crd.string(),
    metadata: crd.unchecked,
    spec: crd.object(
      {
        ...rules(['Allow', 'Deny', 'Pass'], anpEgressPeer, ['networks', 'nodes', 'domainNames']),
        priority: crd.integer({ minimum: 0, maximum: 1000 }),
        subject,
      },
      { required: ['priority', 'subject'] },
    ),
    status: crd.unchecked,
  },
  { required: ['metadata', 'spec'] },
);

export const baselineAdminNetworkPolicySchema: StructuralSchema = crd.object(
  {
    apiVersion: crd.string(),
    kind: crd.string(),
    metadata: crd.unchecked,
    spec: crd.object(
      { ...rules(['Allow', 'Deny'], banpEgressPeer, ['networks', 'nodes']), subject },
      { required: ['subject'] },
    ),
    status: crd.unchecked,
  },
  {
    required: ['metadata', 'spec'],
    rules: [
      crd.rule(
        "self.metadata.name == 'default'",
        'Only one baseline admin network policy with metadata.name="default" can be created in the cluster',
        (policy: { metadata?: { name?: unknown } }) => policy.metadata?.name === 'default',
        ['metadata', 'name'],
      ),
    ],
  },
);

/** The API server's checks of an AdminNetworkPolicy, then netpol's (selectors, protocols, port ranges). */
export const validateAdminNetworkPolicy = (value: JSONValue): FieldError[] =>
  validateTierPolicy(value, adminNetworkPolicySchema, validatePorts);

/** The API server's checks of a BaselineAdminNetworkPolicy, then netpol's (selectors, protocols, port ranges). */
export const validateBaselineAdminNetworkPolicy = (value: JSONValue): FieldError[] =>
  validateTierPolicy(value, baselineAdminNetworkPolicySchema, validatePorts);

/** Listed as NetworkPolicy's validation lists them. */
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

interface PortsSpec {
  readonly ingress?: readonly { readonly ports?: readonly AdminNetworkPolicyPort[] }[];
  readonly egress?: readonly { readonly ports?: readonly AdminNetworkPolicyPort[] }[];
}

/**
 * What v1alpha1 leaves unchecked and no implementation can enforce: a
 * protocol other than TCP, UDP or SCTP (`v1.Protocol`, as NetworkPolicy
 * checks it), and a port range whose start is above its end, worded as the
 * v1alpha2 CRD words the rule it added for it.
 */
function validatePorts(spec: PortsSpec): FieldError[] {
  const errors: FieldError[] = [];
  const check = (entry: AdminNetworkPolicyPort, path: FieldPath): void => {
    const numbered = entry.portNumber ?? entry.portRange;
    const field = entry.portNumber !== undefined ? 'portNumber' : 'portRange';
    if (numbered !== undefined && !PROTOCOLS.includes(numbered.protocol)) {
      errors.push(notSupported([...path, field, 'protocol'], numbered.protocol, PROTOCOLS));
    }
    if (entry.portRange !== undefined && entry.portRange.start > entry.portRange.end) {
      errors.push(invalid([...path, 'portRange'], 'object', 'Start port must be less than End port'));
    }
  };
  for (const direction of ['ingress', 'egress'] as const) {
    (spec[direction] ?? []).forEach((rule, i) =>
      (rule.ports ?? []).forEach((entry, j) => check(entry, ['spec', direction, i, 'ports', j])),
    );
  }
  return errors;
}
