import { PatchedMap } from '../util/patched-map.js';
import type { Family } from '../algebra/ip.js';
import { compareStrings, sameList } from '../util/order.js';
import { type Cluster, type ClusterOptions, buildCluster, compilePolicies } from '../policy/cluster.js';
import { addressKey, familiesWith, familyCounts, holdsOwnAddresses, namespaceOf, nodesFrom } from '../model/cluster.js';
import { type Endpoint, podPlacer, workloadObjects } from '../model/endpoints.js';
import { isPolicyKind, knownKind } from '../resources/kinds.js';
import type { SourcedObject } from '../resources/source.js';

/** The objects a source took away and brought in since the build before: the same objects stay the same. */
export interface ObjectsChange {
  readonly removed: readonly SourcedObject[];
  readonly added: readonly SourcedObject[];
}

/** How a patched cluster differs from the cluster it was patched from. */
export interface EndpointPatch {
  readonly from: Cluster;
  readonly removed: readonly Endpoint[];
  readonly added: readonly Endpoint[];
}

const patches = new WeakMap<Cluster, EndpointPatch>();

/**
 * The endpoints a patch took out of and put into `cluster`, if it was patched:
 * what follows a cluster can follow the patch instead of comparing.
 */
export const endpointPatchOf = (cluster: Cluster): EndpointPatch | undefined => patches.get(cluster);

/** What the last full build knew, to patch the next cluster from. */
interface Basis {
  readonly cluster: Cluster;
  readonly workloads: readonly SourcedObject[];
  /**
   * Pods per workload they stand for, pods per node, and pods per node address:
   * a count reaching 0 or leaving it changes more than the pod.
   */
  readonly refs: Map<unknown, number>;
  /** Addresses per family, over every endpoint. */
  readonly families: Record<Family, number>;
}

/**
 * Builds one cluster after another from inputs that change a little at a
 * time. When only pods changed, the churn a node agent sees most, the last
 * cluster is patched: the changed pods' endpoints are taken out and put in,
 * and the indexes follow, at a cost that grows with the change rather than
 * the cluster. When only policies changed, the endpoints stay and the
 * policies are compiled again. Anything else builds afresh: another kind of object, a
 * workload gaining its first pod or losing its last (its template endpoint
 * comes or goes), a namespace nobody declares, or an id that clashes.
 */
export class ClusterBuilder {
  private basis: Basis | undefined;
  /** How the last cluster was made, for tests and logs. */
  lastBuild: 'full' | 'patched' = 'full';

  constructor(private readonly options: ClusterOptions = {}) {}

  /**
   * The cluster of `objects`; `change` says how they differ from the objects
   * of the last call, when known. The objects may come as a function, called
   * only when the patch needs them or a full build does.
   */
  build(input: readonly SourcedObject[] | (() => readonly SourcedObject[]), change?: ObjectsChange): Cluster {
    let gathered: readonly SourcedObject[] | undefined;
    const objects = (): readonly SourcedObject[] => (gathered ??= typeof input === 'function' ? input() : input);
    const patched =
      this.basis !== undefined && change !== undefined
        ? (patchPolicies(this.basis, change, objects, this.options) ?? patch(this.basis, change, objects, this.options))
        : undefined;
    this.lastBuild = patched === undefined ? 'full' : 'patched';
    if (patched !== undefined) return (this.basis = patched).cluster;
    const cluster = buildCluster(objects(), this.options);
    const workloads = workloadObjects(objects());
    this.basis = {
      cluster,
      workloads,
      refs: countRefs(cluster, workloads, objects(), this.options),
      families: familyCounts(cluster.endpoints),
    };
    return cluster;
  }
}

function countRefs(
  cluster: Cluster,
  workloads: readonly SourcedObject[],
  objects: readonly SourcedObject[],
  options: ClusterOptions,
): Map<unknown, number> {
  const refs = new Map<unknown, number>();
  // Node objects hold their node and addresses whatever the pods do.
  for (const o of objects)
    if (knownKind(o.apiVersion, o.kind) === 'Node')
      for (const key of [
        o.name,
        ...(cluster.nodes.get(o.name)?.addresses ?? []).map((ip) => `${o.name}|${addressKey(ip)}`),
      ])
        add(refs, key, 1);
  const place = podPlacer(workloads, namespaceOf, options.hostNetworkPods);
  for (const o of objects) {
    if (knownKind(o.apiVersion, o.kind) !== 'Pod') continue;
    const { endpoint, owner } = place(o);
    for (const key of refsOf(endpoint, owner)) add(refs, key, 1);
  }
  return refs;
}

/**
 * What a pod holds in place beyond its endpoint: its workload's pod count (a finished pod counts there too), and
 * through its endpoint its node and the node addresses it reports.
 */
function refsOf(e: Endpoint | undefined, owner: SourcedObject | undefined): unknown[] {
  const refs: unknown[] = owner === undefined ? [] : [owner];
  if (e?.node === undefined) return refs;
  refs.push(e.node);
  if (e.hostIP !== undefined) refs.push(`${e.node}|${addressKey(e.hostIP)}`);
  if (!holdsOwnAddresses(e)) for (const ip of e.ips) refs.push(`${e.node}|${addressKey(ip)}`);
  return refs;
}

/** Adds to a count; says whether it left 0 or reached it. */
function add(refs: Map<unknown, number>, key: unknown, by: number): boolean {
  const before = refs.get(key) ?? 0;
  refs.set(key, before + by);
  return before === 0 || before + by === 0;
}

const isPolicyObject = (o: SourcedObject): boolean => {
  const kind = knownKind(o.apiVersion, o.kind);
  return kind !== undefined && isPolicyKind(kind);
};

