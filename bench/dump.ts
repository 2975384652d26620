import { stringify } from 'yaml';
import type { JSONObject, JSONValue } from '../src/util/json.js';
import { type ClusterSize, generateCluster } from './generate.js';

/**
 * What `kubectl get ns,deploy,rs,pods,netpol -A -o json|yaml` prints for a
 * generated cluster: one `List` document whose items carry what the API
 * server adds (uid, resourceVersion, creationTimestamp, generation,
 * managedFields, the last-applied annotation, status), in kubectl's layout:
 * JSON indented by 4, YAML as go-yaml v2 writes it (block style, sequences
 * not indented under their key).
 */
export function kubectlDump(size: ClusterSize, format: 'json' | 'yaml'): string {
  const list = {
    apiVersion: 'v1',
    items: generateCluster(size).map(asServed),
    kind: 'List',
    metadata: { resourceVersion: '' },
  };
  return format === 'json' ? `${JSON.stringify(list, null, 4)}\n` : stringify(list, { indentSeq: false, lineWidth: 0 });
}

const TIMESTAMP = '2026-11-02T09:14:07Z';

function asServed(object: JSONObject, index: number): JSONObject {
  const metadata = object['metadata'] as JSONObject;
  const kind = object['kind'] as string;
  const served: JSONObject = {
    ...object,
    metadata: {
      ...(kind === 'NetworkPolicy'
        ? { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(object)}\n` } }
        : {}),
      creationTimestamp: TIMESTAMP,
      ...(kind === 'Namespace' || kind === 'Pod' ? {} : { generation: 1 }),
      ...metadata,
      managedFields: managedFields(object),
      resourceVersion: String(100_000 + index),
      uid: uid(index),
    },
  };
  const status = statusOf(object, kind);
  if (status !== undefined) served['status'] = status;
  if (kind === 'Pod') served['spec'] = podSpec(object['spec'] as JSONObject);
  return served;
}

function statusOf(object: JSONObject, kind: string): JSONObject | undefined {
  switch (kind) {
    case 'Namespace':
      return { phase: 'Active' };
    case 'Deployment':
    case 'ReplicaSet': {
      const replicas = (object['spec'] as JSONObject)['replicas'] as number;
      const counts = { availableReplicas: replicas, readyReplicas: replicas, replicas };
      return kind === 'ReplicaSet'
        ? { ...counts, fullyLabeledReplicas: replicas, observedGeneration: 1 }
        : {
            ...counts,
            conditions: [condition('Available'), condition('Progressing')],
            observedGeneration: 1,
            updatedReplicas: replicas,
          };
    }
    case 'Pod': {
      const status = object['status'] as JSONObject;
      const node = ((object['spec'] as JSONObject)['nodeName'] as string).replace('node-', '');
      return {
        conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
        containerStatuses: [
          {
            containerID: `containerd://${'0'.repeat(48)}${node.padStart(16, '0')}`,
            image: 'registry.example/app:1.4.2',
            imageID: `registry.example/app@sha256:${'ab'.repeat(32)}`,
            lastState: {},
            name: 'main',
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: TIMESTAMP } },
          },
        ],
        hostIP: `192.168.0.${Number(node) + 10}`,
        hostIPs: [{ ip: `192.168.0.${Number(node) + 10}` }],
        ...status,
        qosClass: 'Burstable',
        startTime: TIMESTAMP,
      };
    }
    default:
      return undefined;
  }
}

function podSpec(spec: JSONObject): JSONObject {
  const containers = (spec['containers'] as JSONObject[]).map((c) => ({
    ...c,
    image: 'registry.example/app:1.4.2',
    imagePullPolicy: 'IfNotPresent',
    resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  }));
  return {
    ...spec,
    containers,
    dnsPolicy: 'ClusterFirst',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    serviceAccount: 'default',
    serviceAccountName: 'default',
    terminationGracePeriodSeconds: 30,
  };
}

const condition = (type: string): JSONObject => ({
  lastProbeTime: null,
  lastTransitionTime: TIMESTAMP,
  status: 'True',
  type,
});

/** Server-side apply's bookkeeping: a `fieldsV1` tree naming every field the manager set. */
function managedFields(object: JSONObject): JSONValue {
  const { metadata, ...rest } = object;
  const { name: _name, namespace: _namespace, ...meta } = metadata as JSONObject;
  return [
    {
      apiVersion: object['apiVersion'] as string,
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsOf({ ...withoutTypeFields(rest), metadata: meta }),
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      time: TIMESTAMP,
    },
  ];
}

const withoutTypeFields = ({ apiVersion: _a, kind: _k, ...rest }: JSONObject): JSONObject => rest;

/** Field names down to three levels, as a manager that set whole subtrees records them. */
function fieldsOf(value: JSONValue, depth = 3): JSONObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || depth === 0) return {};
  const out: JSONObject = {};
  for (const [key, child] of Object.entries(value)) {
    const nested = typeof child === 'object' && child !== null && !Array.isArray(child);
    out[`f:${key}`] = nested ? { '.': {}, ...fieldsOf(child, depth - 1) } : {};
  }
  return out;
}

const uid = (index: number): string => {
  const hex = index.toString(16).padStart(12, '0');
  return `5d0c8a2e-1b7f-4c3e-9a61-${hex}`;
};
