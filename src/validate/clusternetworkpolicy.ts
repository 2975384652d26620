import type { ClusterNetworkPolicyEgressRule } from '../resources/types.js';
import type { JSONValue } from '../util/json.js';
import { type StructuralSchema, crd } from '../resources/structural.js';
import type { FieldError } from '../resources/field-error.js';
import { cidrSchema, labelSelectorSchema, namespacedPodSchema, validateTierPolicy } from './policy-api.js';

/**
 * ClusterNetworkPolicy, `policy.networking.k8s.io/v1alpha2`: the CRD of
 * kubernetes-sigs/network-policy-api bundle v0.2.0, experimental channel
 * (config/crd/experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml),
 * transcribed. The experimental channel is the standard one plus `nodes` and
 * `domainNames` peers, `destinationNamedPort`, and the rule that ties them;
 * every object of the standard channel is valid in it.
 */

const portNumber = crd.integer({ minimum: 1, maximum: 65535 });

const portMatch = crd.object(
  {
    destinationPort: crd.object(
      {
        number: portNumber,
        range: crd.object(
          { end: portNumber, start: portNumber },
          {
            required: ['end', 'start'],
            rules: [
              crd.rule(
                'self.start < self.end',
                'Start port must be less than End port',
                (range: { start: number; end: number }) => range.start < range.end,
              ),
            ],
          },
        ),
      },
      { minProperties: 1, maxProperties: 1 },
    ),
  },
  { minProperties: 1 },
);

const protocol = crd.object(
  { destinationNamedPort: crd.string(), sctp: portMatch, tcp: portMatch, udp: portMatch },
  { minProperties: 1, maxProperties: 1 },
);

const protocols = crd.array(protocol, { minItems: 1, maxItems: 25 });

const namespacedPod = namespacedPodSchema(['podSelector']);

/** Namespaces or pods: a subject, or an ingress peer. */
const selectors = { namespaces: labelSelectorSchema, pods: namespacedPod };

const ingressPeer = crd.object(selectors, { minProperties: 1, maxProperties: 1 });

const DOMAIN_NAME =
  String.raw`^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+` +
  String.raw`[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$`;

const egressPeer = crd.object(
  {
    domainNames: crd.array(crd.string({ pattern: DOMAIN_NAME }), { minItems: 1, maxItems: 25, listType: 'set' }),
    namespaces: labelSelectorSchema,
    networks: crd.array(cidrSchema, { minItems: 1, maxItems: 25, listType: 'set' }),
    nodes: labelSelectorSchema,
    pods: namespacedPod,
  },
  { minProperties: 1, maxProperties: 1 },
);

const action = crd.string({ enum: ['Accept', 'Deny', 'Pass'] });
const ruleName = crd.string({ maxLength: 100 });

const namedPortsOnlyForPods = crd.rule(
  '!(self.to.exists(peer, has(peer.networks) || has(peer.nodes) || has(peer.domainNames)) && ' +
    'has(self.protocols) && self.protocols.exists(protocol, has(protocol.destinationNamedPort)))',
  'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for ' +
    'networks/nodes/domainNames',
  (rule: ClusterNetworkPolicyEgressRule) =>
    !(
      rule.to.some((peer) => 'networks' in peer || 'nodes' in peer || 'domainNames' in peer) &&
      rule.protocols !== undefined &&
      rule.protocols.some((p) => 'destinationNamedPort' in p)
    ),
);

export const clusterNetworkPolicySchema: StructuralSchema = crd.object(
  {
    apiVersion: crd.string(),
    kind: crd.string(),
    metadata: crd.unchecked,
    spec: crd.object(
      {
        egress: crd.array(
          crd.object(
            {
              action,
              name: ruleName,
              protocols,
              to: crd.array(egressPeer, { minItems: 1, maxItems: 25 }),
            },
            { required: ['action', 'to'], rules: [namedPortsOnlyForPods] },
          ),
          { maxItems: 25 },
        ),
        ingress: crd.array(
          crd.object(
            {
              action,
              from: crd.array(ingressPeer, { minItems: 1, maxItems: 25 }),
              name: ruleName,
              protocols,
            },
            { required: ['action', 'from'] },
          ),
          { maxItems: 25 },
        ),
        priority: crd.integer({ minimum: 0, maximum: 1000 }),
        subject: crd.object(selectors, { minProperties: 1, maxProperties: 1 }),
        tier: crd.string({ enum: ['Admin', 'Baseline'] }),
      },
      { required: ['priority', 'subject', 'tier'] },
    ),
    status: crd.unchecked,
  },
  { required: ['metadata', 'spec'] },
);

/** The API server's checks of a ClusterNetworkPolicy, then netpol's label-selector checks. */
export const validateClusterNetworkPolicy = (value: JSONValue): FieldError[] =>
  validateTierPolicy(value, clusterNetworkPolicySchema, () => []);
