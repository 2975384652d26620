import type { JSONObject } from '../../util/json.js';
import { type ResourceType, qualifiedResource } from './resources.js';
import { tooOldResourceVersion } from './status.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change, as the watch cache keeps it. */
export interface StoreEvent {
  readonly revision: number;
  readonly type: EventType;
  readonly resource: ResourceType;
  /** The object after the change; for DELETED, the last state stamped with the deletion's revision. */
  readonly object: JSONObject;
  readonly previous: JSONObject | undefined;
}

export type StoreListener = (event: StoreEvent) => void;

export const metadataOf = (object: JSONObject): JSONObject => object['metadata'] as JSONObject;

/** Objects of one resource are ordered by this key, as etcd orders `/registry/<resource>/<ns>/<name>`. */
export const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export const keyOf = (object: JSONObject): string => {
  const meta = metadataOf(object);
  return objectKey(meta['namespace'] as string | undefined, meta['name'] as string);
};

export const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The objects of every resource, versioned with one revision counter as etcd does, and the history of
 * changes since the last compaction: enough to replay a watch from a resourceVersion and to read a list
 * as it was at a revision (continue tokens).
 */
export class VersionedStore {
  private revisionCounter = 1;
  /** Events after this revision are retained; a watch or a continuation from before it is too old. */
  private compactedAt = 1;
  private readonly objects = new Map<string, Map<string, JSONObject>>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historyLimit = 10_000) {}

  get revision(): number {
    return this.revisionCounter;
  }

  get compactedRevision(): number {
    return this.compactedAt;
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): JSONObject | undefined {
    return this.table(resource).get(objectKey(resource.namespaced ? namespace : undefined, name));
  }

  /** The current objects of a resource, ordered by key. */
  list(resource: ResourceType): JSONObject[] {
    return sortedValues(this.table(resource));
  }

  /** The current objects of a resource in no order: for scans that need no order, such as garbage collection. */
  values(resource: ResourceType): IterableIterator<JSONObject> {
    return this.table(resource).values();
  }

  /** The objects of a resource as they were at `revision`. */
  listAt(resource: ResourceType, revision: number): JSONObject[] {
    this.requireRetained(revision);
    const state = new Map(this.table(resource));
    const name = qualifiedResource(resource);
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.revision > revision; i--) {
      const event = this.history[i]!;
      if (qualifiedResource(event.resource) !== name) continue;
      if (event.type === 'ADDED') state.delete(keyOf(event.object));
      else state.set(keyOf(event.object), event.previous!);
    }
    return sortedValues(state);
  }

  /** The events after `revision`, oldest first; throws the API's 410 Expired when they are no longer kept. */
  eventsSince(revision: number): StoreEvent[] {
    this.requireRetained(revision);
    let first = this.history.length;
    while (first > 0 && this.history[first - 1]!.revision > revision) first--;
    return this.history.slice(first);
  }

  create(resource: ResourceType, object: JSONObject): JSONObject {
    return this.commit('ADDED', resource, object, undefined);
  }

  update(resource: ResourceType, object: JSONObject, previous: JSONObject): JSONObject {
    return this.commit('MODIFIED', resource, object, previous);
  }

  /** `previous` is the stored state when `object` is a last update that goes with the deletion. */
  remove(resource: ResourceType, object: JSONObject, previous: JSONObject = object): JSONObject {
    return this.commit('DELETED', resource, object, previous);
  }

  /** Removes every object of a resource (its CRD was deleted), each with a DELETED event. */
  clear(resource: ResourceType): void {
    for (const object of this.list(resource)) this.remove(resource, object);
  }

  /** Drops history up to `revision` (the current one by default), as etcd compaction does. */
  compact(revision = this.revisionCounter): void {
    this.compactedAt = Math.max(this.compactedAt, Math.min(revision, this.revisionCounter));
    this.history = this.history.filter((e) => e.revision > this.compactedAt);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private requireRetained(revision: number): void {
    if (revision < this.compactedAt) throw tooOldResourceVersion(revision, this.compactedAt);
  }

  private commit(type: EventType, resource: ResourceType, object: JSONObject, previous?: JSONObject): JSONObject {
    const revision = ++this.revisionCounter;
    const stamped = deepFreeze({
      ...object,
      metadata: { ...metadataOf(object), resourceVersion: String(revision) },
    });
    const table = this.table(resource);
    if (type === 'DELETED') table.delete(keyOf(stamped));
    else table.set(keyOf(stamped), stamped);
    const event: StoreEvent = { revision, type, resource, object: stamped, previous };
    this.history.push(event);
    if (this.history.length > this.historyLimit)
      this.compact(this.history[this.history.length - this.historyLimit]!.revision - 1);
    for (const listener of [...this.listeners]) listener(event);
    return stamped;
  }

  private table(resource: ResourceType): Map<string, JSONObject> {
    const name = qualifiedResource(resource);
    let table = this.objects.get(name);
    if (table === undefined) this.objects.set(name, (table = new Map()));
    return table;
  }
}

function sortedValues(table: ReadonlyMap<string, JSONObject>): JSONObject[] {
  return [...table.entries()].sort(([a], [b]) => byKey(a, b)).map(([, object]) => object);
}

/** Stored objects are shared with every reader and watcher: nobody may change one in place. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
