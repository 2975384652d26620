import type { Cluster } from '../policy/cluster.js';
import { endpointPatchOf } from '../pipeline/cluster-builder.js';
import type { Endpoint } from '../model/endpoints.js';

/** What one endpoint puts into a set: its elements, or none. */
export type Contribution = (cluster: Cluster, endpoint: Endpoint) => readonly string[];

interface Index {
  readonly contribute: Contribution;
  readonly members: Map<Endpoint, readonly string[]>;
  elements: string[] | undefined;
}

/** Past this many changed endpoints, starting over costs less than patching. */
const PATCH_LIMIT = 256;

/**
 * Set memberships kept from one render to the next, so that a pod's churn
 * costs the sets it touches, not the cluster. Endpoints are compared by
 * identity: the model hands back the same Endpoint object for an unchanged
 * pod, so the endpoints that changed are the ones not seen before. A change
 * of namespace labels can move whole namespaces in or out of sets, so it
 * starts over.
 */
export class MembershipCache {
  private cluster: Cluster | undefined;
  private namespaceLabels = '';
  private indexes = new Map<string, Index>();

  /** The elements of the set `key`, whose members each endpoint contributes as `contribute` says. */
  elements(cluster: Cluster, key: string, contribute: Contribution): readonly string[] {
    this.follow(cluster);
    let index = this.indexes.get(key);
    if (index === undefined) {
      index = { contribute, members: new Map(), elements: undefined };
      for (const endpoint of cluster.endpoints) add(index, cluster, endpoint);
      this.indexes.set(key, index);
    }
    index.elements ??= [...index.members.values()].flat();
    return index.elements;
  }

  private follow(cluster: Cluster): void {
    if (cluster === this.cluster) return;
    const previous = this.cluster;
    this.cluster = cluster;
    // A patched cluster shares its namespaces with the one before: nothing to compare.
    let relabelled = false;
    if (cluster.namespaces !== previous?.namespaces) {
      const labels = JSON.stringify([...cluster.namespaces.values()].map((n) => [n.name, n.labels]));
      relabelled = labels !== this.namespaceLabels;
      this.namespaceLabels = labels;
    }
    if (previous === undefined || relabelled) return this.indexes.clear();
    const { removed, added } = endpointChange(previous, cluster);
    if (removed.length + added.length > PATCH_LIMIT) return this.indexes.clear();
    for (const index of this.indexes.values()) {
      for (const endpoint of removed) if (index.members.delete(endpoint)) index.elements = undefined;
      for (const endpoint of added) add(index, cluster, endpoint);
    }
  }
}

/** The endpoints one cluster took out and put in against another: from the patch that made it, or by comparing. */
function endpointChange(
  previous: Cluster,
  cluster: Cluster,
): { removed: readonly Endpoint[]; added: readonly Endpoint[] } {
  const patch = endpointPatchOf(cluster);
  if (patch?.from === previous) return patch;
  const before = new Set(previous.endpoints);
  const after = new Set(cluster.endpoints);
  return {
    removed: previous.endpoints.filter((e) => !after.has(e)),
    added: cluster.endpoints.filter((e) => !before.has(e)),
  };
}

function add(index: Index, cluster: Cluster, endpoint: Endpoint): void {
  const elements = index.contribute(cluster, endpoint);
  if (elements.length === 0) return;
  index.members.set(endpoint, elements);
  index.elements = undefined;
}
