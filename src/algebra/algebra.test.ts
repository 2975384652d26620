import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { ConnSet, PROTOCOLS, type Protocol } from './connset.js';
import { IPSet } from './ipset.js';
import { type IPAddress, formatIP, parseCIDR, parseIP } from './ip.js';
import { PortSet } from './portset.js';
import { type LabelSelectorRequirement, type Labels, Selector } from './selector.js';

/*
 * Each structure is checked against a naive model. An interval set's
 * membership can change only at range boundaries, so comparing membership at
 * every boundary, its neighbours and the domain edges decides equality.
 */

type Ranges = [number, number][];
const portRange = fc
  .tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 300 }))
  .map(([first, width]): [number, number] => [first, Math.min(65535, first + width)]);
const portRanges = fc.array(fc.oneof(portRange, fc.constant<[number, number]>([1, 65535])), { maxLength: 6 });

const naiveHas = (ranges: Ranges, p: number): boolean => ranges.some(([a, b]) => a <= p && p <= b);
const probePoints = (...sets: Ranges[]): number[] => {
  const points = new Set<number>([1, 2, 65534, 65535]);
  for (const ranges of sets)
    for (const [a, b] of ranges) for (const p of [a - 1, a, a + 1, b - 1, b, b + 1]) points.add(p);
  return [...points].filter((p) => p >= 1 && p <= 65535);
};

function assertCanonical(set: PortSet): void {
  set.ranges.forEach(([a, b], i) => {
    assert.ok(a <= b, 'a range is never reversed');
    const next = set.ranges[i + 1];
    if (next) assert.ok(next[0] > b + 1, 'ranges are sorted, disjoint and never adjacent');
  });
}

describe('PortSet', () => {
  it('agrees with a naive model under union, intersection, difference', () => {
    fc.assert(
      fc.property(portRanges, portRanges, (ra, rb) => {
        const a = PortSet.fromRanges(ra);
        const b = PortSet.fromRanges(rb);
        for (const set of [a.union(b), a.intersect(b), a.subtract(b)]) assertCanonical(set);
        for (const p of probePoints(ra, rb)) {
          const inA = naiveHas(ra, p);
          const inB = naiveHas(rb, p);
          assert.equal(a.union(b).has(p), inA || inB);
          assert.equal(a.intersect(b).has(p), inA && inB);
          assert.equal(a.subtract(b).has(p), inA && !inB);
        }
      }),
    );
  });

  it('has one canonical form: equal sets have equal ranges and text', () => {
    fc.assert(
      fc.property(portRanges, portRanges, (ra, rb) => {
        const left = PortSet.fromRanges(ra).union(PortSet.fromRanges(rb));
        const right = PortSet.fromRanges([...rb, ...ra]);
        assert.ok(left.equals(right));
        assert.equal(left.toString(), right.toString());
      }),
    );
  });

  it('prints maximal ranges', () => {
    assert.equal(PortSet.all.subtract(PortSet.range(80)).toString(), '1-79,81-65535');
    assert.equal(
      PortSet.fromRanges([
        [53, 53],
        [54, 54],
        [8080, 8080],
      ]).toString(),
      '53-54,8080',
    );
  });
});

describe('ConnSet', () => {
  const protocol = fc.constantFrom<Protocol>(...PROTOCOLS);
  const connSet = fc
    .array(fc.tuple(protocol, portRanges), { maxLength: 3 })
    .map((entries) =>
      entries.reduce((set, [p, ranges]) => set.union(ConnSet.of(p, PortSet.fromRanges(ranges))), ConnSet.none),
    );

  it('keeps protocols apart', () => {
    fc.assert(
      fc.property(connSet, connSet, protocol, fc.integer({ min: 1, max: 65535 }), (a, b, p, port) => {
        assert.equal(a.union(b).has(p, port), a.has(p, port) || b.has(p, port));
        assert.equal(a.intersect(b).has(p, port), a.has(p, port) && b.has(p, port));
        assert.equal(a.subtract(b).has(p, port), a.has(p, port) && !b.has(p, port));
        for (const other of PROTOCOLS.filter((q) => q !== p)) {
          assert.ok(ConnSet.of(p).intersect(ConnSet.of(other)).isEmpty(), `${p} and ${other} never overlap`);
        }
      }),
    );
  });

  it('prints the canonical text', () => {
    assert.equal(ConnSet.all.toString(), 'All Connections');
    assert.equal(ConnSet.none.toString(), 'No Connections');
    assert.equal(
      ConnSet.all.subtract(ConnSet.port('TCP', 80)).toString(),
      'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535',
    );
    assert.equal(
      ConnSet.port('UDP', 10053)
        .union(ConnSet.port('TCP', 10053, 10054))
        .toString(),
      'TCP 10053-10054,UDP 10053',
    );
    assert.equal(ConnSet.port('TCP', 8080).toString(), 'TCP 8080');
  });

  it('is All Connections exactly when every protocol has every port', () => {
    fc.assert(
      fc.property(connSet, (a) =>
        assert.equal(
          a.toString() === 'All Connections',
          PROTOCOLS.every((p) => a.portsFor(p).isAll()),
        ),
      ),
    );
  });
});

