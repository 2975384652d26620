import type { Labels } from '../algebra/selector.js';
import { namespaceOf } from './cluster.js';
import { type SourcedObject } from '../resources/source.js';
import { isJSONObject } from '../util/json.js';
import { namespaceOrDefault } from '../resources/defaults.js';

/** Identifies an object the way the apiserver does: kind, namespace (empty when cluster-scoped) and name. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface Relabel extends ObjectRef {
  /** The complete new label map. */
  readonly labels: Labels;
}

/**
 * The objects of a cluster, changed by deltas. Each change returns a new
 * store, so a snapshot built from one store never changes under its reader.
 */
export class ObjectStore {
  private constructor(private readonly byKey: ReadonlyMap<string, SourcedObject>) {}

  static of(objects: readonly SourcedObject[]): ObjectStore {
    return ObjectStore.empty.apply(objects);
  }

  static readonly empty = new ObjectStore(new Map());

  get objects(): SourcedObject[] {
    return [...this.byKey.values()];
  }

  get(ref: ObjectRef): SourcedObject | undefined {
    return this.byKey.get(refKey(ref));
  }

  /** Creates or replaces each object, as `kubectl apply` would. */
  apply(objects: readonly SourcedObject[]): ObjectStore {
    const next = new Map(this.byKey);
    for (const o of objects) next.set(refKey({ kind: o.kind, namespace: namespaceOf(o), name: o.name }), o);
    return new ObjectStore(next);
  }

  /** Removes objects; it is an error to delete what is not there, as it is for the apiserver. */
  delete(refs: readonly ObjectRef[]): ObjectStore {
    const next = new Map(this.byKey);
    for (const ref of refs) {
      if (!next.delete(refKey(ref))) throw new Error(`${ref.kind} ${describe(ref)} not found`);
    }
    return new ObjectStore(next);
  }

  /** Replaces the label maps of existing objects. */
  relabel(changes: readonly Relabel[]): ObjectStore {
    const next = new Map(this.byKey);
    for (const change of changes) {
      const key = refKey(change);
      const current = next.get(key);
      if (current === undefined) throw new Error(`${change.kind} ${describe(change)} not found`);
      const metadata = isJSONObject(current.raw['metadata']) ? current.raw['metadata'] : {};
      const raw = { ...current.raw, metadata: { ...metadata, labels: { ...change.labels } } };
      next.set(key, { ...current, raw });
    }
    return new ObjectStore(next);
  }
}

const isClusterScoped = (kind: string): boolean => kind === 'Namespace' || kind === 'Node';
const refKey = (ref: ObjectRef): string =>
  `${ref.kind}/${isClusterScoped(ref.kind) ? '' : namespaceOrDefault(ref.namespace)}/${ref.name}`;
const describe = (ref: ObjectRef): string =>
  isClusterScoped(ref.kind) ? ref.name : `${namespaceOrDefault(ref.namespace)}/${ref.name}`;
