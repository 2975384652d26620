import {
  type Schema,
  any,
  arrayOf,
  bool,
  int,
  intOrString,
  mapOf,
  openObject,
  str,
  strictObject,
} from '../resources/decode.js';
import type { KnownKind } from '../resources/kinds.js';
import type { StructuralSchema } from '../resources/structural.js';
import { clusterNetworkPolicySchema } from './clusternetworkpolicy.js';
import { adminNetworkPolicySchema, baselineAdminNetworkPolicySchema } from './adminnetworkpolicy.js';

const selectorRequirements = arrayOf(strictObject({ key: str, operator: str, values: arrayOf(str) }));
const labelSelector = strictObject({ matchLabels: mapOf(str), matchExpressions: selectorRequirements });

export const objectMeta = openObject({
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

const localRef = openObject({ name: str });
const ironcorePeer = strictObject({
  objectSelector: strictObject({ kind: str, matchLabels: mapOf(str), matchExpressions: selectorRequirements }),
  ipBlock: strictObject({ cidr: str, except: arrayOf(str) }),
});
const ironcorePort = strictObject({ protocol: str, port: int, endPort: int });

/** Ironcore's NetworkPolicy is decoded strictly too: a misspelt field would silently widen or narrow it. */
export const ironcoreNetworkPolicySchema: Schema = strictObject({
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: strictObject({
    networkRef: strictObject({ name: str }),
    networkInterfaceSelector: labelSelector,
    policyTypes: arrayOf(str),
    ingress: arrayOf(strictObject({ ports: arrayOf(ironcorePort), from: arrayOf(ironcorePeer) })),
    egress: arrayOf(strictObject({ ports: arrayOf(ironcorePort), to: arrayOf(ironcorePeer) })),
  }),
  status: any,
});

const nicSpec = openObject({ networkRef: localRef, machineRef: localRef, ips: arrayOf(openObject({ value: str })) });

export const networkInterfaceSchema: Schema = openObject({
  metadata: objectMeta,
  spec: nicSpec,
  status: openObject({ state: str, ips: arrayOf(str) }),
});

export const loadBalancerSchema: Schema = openObject({
  metadata: objectMeta,
  spec: openObject({ networkRef: localRef, ips: arrayOf(openObject({ value: str })) }),
  status: openObject({ ips: arrayOf(str) }),
});

export const virtualIPSchema: Schema = openObject({
  metadata: objectMeta,
  spec: openObject({ targetRef: localRef }),
  status: openObject({ ip: str }),
});

export const machineSchema: Schema = openObject({
  metadata: objectMeta,
  spec: openObject({
    machinePoolRef: localRef,
    networkInterfaces: arrayOf(
      openObject({
        name: str,
        networkInterfaceRef: localRef,
        ephemeral: openObject({ networkInterfaceTemplate: openObject({ metadata: objectMeta, spec: nicSpec }) }),
      }),
    ),
  }),
});

/** The decoding schema of a built-in or Ironcore kind; custom resources have theirs in `customResourceSchemaFor`. */
export function schemaFor(kind: KnownKind): Schema {
  switch (kind) {
    case 'IroncoreNetworkPolicy':
      return ironcoreNetworkPolicySchema;
    case 'NetworkInterface':
      return networkInterfaceSchema;
    case 'LoadBalancer':
      return loadBalancerSchema;
    case 'VirtualIP':
      return virtualIPSchema;
    case 'Machine':
      return machineSchema;
    case 'Network':
      return namespaceSchema;
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

/** The kinds that are custom resources: their CRD's structural schema (the cluster-wide tiers). */
export function customResourceSchemaFor(kind: KnownKind): StructuralSchema | undefined {
  switch (kind) {
    case 'ClusterNetworkPolicy':
      return clusterNetworkPolicySchema;
    case 'AdminNetworkPolicy':
      return adminNetworkPolicySchema;
    case 'BaselineAdminNetworkPolicy':
      return baselineAdminNetworkPolicySchema;
    default:
      return undefined;
  }
}
