import { type Schema, any, arrayOf, bool, int, intOrString, mapOf, openObject, str, strictObject } from './decode.js';
import type { KnownKind } from './kinds.js';

const labelSelector = strictObject({
  matchLabels: mapOf(str),
  matchExpressions: arrayOf(strictObject({ key: str, operator: str, values: arrayOf(str) })),
});

const objectMeta = openObject({
  name: str,
  namespace: str,
  labels: mapOf(str),
  annotations: mapOf(str),
  ownerReferences: arrayOf(openObject({ kind: str, name: str, controller: bool })),
});

const policyPort = strictObject({ protocol: str, port: intOrString, endPort: int });
const policyPeer = strictObject({
  podSelector: labelSelector,
  namespaceSelector: labelSelector,
  ipBlock: strictObject({ cidr: str, except: arrayOf(str) }),
});

/** NetworkPolicy is decoded strictly, as `kubectl apply` does by default. */
export const networkPolicySchema: Schema = strictObject({
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: strictObject({
    podSelector: labelSelector,
    policyTypes: arrayOf(str),
    ingress: arrayOf(strictObject({ ports: arrayOf(policyPort), from: arrayOf(policyPeer) })),
    egress: arrayOf(strictObject({ ports: arrayOf(policyPort), to: arrayOf(policyPeer) })),
  }),
  status: any,
});

const container = openObject({
  name: str,
  ports: arrayOf(openObject({ name: str, containerPort: int, protocol: str })),
});

const podSpec = openObject({
  nodeName: str,
  hostNetwork: bool,
  containers: arrayOf(container),
  initContainers: arrayOf(container),
});

const podTemplate = openObject({ metadata: objectMeta, spec: podSpec });

/** Only the fields netpol reads are checked; the rest of these kinds is not netpol's business. */
export const podSchema: Schema = openObject({
  metadata: objectMeta,
  spec: podSpec,
  status: openObject({ podIP: str, podIPs: arrayOf(openObject({ ip: str })), hostIP: str }),
});

export const workloadSchema: Schema = openObject({
  metadata: objectMeta,
  spec: openObject({ template: podTemplate }),
});

export const cronJobSchema: Schema = openObject({
  metadata: objectMeta,
  spec: openObject({ jobTemplate: openObject({ spec: openObject({ template: podTemplate }) }) }),
});

export const namespaceSchema: Schema = openObject({ metadata: objectMeta });

export const nodeSchema: Schema = openObject({
  metadata: objectMeta,
  spec: openObject({ podCIDR: str, podCIDRs: arrayOf(str) }),
  status: openObject({ addresses: arrayOf(openObject({ type: str, address: str })) }),
});

export function schemaFor(kind: KnownKind): Schema {
  switch (kind) {
    case 'NetworkPolicy':
      return networkPolicySchema;
    case 'Pod':
      return podSchema;
    case 'Namespace':
      return namespaceSchema;
    case 'Node':
      return nodeSchema;
    case 'CronJob':
      return cronJobSchema;
    default:
      return workloadSchema;
  }
}
