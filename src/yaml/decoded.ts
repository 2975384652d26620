/**
 * What a decoded Go value knows and a plain JSON value does not: the Go type of non-string map
 * keys (1 and "1" are different keys in Go), keys JSON cannot hold at all (nil, uint64), and where
 * NaN and infinities sit (so that the error can point at them). Kept in side tables keyed by the
 * JS containers, filled only when such a thing occurs.
 */

import type { GoKey, GoType, MapInfo } from './gofmt.js';

export interface UnsupportedEntry {
  readonly key: GoKey;
  readonly value: unknown;
  /** Where the key is. */
  readonly offset: number;
}

type Container = object;

export class DecodedInfo implements MapInfo {
  private readonly types = new WeakMap<Container, Map<string, GoType>>();
  private readonly unsupported = new WeakMap<Container, UnsupportedEntry[]>();
  private readonly nonFinite = new WeakMap<Container, Map<string | number, number>>();
  /** Float keys' float64 values (their JSON spelling went through float32). */
  private readonly floats = new WeakMap<Container, Map<string, number>>();
  /** Whether unsupported keys or non-finite numbers were ever seen (the common case: no). */
  used = false;

  keyTypes(map: Container): ReadonlyMap<string, GoType> | undefined {
    return this.types.get(map);
  }

  setKeyTypes(map: Container, types: Map<string, GoType>): void {
    this.types.set(map, types);
  }

  floatKey(map: Container, key: string): number | undefined {
    return this.floats.get(map)?.get(key);
  }

  setFloatKey(map: Container, key: string, value: number): void {
    let floats = this.floats.get(map);
    if (floats === undefined) this.floats.set(map, (floats = new Map()));
    floats.set(key, value);
  }

  unsupportedKeys(map: Container): readonly UnsupportedEntry[] | undefined {
    return this.unsupported.get(map);
  }

  /** Sets a nil or uint64 key (Go map semantics: an equal key is replaced); true if it was there. */
  setUnsupported(map: Container, entry: UnsupportedEntry): boolean {
    this.used = true;
    let entries = this.unsupported.get(map);
    if (entries === undefined) this.unsupported.set(map, (entries = []));
    const same = entries.findIndex((e) => e.key.type === entry.key.type && e.key.text === entry.key.text);
    if (same >= 0) entries.splice(same, 1);
    entries.push(entry);
    return same >= 0;
  }

  nonFiniteAt(container: Container, key: string | number): number | undefined {
    return this.nonFinite.get(container)?.get(key);
  }

  markNonFinite(container: Container, key: string | number, offset: number): void {
    this.used = true;
    let offsets = this.nonFinite.get(container);
    if (offsets === undefined) this.nonFinite.set(container, (offsets = new Map()));
    offsets.set(key, offset);
  }

  /**
   * A deep copy of a decoded value with its side tables (go-yaml decodes an aliased node afresh
   * for each alias, so copies share nothing). Iterative: values may nest deeper than the JS stack.
   */
  copy(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    const rootCopy = emptyLike(value);
    const work: [object, object][] = [[value, rootCopy]];
    const child = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object') return v;
      const copy = emptyLike(v);
      work.push([v, copy]);
      return copy;
    };
    while (work.length > 0) {
      const [source, target] = work.pop()!;
      if (Array.isArray(source)) {
        const list = target as unknown[];
        for (let i = 0; i < source.length; i++) list[i] = child(source[i]);
      } else {
        const from = source as Record<string, unknown>;
        const to = target as Record<string, unknown>;
        for (const key of Object.keys(from)) setOwn(to, key, child(from[key]));
        const types = this.types.get(source);
        if (types !== undefined) this.types.set(target, types);
        const floats = this.floats.get(source);
        if (floats !== undefined) this.floats.set(target, floats);
      }
      if (!this.used) continue;
      const offsets = this.nonFinite.get(source);
      if (offsets !== undefined) this.nonFinite.set(target, new Map(offsets));
      const entries = this.unsupported.get(source);
      if (entries !== undefined)
        this.unsupported.set(
          target,
          entries.map((e) => ({ ...e, value: child(e.value) })),
        );
    }
    return rootCopy;
  }
}

function emptyLike(value: object): object {
  return Array.isArray(value) ? new Array(value.length) : {};
}

/** Sets an own, enumerable data property, also for "__proto__" (which plain assignment would not). */
export function setOwn(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    map[key] = value;
  }
}