/**
 * When only policies changed, the endpoints, namespaces and nodes stay as they were and only the policies are
 * compiled again: the model of a large cluster costs far more than its policies. A policy in a namespace that no
 * object declares makes that namespace exist, which is the full build's business; so is legacy semantics, where
 * the namespaces' annotations and the policies are read together.
 */
function patchPolicies(
  basis: Basis,
  change: ObjectsChange,
  objects: () => readonly SourcedObject[],
  options: ClusterOptions,
): Basis | undefined {
  const semantics = options.semantics ?? 'v1';
  if (semantics !== 'v1') return undefined;
  const changed = [...change.removed, ...change.added];
  if (changed.length === 0 || !changed.every(isPolicyObject)) return undefined;
  const { cluster } = basis;
  const compiled = compilePolicies(objects(), semantics);
  const declared = (namespace: string | undefined): boolean =>
    namespace === undefined || cluster.namespaces.get(namespace)?.implicit === false;
  if (!compiled.policies.every((p) => declared(p.namespace))) return undefined;
  if (!cluster.policies.every((p) => declared(p.namespace))) return undefined;
  const next: Cluster = { ...cluster, ...compiled };
  patches.set(next, { from: cluster, removed: [], added: [] });
  return { ...basis, cluster: next };
}

function patch(
  basis: Basis,
  change: ObjectsChange,
  objects: () => readonly SourcedObject[],
  options: ClusterOptions,
): Basis | undefined {
  const isPod = (o: SourcedObject): boolean => knownKind(o.apiVersion, o.kind) === 'Pod';
  if (!change.removed.every(isPod) || !change.added.every(isPod)) return undefined;
  const { cluster } = basis;
  // Pods that shared an address are weighed again by the full build, which warns about them.
  if (cluster.warnings.length > 0) return undefined;
  const place = podPlacer(basis.workloads, namespaceOf, options.hostNetworkPods);
  const placements = { removed: change.removed.map(place), added: change.added.map(place) };
  const removed = placements.removed.flatMap(({ endpoint }) => (endpoint === undefined ? [] : [endpoint]));
  const added = placements.added.flatMap(({ endpoint }) => (endpoint === undefined ? [] : [endpoint]));
  // An endpoint renamed for a clash, or a namespace that exists only through references, is the full build's business.
  if (removed.some((endpoint) => cluster.endpointById.get(endpoint.id) !== endpoint)) return undefined;
  if ([...removed, ...added].some((endpoint) => cluster.namespaces.get(endpoint.namespace)?.implicit !== false))
    return undefined;
  const gone = new Set(removed);
  const goneIds = new Set([...gone].map((e) => e.id));
  const clashes = (id: string): boolean => cluster.endpointById.has(id) && !goneIds.has(id);
  if (added.some((endpoint) => clashes(endpoint.id)) || new Set(added.map((e) => e.id)).size !== added.length)
    return undefined;

  const refs = new Map(basis.refs);
  let nodesChanged = false;
  let ownersChanged = false;
  for (const [list, by] of [
    [placements.removed, -1],
    [placements.added, 1],
  ] as const) {
    for (const { endpoint, owner } of list) {
      for (const key of refsOf(endpoint, owner)) {
        if (!add(refs, key, by)) continue;
        if (key === owner) ownersChanged = true;
        else nodesChanged = true;
      }
    }
  }
  if (ownersChanged) return undefined;

  const endpoints = patchSorted(cluster.endpoints, gone, added);
  const endpointById = PatchedMap.of(
    cluster.endpointById,
    added.map((endpoint) => [endpoint.id, endpoint] as const),
    goneIds,
  );
  const addressesOf = (e: Endpoint): string[] => (holdsOwnAddresses(e) ? e.ips.map(addressKey) : []);
  const endpointByAddress = PatchedMap.of(
    cluster.endpointByAddress,
    added.flatMap((endpoint) => addressesOf(endpoint).map((key) => [key, endpoint] as const)),
    [...gone].flatMap((e) => addressesOf(e).filter((key) => cluster.endpointByAddress.get(key) === e)),
  );
  // Two pods with one address: the full build decides which answers for it, and warns.
  if (endpointByAddress.size !== endpoints.reduce((n, e) => n + (holdsOwnAddresses(e) ? e.ips.length : 0), 0))
    return undefined;
  for (const [key, count] of refs) if (count === 0) refs.delete(key);
  const nodes = nodesChanged ? nodesFrom(objects(), endpoints) : cluster.nodes;
  const counts = { ...basis.families };
  for (const e of gone) for (const ip of e.ips) counts[ip.family]--;
  for (const endpoint of added) for (const ip of endpoint.ips) counts[ip.family]++;
  const families = familiesWith(counts);
  const next: Cluster = {
    ...cluster,
    endpoints,
    endpointById,
    endpointByAddress,
    nodes,
    families: sameList(families, cluster.families) ? cluster.families : families,
  };
  patches.set(next, { from: cluster, removed: [...gone], added });
  return { ...basis, refs, families: counts, cluster: next };
}

/** Endpoints sorted by id, without those gone and with those added, in their places. */
export function patchSorted(
  endpoints: readonly Endpoint[],
  gone: ReadonlySet<Endpoint>,
  added: readonly Endpoint[],
): Endpoint[] {
  const patched = endpoints.filter((e) => !gone.has(e));
  for (const e of added) patched.splice(sortedIndex(patched, e.id), 0, e);
  return patched;
}

/** Where an id goes in endpoints sorted by id. */
function sortedIndex(endpoints: readonly Endpoint[], id: string): number {
  let low = 0;
  let high = endpoints.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareStrings(endpoints[middle]!.id, id) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
