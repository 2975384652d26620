/**
 * Sets of integers kept as sorted, disjoint, non-adjacent inclusive ranges.
 * Both ports (number) and IP addresses (bigint) are built on this one type, so
 * the set algebra exists exactly once.
 */
export type Scalar = number | bigint;
export type Range<T extends Scalar> = readonly [first: T, last: T];

/** The universe a set lives in, and how to step to a neighbouring value. */
export interface Domain<T extends Scalar> {
  readonly min: T;
  readonly max: T;
  next(value: T): T;
  prev(value: T): T;
}

export const numberDomain = (min: number, max: number): Domain<number> => ({
  min,
  max,
  next: (v) => v + 1,
  prev: (v) => v - 1,
});

export const bigintDomain = (min: bigint, max: bigint): Domain<bigint> => ({
  min,
  max,
  next: (v) => v + 1n,
  prev: (v) => v - 1n,
});

export class IntervalSet<T extends Scalar> {
  private constructor(
    readonly domain: Domain<T>,
    /** Sorted, disjoint and never adjacent: the canonical form. */
    readonly ranges: readonly Range<T>[],
  ) {}

  static empty<T extends Scalar>(domain: Domain<T>): IntervalSet<T> {
    return new IntervalSet(domain, []);
  }

  static full<T extends Scalar>(domain: Domain<T>): IntervalSet<T> {
    return new IntervalSet(domain, [[domain.min, domain.max]]);
  }

  /** Builds a set from arbitrary (overlapping, unsorted) ranges, clipped to the domain. */
  static of<T extends Scalar>(domain: Domain<T>, ranges: Iterable<Range<T>>): IntervalSet<T> {
    const clipped: Range<T>[] = [];
    for (const [a, b] of ranges) {
      const first = a < domain.min ? domain.min : a;
      const last = b > domain.max ? domain.max : b;
      if (first <= last) clipped.push([first, last]);
    }
    clipped.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    return new IntervalSet(domain, mergeSorted(domain, clipped));
  }

  /** The union of many sets at once: one sort of all their ranges, where unioning one by one could be quadratic. */
  static unionAll<T extends Scalar>(domain: Domain<T>, sets: readonly IntervalSet<T>[]): IntervalSet<T> {
    if (sets.length === 1) return sets[0]!;
    // The sets of a union are mostly the same few (one rule's ports for many peers): each distinct one counts once.
    const distinct = new Set<IntervalSet<T>>();
    for (const set of sets) {
      if (set.isFull()) return set;
      if (!set.isEmpty()) distinct.add(set);
    }
    if (distinct.size === 0) return IntervalSet.empty(domain);
    if (distinct.size === 1) return distinct.values().next().value!;
    return IntervalSet.of(
      domain,
      [...distinct].flatMap((s) => s.ranges),
    );
  }

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  isFull(): boolean {
    const only = this.ranges[0];
    return this.ranges.length === 1 && only !== undefined && only[0] === this.domain.min && only[1] === this.domain.max;
  }

  has(value: T): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [first, last] = this.ranges[mid]!;
      if (value < first) hi = mid - 1;
      else if (value > last) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(other: IntervalSet<T>): IntervalSet<T> {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const merged: Range<T>[] = [];
    let i = 0;
    let j = 0;
    while (i < this.ranges.length || j < other.ranges.length) {
      const a = this.ranges[i];
      const b = other.ranges[j];
      if (b === undefined || (a !== undefined && a[0] <= b[0])) {
        merged.push(a!);
        i++;
      } else {
        merged.push(b);
        j++;
      }
    }
    return new IntervalSet(this.domain, mergeSorted(this.domain, merged));
  }

  intersect(other: IntervalSet<T>): IntervalSet<T> {
    const out: Range<T>[] = [];
    let i = 0;
    let j = 0;
    while (i < this.ranges.length && j < other.ranges.length) {
      const [a0, a1] = this.ranges[i]!;
      const [b0, b1] = other.ranges[j]!;
      const first = a0 > b0 ? a0 : b0;
      const last = a1 < b1 ? a1 : b1;
      if (first <= last) out.push([first, last]);
      if (a1 < b1) i++;
      else j++;
    }
    return new IntervalSet(this.domain, out);
  }

  complement(): IntervalSet<T> {
    const { domain } = this;
    const out: Range<T>[] = [];
    let cursor: T | undefined = domain.min;
    for (const [first, last] of this.ranges) {
      if (cursor !== undefined && cursor < first) out.push([cursor, domain.prev(first)]);
      cursor = last === domain.max ? undefined : domain.next(last);
    }
    if (cursor !== undefined) out.push([cursor, domain.max]);
    return new IntervalSet(domain, out);
  }

  subtract(other: IntervalSet<T>): IntervalSet<T> {
    if (other.isEmpty() || this.isEmpty()) return this;
    return this.intersect(other.complement());
  }

  isSubsetOf(other: IntervalSet<T>): boolean {
    return this.subtract(other).isEmpty();
  }

  overlaps(other: IntervalSet<T>): boolean {
    return !this.intersect(other).isEmpty();
  }

  equals(other: IntervalSet<T>): boolean {
    if (this.ranges.length !== other.ranges.length) return false;
    return this.ranges.every(([a, b], k) => {
      const [c, d] = other.ranges[k]!;
      return a === c && b === d;
    });
  }
}

function mergeSorted<T extends Scalar>(domain: Domain<T>, sorted: Range<T>[]): Range<T>[] {
  const out: Range<T>[] = [];
  for (const range of sorted) {
    const lastOut = out[out.length - 1];
    // Adjacent ranges merge too, so equal sets always have equal ranges.
    if (lastOut !== undefined && (lastOut[1] === domain.max || range[0] <= domain.next(lastOut[1]))) {
      if (range[1] > lastOut[1]) out[out.length - 1] = [lastOut[0], range[1]];
    } else {
      out.push(range);
    }
  }
  return out;
}
