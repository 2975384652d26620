import { IntervalSet, numberDomain, type Range } from './intervals.js';

const portDomain = numberDomain(1, 65535);

/** A set of transport ports, 1 to 65535. */
export class PortSet {
  private constructor(readonly intervals: IntervalSet<number>) {}

  static readonly empty = new PortSet(IntervalSet.empty(portDomain));
  static readonly all = new PortSet(IntervalSet.full(portDomain));

  static range(first: number, last: number = first): PortSet {
    return new PortSet(IntervalSet.of(portDomain, [[first, last]]));
  }

  static fromRanges(ranges: Iterable<Range<number>>): PortSet {
    return new PortSet(IntervalSet.of(portDomain, ranges));
  }

  union(other: PortSet): PortSet {
    return new PortSet(this.intervals.union(other.intervals));
  }

  static unionAll(sets: readonly PortSet[]): PortSet {
    if (sets.length === 1) return sets[0]!;
    const first = sets[0];
    if (first !== undefined && sets.every((s) => s === first)) return first;
    return new PortSet(
      IntervalSet.unionAll(
        portDomain,
        sets.map((s) => s.intervals),
      ),
    );
  }

  intersect(other: PortSet): PortSet {
    return new PortSet(this.intervals.intersect(other.intervals));
  }

  subtract(other: PortSet): PortSet {
    return new PortSet(this.intervals.subtract(other.intervals));
  }

  has(port: number): boolean {
    return this.intervals.has(port);
  }

  isEmpty(): boolean {
    return this.intervals.isEmpty();
  }

  isAll(): boolean {
    return this.intervals.isFull();
  }

  equals(other: PortSet): boolean {
    return this.intervals.equals(other.intervals);
  }

  get ranges(): readonly Range<number>[] {
    return this.intervals.ranges;
  }

  /** Maximal ranges, sorted and comma-joined: `1-79,81-65535`. */
  toString(): string {
    return this.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
  }
}
