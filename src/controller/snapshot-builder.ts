import { createHash } from 'node:crypto';
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
  /** This version's share of the snapshot's `version`. */
  readonly stamp: number;
  readonly object: SourcedObject;
  readonly problems: readonly Diagnostic[];
}

/**
 * Turns what a source holds into snapshots, at a cost that grows with the change, not with what is held: each
 * object validated once per version (an unchanged object keeps its SourcedObject, so its identity), invalid ones
 * reported and left out (an invalid new version of a valid object leaves the valid one in force), and the change
 * against the previous read.
 */
export class SnapshotBuilder {
  private readonly entries = new Map<string, Entry>();
  /** The valid objects, by key, in the order they came. */
  private readonly valid = new Map<string, SourcedObject>();
  /** The problems of the invalid ones, by key. */
  private readonly invalid = new Map<string, readonly Diagnostic[]>();
  private sum = 0;
  private objects: readonly SourcedObject[] = [];
  private objectsStale = true;

  /**
   * The next snapshot, after `changes`: per key, the object's new version, or undefined when it is gone. A version
   * given again (the same raw object) changes nothing.
   */
  apply(changes: ReadonlyMap<string, HeldObject | undefined>): SourceSnapshot {
    const added: SourcedObject[] = [];
    const removed: SourcedObject[] = [];
    for (const [key, held] of changes) {
      const previous = this.entries.get(key);
      if (previous !== undefined && previous.raw === held?.raw) continue;
      const entry = held === undefined ? undefined : this.entryFor(held);
      if (previous !== undefined) {
        this.entries.delete(key);
        this.sum = (this.sum - previous.stamp + STAMP_MODULUS) % STAMP_MODULUS;
        this.invalid.delete(key);
        this.objectsStale = true;
      }
      // A version that does not validate leaves the last valid one in force, as the file source does: dropping
      // it would lift whatever it enforced (a deny, an isolation) until someone fixes the object.
      const kept = this.valid.get(key);
      if (kept !== undefined && (entry === undefined || entry.problems.length === 0)) {
        this.valid.delete(key);
        removed.push(kept);
      }
      if (entry === undefined) continue;
      this.entries.set(key, entry);
      this.sum = (this.sum + entry.stamp) % STAMP_MODULUS;
      if (entry.problems.length > 0) this.invalid.set(key, entry.problems);
      else {
        this.valid.set(key, entry.object);
        added.push(entry.object);
      }
      this.objectsStale = true;
    }
    if (this.objectsStale) {
      this.objects = [...this.valid.values()];
      this.objectsStale = false;
    }
    return {
      objects: this.objects,
      problems: [...this.invalid.values()].flat(),
      change: { added, removed },
      version: formatStateVersion(this.entries.size, this.sum),
    };
  }

  private entryFor(h: HeldObject): Entry {
    const object = objectFromData(withoutManagedFields(h.raw), h.origin);
    return { raw: h.raw, stamp: objectStamp(h.key, h.raw), object, problems: validateObject(object) };
  }
}

const STAMP_MODULUS = 2 ** 48;

/** One object version's share of a state version: 48 bits of the digest of its key and resourceVersion. */
function objectStamp(key: string, raw: JSONObject): number {
  const metadata = isJSONObject(raw['metadata']) ? raw['metadata'] : {};
  const resourceVersion = typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : '';
  return parseInt(createHash('sha256').update(`${key}@${resourceVersion}`).digest('hex').slice(0, 12), 16);
}

const formatStateVersion = (count: number, sum: number): string => `${count}-${sum.toString(16).padStart(12, '0')}`;

/**
 * Names a state of the API: which objects, at which resourceVersion, whatever the order they are listed in (a sum
 * of per-object digests, so a snapshot's costs one addition per object). A writer that knows what it wrote (the
 * lab) computes the same name to wait for the agent to report it applied; keys as KubeSource makes them
 * (`networkpolicies.networking.k8s.io/shop/deny`).
 */
export function apiStateVersion(objects: Iterable<{ readonly key: string; readonly raw: JSONObject }>): string {
  let count = 0;
  let sum = 0;
  for (const { key, raw } of objects) {
    count++;
    sum = (sum + objectStamp(key, raw)) % STAMP_MODULUS;
  }
  return formatStateVersion(count, sum);
}

/**
 * managedFields say who wrote what, nothing netpol reads; the file loader drops them too, and KubeSource's caches
 * do not keep them (controller-runtime's TransformStripManagedFields, for the same memory).
 */
export function withoutManagedFields(raw: JSONObject): JSONObject {
  const metadata = raw['metadata'];
  if (!isJSONObject(metadata) || metadata['managedFields'] === undefined) return raw;
  const { managedFields: _managedFields, ...rest } = metadata;
  return { ...raw, metadata: rest };
}
