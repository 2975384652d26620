import type { Protocol } from '../algebra/connset.js';
import { type IPAddress, parseIP } from '../algebra/ip.js';
import type { Labels } from '../algebra/selector.js';
import { type HostNetworkPods, DEFAULT_HOST_NETWORK_PODS, isNodeTraffic } from './host-network.js';
import { isWorkloadKind, knownKind } from '../resources/kinds.js';
import type { Container, OwnerReference, Pod, PodSpec, Workload } from '../resources/types.js';
import type { Location } from '../util/location.js';
import type { SourcedObject } from '../resources/source.js';
import { typedView } from '../validate/typed.js';
import { protocolOrDefault } from '../resources/defaults.js';

export interface ContainerPortInfo {
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * The workload that reports an endpoint: the top loaded owner of a pod, or the controller its owner reference
 * names when that one is not loaded (any kind: a Job, a ReplicaSet, a custom controller); itself for a bare or
 * static Pod, and for every Ironcore object.
 */
export interface Owner {
  readonly kind: string;
  readonly name: string;
}

/** What can be an endpoint: Kubernetes pods, and Ironcore's network interfaces, load balancers and virtual IPs. */
export type EndpointKind = 'Pod' | 'NetworkInterface' | 'LoadBalancer' | 'VirtualIP';

/** Anything a policy can select or name as a peer. Today: pods, and the pods a workload's template will create. */
export interface Endpoint {
  /** `namespace/name`, unique in a cluster. */
  readonly id: string;
  readonly kind: EndpointKind;
  /** The Ironcore network an interface, load balancer or virtual IP belongs to. */
  readonly network?: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** Known addresses; empty when analysing manifests before deployment. */
  readonly ips: readonly IPAddress[];
  readonly node: string | undefined;
  /** The node's address as the pod reports it (status.hostIP). */
  readonly hostIP: IPAddress | undefined;
  readonly ports: readonly ContainerPortInfo[];
  readonly owner: Owner;
  /**
   * Node traffic to NetworkPolicy, not a pod: a hostNetwork pod, unless hostNetwork pods are taken as pods
   * (model/host-network.ts decides).
   */
  readonly hostNetwork: boolean;
  /** Runs in its node's network namespace (spec.hostNetwork): its addresses are the node's, and no one pod's. */
  readonly nodeNetwork?: boolean;
  readonly origin: Location;
}

/**
 * Turns pods and workloads into endpoints. A workload stands for its replicas
 * through its pod template, unless its pods were loaded too; a workload owned
 * by another loaded workload (the ReplicaSet of a Deployment) is reported as
 * its top owner. A pod that has finished (phase Succeeded or Failed) holds no
 * address any more and is no endpoint, but its workload still has its pods.
 */
export function endpointsFrom(
  objects: readonly SourcedObject[],
  namespaceOf: (o: SourcedObject) => string,
  hostNetworkPods: HostNetworkPods = DEFAULT_HOST_NETWORK_PODS,
): Endpoint[] {
  const workloads = workloadIndex(workloadObjects(objects), namespaceOf);
  const endpoints: Endpoint[] = [];
  const workloadsWithPods = new Set<SourcedObject>();
  for (const o of objects) {
    if (knownKind(o.apiVersion, o.kind) !== 'Pod') continue;
    const namespace = namespaceOf(o);
    const owner = podOwner(workloads, o, namespace);
    if (owner !== undefined) workloadsWithPods.add(owner);
    if (!hasFinished(o)) endpoints.push(podEndpoint(o, namespace, owner, hostNetworkPods));
  }
  for (const o of workloads.objects) {
    const namespace = namespaceOf(o);
    const workload = typedView<Workload>(o);
    if (workloadsWithPods.has(o) || workloads.topOwner(namespace, workload.metadata?.ownerReferences) !== undefined)
      continue;
    endpoints.push(templateEndpoint(o, namespace, workload, hostNetworkPods));
  }
  return withUniqueIds(endpoints);
}

/** A pod whose containers have all terminated for good: its address may already be another pod's. */
export const hasFinished = (pod: SourcedObject): boolean => {
  const phase = typedView<Pod>(pod).status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
};

/** The objects whose pod templates make endpoints, or that own pods. */
export const workloadObjects = (objects: readonly SourcedObject[]): SourcedObject[] =>
  objects.filter((o) => isWorkloadKind(o.kind));

/**
 * A pod's endpoint (none for a finished pod), and the loaded workload it stands for (whose template then makes
 * no endpoint of its own).
 */
export interface PodPlacement {
  readonly endpoint: Endpoint | undefined;
  readonly owner: SourcedObject | undefined;
}

/** What `endpointsFrom` makes of each pod, among these workload objects: the same Endpoint object for the same pod. */
export function podPlacer(
  workloads: readonly SourcedObject[],
  namespaceOf: (o: SourcedObject) => string,
  hostNetworkPods: HostNetworkPods = DEFAULT_HOST_NETWORK_PODS,
): (pod: SourcedObject) => PodPlacement {
  const index = workloadIndex(workloads, namespaceOf);
  return (pod) => {
    const namespace = namespaceOf(pod);
    const owner = podOwner(index, pod, namespace);
    return { endpoint: hasFinished(pod) ? undefined : podEndpoint(pod, namespace, owner, hostNetworkPods), owner };
  };
}

/** The loaded workloads by namespace, kind and name, and the top owner an owner reference leads to. */
interface WorkloadIndex {
  readonly objects: readonly SourcedObject[];
  topOwner(namespace: string, refs: readonly OwnerReference[] | undefined): SourcedObject | undefined;
}

/** The last index built: a rebuild with the same workload objects reuses it, and with it every pod's owner. */
let lastIndex: WorkloadIndex | undefined;

function workloadIndex(objects: readonly SourcedObject[], namespaceOf: (o: SourcedObject) => string): WorkloadIndex {
  if (lastIndex !== undefined && sameObjects(lastIndex.objects, objects)) return lastIndex;
  const byKey = new Map<string, SourcedObject>();
  for (const o of objects) byKey.set(`${namespaceOf(o)}/${o.kind}/${o.name}`, o);
  const topOwner = (namespace: string, refs: readonly OwnerReference[] | undefined): SourcedObject | undefined => {
    let current: SourcedObject | undefined;
    let next = controllerOf(refs);
    for (let depth = 0; next !== undefined && depth < 8; depth++) {
      const found = byKey.get(`${namespace}/${next.kind}/${next.name}`);
      if (found === undefined) break;
      current = found;
      next = controllerOf(typedView<Workload>(found).metadata?.ownerReferences);
    }
    return current;
  };
  return (lastIndex = { objects, topOwner });
}

const sameObjects = (a: readonly SourcedObject[], b: readonly SourcedObject[]): boolean =>
  a.length === b.length && a.every((o, i) => o === b[i]);

const podOwners = new WeakMap<
  SourcedObject,
  { index: WorkloadIndex; namespace: string; owner: SourcedObject | undefined }
>();

function podOwner(index: WorkloadIndex, pod: SourcedObject, namespace: string): SourcedObject | undefined {
  const cached = podOwners.get(pod);
  if (cached !== undefined && cached.index === index && cached.namespace === namespace) return cached.owner;
  const owner = index.topOwner(namespace, typedView<Pod>(pod).metadata?.ownerReferences);
  podOwners.set(pod, { index, namespace, owner });
  return owner;
}

/** Endpoints by pod object: an agent rebuilds its cluster on every change, and most pods did not change. */
const podEndpoints = new WeakMap<
  SourcedObject,
  { namespace: string; owner: SourcedObject | undefined; hostNetworkPods: HostNetworkPods; endpoint: Endpoint }
>();

function podEndpoint(
  o: SourcedObject,
  namespace: string,
  owner: SourcedObject | undefined,
  hostNetworkPods: HostNetworkPods,
): Endpoint {
  const cached = podEndpoints.get(o);
  if (
    cached !== undefined &&
    cached.namespace === namespace &&
    cached.owner === owner &&
    cached.hostNetworkPods === hostNetworkPods
  )
    return cached.endpoint;
  const endpoint = derivePodEndpoint(o, namespace, owner, hostNetworkPods);
  podEndpoints.set(o, { namespace, owner, hostNetworkPods, endpoint });
  return endpoint;
}

function derivePodEndpoint(
  o: SourcedObject,
  namespace: string,
  owner: SourcedObject | undefined,
  hostNetworkPods: HostNetworkPods,
): Endpoint {
  const pod = typedView<Pod>(o);
  const addresses = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter(
    (ip): ip is string => typeof ip === 'string' && ip !== '',
  );
  const ips = dedupe(addresses.map(parseIP).filter((ip): ip is IPAddress => ip !== undefined));
  return {
    id: `${namespace}/${o.name}`,
    kind: 'Pod',
    namespace,
    name: o.name,
    labels: pod.metadata?.labels ?? {},
    ips,
    node: pod.spec?.nodeName ?? undefined,
    hostIP: pod.status?.hostIP ? parseIP(pod.status.hostIP) : undefined,
    ports: containerPorts(pod.spec),
    owner: owner ? { kind: owner.kind, name: owner.name } : (controllerNotLoaded(pod) ?? { kind: 'Pod', name: o.name }),
    hostNetwork: isNodeTraffic(pod.spec?.hostNetwork === true, hostNetworkPods),
    nodeNetwork: pod.spec?.hostNetwork === true,
    origin: o.origin,
  };
}

/**
 * The controller a pod's owner reference names when the input lacks it, as netpol-analyzer reports such a pod:
 * its kind and name (a reference without kind reads as Pod there too). A Node owns static pods, which are no
 * workload's replicas: they stay pods.
 */
function controllerNotLoaded(pod: Pod): Owner | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (ref === undefined || !ref.name || ref.kind === 'Node') return undefined;
  return { kind: ref.kind || 'Pod', name: ref.name };
}

