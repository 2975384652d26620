/**
 * The kinds netpol understands, by API group. Anything else is skipped with a
 * note, never silently.
 */
export const WORKLOAD_KINDS = [
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'ReplicationController',
  'Job',
  'CronJob',
] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Ironcore's kinds; its NetworkPolicy is told apart from Kubernetes' by its group. */
export type IroncoreKind =
  'IroncoreNetworkPolicy' | 'Network' | 'NetworkInterface' | 'LoadBalancer' | 'VirtualIP' | 'Machine';

export type KnownKind = 'Namespace' | 'Pod' | 'Node' | 'NetworkPolicy' | WorkloadKind | IroncoreKind;

const IRONCORE: Record<string, Record<string, IroncoreKind>> = {
  'networking.ironcore.dev': {
    NetworkPolicy: 'IroncoreNetworkPolicy',
    Network: 'Network',
    NetworkInterface: 'NetworkInterface',
    LoadBalancer: 'LoadBalancer',
    VirtualIP: 'VirtualIP',
  },
  'compute.ironcore.dev': { Machine: 'Machine' },
};

export const isIroncoreKind = (kind: KnownKind): kind is IroncoreKind =>
  kind === 'IroncoreNetworkPolicy' ||
  kind === 'Network' ||
  kind === 'NetworkInterface' ||
  kind === 'LoadBalancer' ||
  kind === 'VirtualIP' ||
  kind === 'Machine';

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** Which groups serve each kind; older beta groups are accepted because old manifests still use them. */
const GROUPS: Record<Exclude<KnownKind, IroncoreKind>, readonly string[]> = {
  Namespace: [''],
  Pod: [''],
  Node: [''],
  ReplicationController: [''],
  Deployment: ['apps', 'extensions'],
  ReplicaSet: ['apps', 'extensions'],
  StatefulSet: ['apps'],
  DaemonSet: ['apps', 'extensions'],
  Job: ['batch'],
  CronJob: ['batch'],
  // extensions/v1beta1 NetworkPolicy has meant the same as v1 since Kubernetes 1.7.
  NetworkPolicy: ['networking.k8s.io', 'extensions'],
};

/** Answers by kind, then apiVersion: asked once per object on every cluster build. */
const known = new Map<string, Map<string, KnownKind | undefined>>();

export function knownKind(apiVersion: string, kind: string): KnownKind | undefined {
  let byVersion = known.get(kind);
  if (byVersion === undefined) known.set(kind, (byVersion = new Map()));
  if (byVersion.has(apiVersion)) return byVersion.get(apiVersion);
  // Own properties only: a kind such as `constructor` must not find Object's.
  const groups = Object.hasOwn(GROUPS, kind) ? GROUPS[kind as keyof typeof GROUPS] : undefined;
  const group = groupOf(apiVersion);
  const ironcore = Object.hasOwn(IRONCORE, group) ? IRONCORE[group]! : {};
  const answer = groups?.includes(group)
    ? (kind as KnownKind)
    : Object.hasOwn(ironcore, kind)
      ? ironcore[kind]
      : undefined;
  byVersion.set(apiVersion, answer);
  return answer;
}

export const isWorkloadKind = (kind: string): kind is WorkloadKind =>
  (WORKLOAD_KINDS as readonly string[]).includes(kind);

/** Kinds whose objects live in a namespace; `default` is used when the manifest names none, as kubectl does. */
export const isNamespaced = (kind: KnownKind): boolean => kind !== 'Namespace' && kind !== 'Node';