describe('IPSet', () => {
  const v4 = fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((n) => ({ family: 4 as const, value: BigInt(n) }));
  const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value) => ({ family: 6 as const, value }));
  const cidrOf = (family: 4 | 6) =>
    fc.tuple(family === 4 ? v4 : v6, fc.integer({ min: 0, max: family === 4 ? 32 : 128 })).map(([ip, prefix]) => ({
      text: `${formatIP(family, ip.value)}/${prefix}`,
      family,
      value: ip.value,
      prefix,
    }));
  type NaiveCIDR = { family: 4 | 6; value: bigint; prefix: number };
  const bits = (family: 4 | 6): bigint => (family === 4 ? 32n : 128n);
  const naiveIn = (ip: { family: 4 | 6; value: bigint }, c: NaiveCIDR): boolean =>
    ip.family === c.family &&
    ip.value >> (bits(c.family) - BigInt(c.prefix)) === c.value >> (bits(c.family) - BigInt(c.prefix));
  const edges = (c: NaiveCIDR) => {
    const host = bits(c.family) - BigInt(c.prefix);
    const first = (c.value >> host) << host;
    const last = first + (1n << host) - 1n;
    const max = (1n << bits(c.family)) - 1n;
    return [first - 1n, first, last, last + 1n]
      .filter((v) => v >= 0n && v <= max)
      .map((value) => ({ family: c.family, value }));
  };
  const block = fc.oneof(
    fc.tuple(cidrOf(4), fc.array(cidrOf(4), { maxLength: 3 })),
    fc.tuple(cidrOf(6), fc.array(cidrOf(6), { maxLength: 3 })),
  );

  it('matches cidr minus excepts, per family, like a naive model', () => {
    fc.assert(
      fc.property(
        block,
        block,
        fc.array(fc.oneof(v4, v6), { maxLength: 5 }),
        ([cidr, excepts], [other, otherExcepts], extra) => {
          const a = IPSet.fromIPBlock(
            cidr.text,
            excepts.map((e) => e.text),
          );
          const b = IPSet.fromIPBlock(
            other.text,
            otherExcepts.map((e) => e.text),
          );
          const inA = (ip: { family: 4 | 6; value: bigint }) =>
            naiveIn(ip, cidr) && !excepts.some((e) => naiveIn(ip, e));
          const inB = (ip: { family: 4 | 6; value: bigint }) =>
            naiveIn(ip, other) && !otherExcepts.some((e) => naiveIn(ip, e));
          const probes = [...[cidr, ...excepts, other, ...otherExcepts].flatMap(edges), ...extra];
          for (const ip of probes) {
            assert.equal(a.hasAddress(ip), inA(ip));
            assert.equal(a.union(b).hasAddress(ip), inA(ip) || inB(ip));
            assert.equal(a.intersect(b).hasAddress(ip), inA(ip) && inB(ip));
            assert.equal(a.subtract(b).hasAddress(ip), inA(ip) && !inB(ip));
          }
        },
      ),
    );
  });

  it('never lets 0.0.0.0/0 match IPv6', () => {
    const all4 = IPSet.fromIPBlock('0.0.0.0/0');
    assert.equal(all4.has('2001:db8::1'), false);
    assert.equal(all4.has('::ffff:10.0.0.1'), false);
    assert.equal(all4.has('10.1.2.3'), true);
  });

  it('prints first-last ranges', () => {
    assert.equal(IPSet.fromIPBlock('10.0.0.0/24', ['10.0.0.128/25']).toString(), '10.0.0.0-10.0.0.127');
    assert.equal(IPSet.fromIPBlock('2001:db8::/127').toString(), '2001:db8::-2001:db8::1');
  });

  it('reads dotted quads quickly, as the general path reads them (property)', () => {
    // The general path alone, as parseIP was before its dotted-quad shortcut.
    const general = (text: string): IPAddress | undefined => {
      if (text.includes('%')) return undefined;
      const octets = text.split('.');
      const v4 =
        octets.length === 4 && octets.every((o) => /^[0-9]{1,3}$/.test(o))
          ? octets.map((o) => String(Number(o))).join('.')
          : text;
      const bytes = isIPv4(v4)
        ? ipaddr.IPv4.parse(v4).toByteArray()
        : isIPv6(text)
          ? ipaddr.IPv6.parse(text).toByteArray()
          : [];
      if (bytes.length === 0) return undefined;
      return { family: bytes.length === 4 ? 4 : 6, value: bytes.reduce((v, b) => (v << 8n) | BigInt(b), 0n) };
    };
    const texts = fc.oneof(
      fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((parts) => parts.join('.')),
      fc.string({ unit: fc.constantFrom(...'0123456789.:%af'.split('')), maxLength: 16 }),
    );
    fc.assert(
      fc.property(texts, (text) => assert.deepEqual(parseIP(text), general(text))),
      { numRuns: 20000 },
    );
    assert.deepEqual(parseIP('10.244.1.9'), { family: 4, value: 0x0af40109n });
    assert.deepEqual(parseIP('007.0.0.255'), { family: 4, value: 0x070000ffn });
    assert.equal(parseIP('1.2.3.256'), undefined);
    assert.equal(parseIP('1.2.3.4.'), undefined);
    assert.equal(parseIP('1.2.3.0004'), undefined);
  });

  it('parses addresses the way Kubernetes does', () => {
    assert.deepEqual(parseIP('010.001.0.1'), parseIP('10.1.0.1'), 'IPv4 leading zeros are decimal');
    assert.equal(parseIP('fe80::1%eth0'), undefined, 'zones are refused');
    assert.deepEqual(parseCIDR('10.0.0.1/8'), { family: 4, prefix: 8, first: 0x0a000000n, last: 0x0affffffn });
    assert.equal(parseCIDR('10.0.0.0/8/8'), undefined);
    assert.equal(parseCIDR('10.0.0.0/-1'), undefined);
  });
});