function templateEndpoint(
  o: SourcedObject,
  namespace: string,
  workload: Workload,
  hostNetworkPods: HostNetworkPods,
): Endpoint {
  const template = o.kind === 'CronJob' ? workload.spec?.jobTemplate?.spec?.template : workload.spec?.template;
  return {
    id: `${namespace}/${o.name}`,
    kind: 'Pod',
    namespace,
    name: o.name,
    labels: template?.metadata?.labels ?? {},
    ips: [],
    node: template?.spec?.nodeName ?? undefined,
    hostIP: undefined,
    ports: containerPorts(template?.spec),
    owner: { kind: o.kind, name: o.name },
    hostNetwork: isNodeTraffic(template?.spec?.hostNetwork === true, hostNetworkPods),
    nodeNetwork: template?.spec?.hostNetwork === true,
    origin: o.origin,
  };
}

function containerPorts(spec: PodSpec | undefined): ContainerPortInfo[] {
  const containers: readonly Container[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  return containers.flatMap((c) =>
    (c.ports ?? []).map((p) => ({
      name: p.name || undefined,
      port: p.containerPort,
      protocol: protocolOrDefault(p.protocol),
    })),
  );
}

const controllerOf = (refs: readonly OwnerReference[] | undefined): OwnerReference | undefined =>
  refs?.find((r) => r.controller === true) ?? refs?.[0];

function dedupe(ips: IPAddress[]): IPAddress[] {
  const seen = new Set<string>();
  return ips.filter((ip) => {
    const key = `${ip.family}/${ip.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A template endpoint may share its name with a pod; the later one is told apart by its kind. */
function withUniqueIds(endpoints: Endpoint[]): Endpoint[] {
  const seen = new Set<string>();
  return endpoints.map((e) => {
    const id = seen.has(e.id) ? `${e.id}[${e.owner.kind}]` : e.id;
    seen.add(id);
    return id === e.id ? e : { ...e, id };
  });
}
