import { IntervalSet, bigintDomain, type Range } from './intervals.js';
import { type CIDR, type Family, type IPAddress, formatIP, parseCIDR, parseIP } from './ip.js';

const v4Domain = bigintDomain(0n, (1n << 32n) - 1n);
const v6Domain = bigintDomain(0n, (1n << 128n) - 1n);

/** One contiguous run of addresses of one family, as users see it: `first-last`. */
export interface AddressRange {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
}

/**
 * A set of IPv4 and IPv6 addresses. The families never mix: `0.0.0.0/0`
 * says nothing about IPv6, exactly as an ipBlock does.
 */
export class IPSet {
  private constructor(
    readonly v4: IntervalSet<bigint>,
    readonly v6: IntervalSet<bigint>,
  ) {}

  static readonly empty = new IPSet(IntervalSet.empty(v4Domain), IntervalSet.empty(v6Domain));
  static readonly all = new IPSet(IntervalSet.full(v4Domain), IntervalSet.full(v6Domain));
  static readonly allV4 = new IPSet(IntervalSet.full(v4Domain), IntervalSet.empty(v6Domain));

  static fromCIDR(cidr: CIDR): IPSet {
    return IPSet.fromRanges([{ family: cidr.family, first: cidr.first, last: cidr.last }]);
  }

  static fromRanges(ranges: Iterable<AddressRange>): IPSet {
    const v4: Range<bigint>[] = [];
    const v6: Range<bigint>[] = [];
    for (const r of ranges) (r.family === 4 ? v4 : v6).push([r.first, r.last]);
    return new IPSet(IntervalSet.of(v4Domain, v4), IntervalSet.of(v6Domain, v6));
  }

  static fromAddresses(addresses: Iterable<IPAddress>): IPSet {
    return IPSet.fromRanges([...addresses].map((a) => ({ family: a.family, first: a.value, last: a.value })));
  }

  /** Parses `cidr` minus each of `except`; throws on text that is not a CIDR (validate first). */
  static fromIPBlock(cidr: string, except: readonly string[] = []): IPSet {
    const parse = (text: string): IPSet => {
      const parsed = parseCIDR(text);
      if (parsed === undefined) throw new Error(`not a valid CIDR: ${text}`);
      return IPSet.fromCIDR(parsed);
    };
    return except.reduce((set, e) => set.subtract(parse(e)), parse(cidr));
  }

  union(other: IPSet): IPSet {
    return new IPSet(this.v4.union(other.v4), this.v6.union(other.v6));
  }

  intersect(other: IPSet): IPSet {
    return new IPSet(this.v4.intersect(other.v4), this.v6.intersect(other.v6));
  }

  subtract(other: IPSet): IPSet {
    return new IPSet(this.v4.subtract(other.v4), this.v6.subtract(other.v6));
  }

  isEmpty(): boolean {
    return this.v4.isEmpty() && this.v6.isEmpty();
  }

  equals(other: IPSet): boolean {
    return this.v4.equals(other.v4) && this.v6.equals(other.v6);
  }

  isSubsetOf(other: IPSet): boolean {
    return this.subtract(other).isEmpty();
  }

  hasAddress(address: IPAddress): boolean {
    return (address.family === 4 ? this.v4 : this.v6).has(address.value);
  }

  /** True when the text is an address inside the set; false for anything else. */
  has(ip: string): boolean {
    const address = parseIP(ip);
    return address !== undefined && this.hasAddress(address);
  }

  ranges(): AddressRange[] {
    return [
      ...this.v4.ranges.map(([first, last]) => ({ family: 4 as const, first, last })),
      ...this.v6.ranges.map(([first, last]) => ({ family: 6 as const, first, last })),
    ];
  }

  /** `10.0.0.0-10.0.0.255,2001:db8::-2001:db8::ff` */
  toString(): string {
    return this.ranges().map(formatAddressRange).join(',');
  }
}

export const formatAddressRange = (r: AddressRange): string =>
  `${formatIP(r.family, r.first)}-${formatIP(r.family, r.last)}`;