describe('Selector', () => {
  const key = fc.constantFrom('app', 'tier', 'env', 'x/y');
  const value = fc.constantFrom('a', 'b', 'c', '');
  const labels = fc.dictionary(key, value, { maxKeys: 4 });
  const requirement = fc.oneof(
    fc.record({
      key,
      operator: fc.constantFrom('In' as const, 'NotIn' as const),
      values: fc.array(value, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
  );

  // The semantics, written out longhand from LabelSelectorAsSelector.
  const naive = (matchLabels: Labels, requirements: LabelSelectorRequirement[], l: Labels): boolean => {
    for (const [k, v] of Object.entries(matchLabels)) if (!(k in l) || l[k] !== v) return false;
    for (const r of requirements) {
      const present = k(l, r.key);
      if (r.operator === 'In' && !(present && r.values!.includes(l[r.key]!))) return false;
      if (r.operator === 'NotIn' && present && r.values!.includes(l[r.key]!)) return false;
      if (r.operator === 'Exists' && !present) return false;
      if (r.operator === 'DoesNotExist' && present) return false;
    }
    return true;
  };
  const k = (l: Labels, key: string): boolean => Object.keys(l).includes(key);

  it('agrees with the longhand semantics', () => {
    fc.assert(
      fc.property(labels, fc.array(requirement, { maxLength: 3 }), labels, (matchLabels, requirements, target) => {
        const selector = Selector.compile({ matchLabels, matchExpressions: requirements });
        assert.equal(selector.matches(target), naive(matchLabels, requirements, target));
      }),
    );
  });

  it('matches everything when empty, and prints like kubectl', () => {
    assert.ok(Selector.compile({}).matches({}));
    assert.equal(
      Selector.compile({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'NotIn', values: ['db'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }).toString(),
      'app=web,tier notin (db),!legacy',
    );
  });
});
