import { type JSONObject, isJSONObject } from '../../util/json.js';
import { type ResourceType, qualifiedResource } from './resources.js';
import { type StoreEvent, type VersionedStore, metadataOf } from './store.js';

export interface DependentRef {
  readonly resource: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string;
}

const uidOf = (object: JSONObject): string => metadataOf(object)['uid'] as string;

function ownerUids(object: JSONObject): string[] {
  const refs = metadataOf(object)['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isJSONObject).map((r) => String(r['uid'])) : [];
}

/**
 * What the garbage collector asks, kept up to date from the store's events: which objects name an owner,
 * and whether a uid still exists. Deleting one pod among thousands then costs what its dependents cost.
 */
export class OwnerIndex {
  private readonly dependents = new Map<string, Map<string, DependentRef>>();
  private readonly uids = new Set<string>();

  constructor(store: VersionedStore) {
    store.subscribe((event) => this.observe(event));
  }

  dependentsOf(uid: string): DependentRef[] {
    return [...(this.dependents.get(uid)?.values() ?? [])];
  }

  exists(uid: string): boolean {
    return this.uids.has(uid);
  }

  private observe(event: StoreEvent): void {
    const meta = metadataOf(event.object);
    const ref: DependentRef = {
      resource: event.resource,
      namespace: meta['namespace'] as string | undefined,
      name: meta['name'] as string,
    };
    const key = `${qualifiedResource(event.resource)}/${ref.namespace ?? ''}/${ref.name}`;
    if (event.previous !== undefined) {
      for (const owner of ownerUids(event.previous)) this.dependents.get(owner)?.delete(key);
    }
    if (event.type === 'DELETED') {
      this.uids.delete(uidOf(event.object));
      return;
    }
    this.uids.add(uidOf(event.object));
    for (const owner of ownerUids(event.object)) {
      let refs = this.dependents.get(owner);
      if (refs === undefined) this.dependents.set(owner, (refs = new Map()));
      refs.set(key, ref);
    }
  }
}
