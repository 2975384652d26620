import { isNamespaced, knownKind } from '../resources/kinds.js';
import { namespaceOrDefault } from '../resources/defaults.js';
import type { SourcedObject } from '../resources/source.js';

/** An object that a later one of the same kind, namespace and name stands in for. */
export interface ReplacedObject {
  readonly object: SourcedObject;
  /** The later object, which the analysis reads. */
  readonly by: SourcedObject;
}

/**
 * Which object of the cluster a manifest describes. The kind is netpol's, so that the groups one resource is
 * served under (`extensions/v1beta1` and `networking.k8s.io/v1` NetworkPolicy) name the same object, and the
 * namespace is the one the API server gives it. Objects without a name (invalid, or `generateName`) are
 * never the same object.
 */
function identity(o: SourcedObject): string | undefined {
  const kind = knownKind(o.apiVersion, o.kind);
  if (kind === undefined || o.name === '') return undefined;
  return `${kind}\u0000${isNamespaced(kind) ? namespaceOrDefault(o.namespace) : ''}\u0000${o.name}`;
}

/**
 * A cluster holds one object per kind, namespace and name, and `kubectl apply -f` of the inputs leaves the later
 * one in input order: the objects as such a cluster holds them, in input order, and the ones replaced.
 */
export function keepLatest(objects: readonly SourcedObject[]): {
  objects: SourcedObject[];
  replaced: ReplacedObject[];
} {
  const latest = new Map<string, SourcedObject>();
  let named = 0;
  for (const o of objects) {
    const key = identity(o);
    if (key === undefined) continue;
    latest.set(key, o);
    named++;
  }
  if (latest.size === named) return { objects: [...objects], replaced: [] };
  const kept: SourcedObject[] = [];
  const replaced: ReplacedObject[] = [];
  for (const o of objects) {
    const key = identity(o);
    const by = key === undefined ? o : latest.get(key)!;
    if (by === o) kept.push(o);
    else replaced.push({ object: o, by });
  }
  return { objects: kept, replaced };
}
