import type { JSONObject } from '../util/json.js';

const resourceVersionOf = (o: JSONObject): unknown => (o['metadata'] as JSONObject | undefined)?.['resourceVersion'];

/**
 * Read-your-writes over a watch cache. A controller's own writes reach its cache later than it acts again: right
 * after adding a finalizer or writing a status, the cache may still hold the version before, and acting on it
 * would write again (a new transition time, a finalizer patch refused as stale). This remembers, per key, the
 * object the API server answered the last write with, and the versions it superseded: while the cache holds one
 * of those, the answer is the current object. Once the cache holds the written version, or any version this did
 * not see (someone else wrote), the cache is right again.
 */
export class OwnWrites {
  private readonly byKey = new Map<string, { readonly superseded: Set<unknown>; latest: JSONObject }>();

  /** The object to act on for `key`: the cached one, unless one of this controller's writes superseded it. */
  current(key: string, cached: JSONObject): JSONObject {
    const written = this.byKey.get(key);
    if (written === undefined) return cached;
    if (written.superseded.has(resourceVersionOf(cached))) return written.latest;
    this.byKey.delete(key);
    return cached;
  }

  /** A write based on `before` was answered with `after`. */
  wrote(key: string, before: JSONObject, after: JSONObject): void {
    const written = this.byKey.get(key) ?? { superseded: new Set<unknown>(), latest: after };
    written.superseded.add(resourceVersionOf(before));
    written.latest = after;
    this.byKey.set(key, written);
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
