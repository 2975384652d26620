/** Past this many changed keys a patched map is copied out flat, so that lookups stay one or two probes. */
const FLATTEN_AFTER = 512;

/**
 * A map that is another map with some keys set and some deleted, without
 * copying it: patching a cluster of ten thousand endpoints must cost what
 * the patch holds, and the map it started from must stay as it was.
 */
export class PatchedMap<K, V> implements ReadonlyMap<K, V> {
  readonly size: number;

  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly changed: ReadonlyMap<K, V>,
    private readonly deleted: ReadonlySet<K>,
  ) {
    let size = base.size;
    for (const key of deleted) if (base.has(key)) size--;
    for (const key of changed.keys()) if (!base.has(key)) size++;
    this.size = size;
  }

  /** `map` with `set` set and `deleted` deleted (a key in both is set). */
  static of<K, V>(map: ReadonlyMap<K, V>, set: Iterable<readonly [K, V]>, deleted: Iterable<K>): ReadonlyMap<K, V> {
    const [base, changed, gone] =
      map instanceof PatchedMap
        ? [map.base, new Map(map.changed), new Set(map.deleted)]
        : [map, new Map<K, V>(), new Set<K>()];
    for (const key of deleted) {
      changed.delete(key);
      gone.add(key);
    }
    for (const [key, value] of set) {
      changed.set(key, value);
      gone.delete(key);
    }
    if (changed.size + gone.size > FLATTEN_AFTER) {
      const flat = new Map(base);
      for (const key of gone) flat.delete(key);
      for (const [key, value] of changed) flat.set(key, value);
      return flat;
    }
    return new PatchedMap(base, changed, gone);
  }

  get(key: K): V | undefined {
    if (this.changed.has(key)) return this.changed.get(key);
    return this.deleted.has(key) ? undefined : this.base.get(key);
  }

  has(key: K): boolean {
    return this.changed.has(key) || (!this.deleted.has(key) && this.base.has(key));
  }

  *entries(): MapIterator<[K, V]> {
    for (const entry of this.base) if (!this.changed.has(entry[0]) && !this.deleted.has(entry[0])) yield entry;
    yield* this.changed.entries();
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
}
