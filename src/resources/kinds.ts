import { ownValue } from '../util/records.js';
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

/** The cluster-wide tiers of policy.networking.k8s.io. */
export type TierPolicyKind = 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';

export type KnownKind = 'Namespace' | 'Pod' | 'Node' | 'NetworkPolicy' | WorkloadKind | IroncoreKind | TierPolicyKind;

const POLICY_API_GROUP = 'policy.networking.k8s.io';

/** Each tier kind is read in one version only: its schema is that version's CRD. */
const TIER_POLICY_VERSIONS: Record<TierPolicyKind, string> = {
  ClusterNetworkPolicy: `${POLICY_API_GROUP}/v1alpha2`,
  AdminNetworkPolicy: `${POLICY_API_GROUP}/v1alpha1`,
  BaselineAdminNetworkPolicy: `${POLICY_API_GROUP}/v1alpha1`,
};

const tierPolicyVersion = (kind: string): string | undefined => ownValue<string>(TIER_POLICY_VERSIONS, kind);

export const isTierPolicyKind = (kind: KnownKind | undefined): kind is TierPolicyKind =>
  kind === 'ClusterNetworkPolicy' || kind === 'AdminNetworkPolicy' || kind === 'BaselineAdminNetworkPolicy';

/**
 * For an object netpol skips: the apiVersion it reads that kind of that group
 * in, when it reads it in another (a `v1beta1` ClusterNetworkPolicy, say).
 */
export function versionNetpolReads(apiVersion: string, kind: string): string | undefined {
  const version = tierPolicyVersion(kind);
  return version !== undefined && groupOf(apiVersion) === POLICY_API_GROUP && version !== apiVersion
    ? version
    : undefined;
}

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
const GROUPS: Record<Exclude<KnownKind, IroncoreKind | TierPolicyKind>, readonly string[]> = {
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
  const groups = ownValue<readonly string[]>(GROUPS, kind);
  const group = groupOf(apiVersion);
  const ironcore = ownValue(IRONCORE, group) ?? {};
  const tierVersion = tierPolicyVersion(kind);
  const answer =
    tierVersion !== undefined
      ? tierVersion === apiVersion
        ? (kind as TierPolicyKind)
        : undefined
      : groups?.includes(group)
        ? (kind as KnownKind)
        : ownValue(ironcore, kind);
  byVersion.set(apiVersion, answer);
  return answer;
}

export const isWorkloadKind = (kind: string): kind is WorkloadKind =>
  (WORKLOAD_KINDS as readonly string[]).includes(kind);

/** Kinds whose objects live in a namespace; `default` is used when the manifest names none, as kubectl does. */
export const isNamespaced = (kind: KnownKind): boolean =>
  kind !== 'Namespace' && kind !== 'Node' && !isTierPolicyKind(kind);
