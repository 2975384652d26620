import { createHash } from 'node:crypto';
import { type JSONObject, type Location, type SourcedObject, isJSONObject, objectFromData } from '../model/source.js';
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
    let sum = 0;
    for (const entry of next.values()) {
      sum = (sum + entry.stamp) % STAMP_MODULUS;
      if (entry.problems.length > 0) problems.push(...entry.problems);
      else objects.push(entry.object);
    }
    const valid = new Set(objects);
    const added = objects.filter((o) => !this.lastValid.has(o));
    const removed = [...this.lastValid].filter((o) => !valid.has(o));
    this.lastValid = valid;
    return { objects, problems, change: { added, removed }, version: formatStateVersion(next.size, sum) };
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

/** managedFields say who wrote what, nothing netpol reads; the file loader drops them too. */
function withoutManagedFields(raw: JSONObject): JSONObject {
  const metadata = raw['metadata'];
  if (!isJSONObject(metadata) || metadata['managedFields'] === undefined) return raw;
  const { managedFields: _managedFields, ...rest } = metadata;
  return { ...raw, metadata: rest };
}
