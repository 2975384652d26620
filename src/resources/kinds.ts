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
const TIER_POLICY_VERSIONS: Record<TierPolicyKind, readonly string[]> = {
  ClusterNetworkPolicy: [`${POLICY_API_GROUP}/v1alpha2`],
  AdminNetworkPolicy: [`${POLICY_API_GROUP}/v1alpha1`],
  BaselineAdminNetworkPolicy: [`${POLICY_API_GROUP}/v1alpha1`],
};

export const isTierPolicyKind = (kind: KnownKind | undefined): kind is TierPolicyKind =>
  kind === 'ClusterNetworkPolicy' || kind === 'AdminNetworkPolicy' || kind === 'BaselineAdminNetworkPolicy';

/** The kinds whose objects are policies: they change what the cluster allows. */
export const isPolicyKind = (kind: KnownKind): boolean =>
  kind === 'NetworkPolicy' || kind === 'IroncoreNetworkPolicy' || isTierPolicyKind(kind);

/**
 * The apiVersions netpol reads each Kubernetes kind in: those the API server serves or served for it, the
 * preferred first. Beta versions that Kubernetes 1.16 stopped serving stay, because old manifests still use
 * them and their fields mean what v1's do. Another version of a known group (`networking.k8s.io/v1beta1`
 * NetworkPolicy, `v2` Pod) is refused by kubectl ("no matches for kind"), so it is skipped, never read as v1.
 */
const KUBERNETES_VERSIONS: Record<Exclude<KnownKind, IroncoreKind | TierPolicyKind>, readonly string[]> = {
  Namespace: ['v1'],
  Pod: ['v1'],
  Node: ['v1'],
  ReplicationController: ['v1'],
  Deployment: ['apps/v1', 'apps/v1beta2', 'apps/v1beta1', 'extensions/v1beta1'],
  ReplicaSet: ['apps/v1', 'apps/v1beta2', 'extensions/v1beta1'],
  StatefulSet: ['apps/v1', 'apps/v1beta2', 'apps/v1beta1'],
  DaemonSet: ['apps/v1', 'apps/v1beta2', 'extensions/v1beta1'],
  Job: ['batch/v1'],
  CronJob: ['batch/v1', 'batch/v1beta1', 'batch/v2alpha1'],
  // extensions/v1beta1 NetworkPolicy has meant the same as v1 since Kubernetes 1.7.
  NetworkPolicy: ['networking.k8s.io/v1', 'extensions/v1beta1'],
};

const IRONCORE_VERSION = 'v1alpha1';

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

export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** The apiVersions netpol reads a kind of a group in, preferred first; none for a kind of the group it does not. */
function versionsOf(group: string, kind: string): readonly string[] {
  // Own properties only: a kind such as `constructor` must not find Object's.
  if (ownValue(ownValue(IRONCORE, group) ?? {}, kind) !== undefined) return [`${group}/${IRONCORE_VERSION}`];
  const versions =
    ownValue<readonly string[]>(TIER_POLICY_VERSIONS, kind) ?? ownValue<readonly string[]>(KUBERNETES_VERSIONS, kind);
  return versions?.filter((v) => groupOf(v) === group) ?? [];
}

/**
 * For an object netpol skips: the apiVersion it reads that kind of that group
 * in, when it reads it in another (a `v1beta1` ClusterNetworkPolicy, a `v2` Pod).
 */
export function versionNetpolReads(apiVersion: string, kind: string): string | undefined {
  const versions = versionsOf(groupOf(apiVersion), kind);
  return versions.length > 0 && !versions.includes(apiVersion) ? versions[0] : undefined;
}

/**
 * The policies of other systems, by group: they change what a cluster allows, and netpol does not read them,
 * so the results ignore them (and say so).
 */
const OTHER_POLICY_KINDS: Record<string, readonly string[]> = {
  'cilium.io': ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'],
  'projectcalico.org': ['NetworkPolicy', 'GlobalNetworkPolicy'],
  'crd.projectcalico.org': ['NetworkPolicy', 'GlobalNetworkPolicy'],
  'crd.antrea.io': ['NetworkPolicy', 'ClusterNetworkPolicy'],
};

/**
 * Whether a skipped object is a policy that a cluster may enforce: another system's, or a custom resource kind
 * netpol reads (the tiers, Ironcore's) in a version it does not, which a CRD of that version may serve.
 */
export function isUnreadPolicy(apiVersion: string, kind: string): boolean {
  const group = groupOf(apiVersion);
  if (ownValue<readonly string[]>(OTHER_POLICY_KINDS, group)?.includes(kind)) return true;
  const read = versionsOf(group, kind)[0];
  const readKind = read === undefined ? undefined : knownKind(read, kind);
  return readKind !== undefined && readKind !== 'NetworkPolicy' && isPolicyKind(readKind) && read !== apiVersion;
}

/** Groups whose kinds netpol reads: a kind of another group is named with it (`NetworkPolicy.crd.antrea.io`). */
export function isReadGroup(group: string): boolean {
  if (group === '' || ownValue(IRONCORE, group) !== undefined) return true;
  return [...Object.values(KUBERNETES_VERSIONS), ...Object.values(TIER_POLICY_VERSIONS)].some((versions) =>
    versions.some((v) => groupOf(v) === group),
  );
}

/** `Kind.group` as the API server names a kind in messages; `Kind` for the core group. */
export const qualifiedKind = (apiVersion: string, kind: string): string => {
  const group = groupOf(apiVersion);
  return group === '' ? kind : `${kind}.${group}`;
};

/** Answers by kind, then apiVersion: asked once per object on every cluster build. */
const known = new Map<string, Map<string, KnownKind | undefined>>();

export function knownKind(apiVersion: string, kind: string): KnownKind | undefined {
  let byVersion = known.get(kind);
  if (byVersion === undefined) known.set(kind, (byVersion = new Map()));
  if (byVersion.has(apiVersion)) return byVersion.get(apiVersion);
  const group = groupOf(apiVersion);
  const answer = versionsOf(group, kind).includes(apiVersion)
    ? (ownValue(ownValue(IRONCORE, group) ?? {}, kind) ?? (kind as KnownKind))
    : undefined;
  byVersion.set(apiVersion, answer);
  return answer;
}

export const isWorkloadKind = (kind: string): kind is WorkloadKind =>
  (WORKLOAD_KINDS as readonly string[]).includes(kind);

/** Kinds whose objects live in a namespace; `default` is used when the manifest names none, as kubectl does. */
export const isNamespaced = (kind: KnownKind): boolean =>
  kind !== 'Namespace' && kind !== 'Node' && !isTierPolicyKind(kind);
