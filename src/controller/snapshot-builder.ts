import { type JSONObject, isJSONObject } from '../util/json.js';
import { type Location } from '../util/location.js';
import { type SourcedObject, objectFromData } from '../resources/source.js';
import { type Diagnostic, validateObject } from '../validate/validate.js';
import type { SourceSnapshot } from './source.js';

/** One object as a source holds it: where it lives and the raw object, which a new version replaces. */
export interface HeldObject {
  /** Stable across versions of the object: `networkpolicies.networking.k8s.io/shop/deny`. */
  readonly key: string;
  readonly origin: Location;
  readonly raw: JSONObject;
}

interface Entry {
  readonly raw: JSONObject;
  readonly object: SourcedObject;
  readonly problems: readonly Diagnostic[];
}

/**
 * Turns what a source holds into snapshots: each object validated once per version (a raw object the source
 * still holds keeps its SourcedObject, so unchanged objects keep their identity), invalid ones reported and
 * left out, and the change against the previous read.
 */
export class SnapshotBuilder {
  private entries = new Map<string, Entry>();
  private lastValid = new Set<SourcedObject>();

  build(held: Iterable<HeldObject>): SourceSnapshot {
    const next = new Map<string, Entry>();
    for (const h of held) {
      const previous = this.entries.get(h.key);
      next.set(h.key, previous !== undefined && previous.raw === h.raw ? previous : this.entryFor(h));
    }
    this.entries = next;
    const objects: SourcedObject[] = [];
    const problems: Diagnostic[] = [];
    for (const entry of next.values()) {
      if (entry.problems.length > 0) problems.push(...entry.problems);
      else objects.push(entry.object);
    }
    const valid = new Set(objects);
    const added = objects.filter((o) => !this.lastValid.has(o));
    const removed = [...this.lastValid].filter((o) => !valid.has(o));
    this.lastValid = valid;
    return { objects, problems, change: { added, removed } };
  }

  private entryFor(h: HeldObject): Entry {
    const object = objectFromData(withoutManagedFields(h.raw), h.origin);
    return { raw: h.raw, object, problems: validateObject(object) };
  }
}

/** managedFields say who wrote what, nothing netpol reads; the file loader drops them too. */
function withoutManagedFields(raw: JSONObject): JSONObject {
  const metadata = raw['metadata'];
  if (!isJSONObject(metadata) || metadata['managedFields'] === undefined) return raw;
  const { managedFields: _managedFields, ...rest } = metadata;
  return { ...raw, metadata: rest };
}
