import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAddressRange } from '../algebra/ipset.js';
import { clusterFrom, netpol, pod } from '../testing/fixtures.js';
import { AddressCells } from './ranges.js';

/** The external ranges the egress rules of one policy cut the address space into, as `first-last`. */
function egressRanges(...to: object[][]): string[] {
  const cluster = clusterFrom(
    pod('x', 'a', { app: 'a' }) +
      netpol('x', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: to.map((peers) => ({ to: peers })) }),
  );
  return AddressCells.of(cluster.policies, ['egress']).ranges().map(formatAddressRange);
}

// netpol-analyzer's convention (np-guard/models DisjointIPBlocks over each ipBlock's cidr-minus-excepts, split
// into runs): the address space is cut where some ipBlock's addresses begin or end, and nowhere else.
describe('external ranges', () => {
  it('do not cut between excepts that touch: they leave one hole', () => {
    assert.deepEqual(egressRanges([{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/9', '10.128.0.0/9'] } }]), [
      '0.0.0.0-9.255.255.255',
      '10.0.0.0-10.255.255.255',
      '11.0.0.0-255.255.255.255',
    ]);
  });

  it('do not cut at an except on the edge of its cidr', () => {
    assert.deepEqual(egressRanges([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/9'] } }]), [
      '0.0.0.0-10.127.255.255',
      '10.128.0.0-10.255.255.255',
      '11.0.0.0-255.255.255.255',
    ]);
  });

  it('cut at every boundary of every ipBlock, overlapping or not', () => {
    assert.deepEqual(
      egressRanges(
        [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.10.0.0/16'] } }],
        [{ ipBlock: { cidr: '10.10.0.0/15' } }],
      ),
      [
        '0.0.0.0-9.255.255.255',
        '10.0.0.0-10.9.255.255',
        '10.10.0.0-10.10.255.255',
        '10.11.0.0-10.11.255.255',
        '10.12.0.0-10.255.255.255',
        '11.0.0.0-255.255.255.255',
      ],
    );
  });

  it('leave a cidr that its excepts empty out uncut', () => {
    assert.deepEqual(egressRanges([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/9', '10.128.0.0/9'] } }]), [
      '0.0.0.0-255.255.255.255',
    ]);
  });

  it('cut IPv6 only where a rule names IPv6', () => {
    assert.deepEqual(egressRanges([{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8::/33'] } }]), [
      '0.0.0.0-255.255.255.255',
      '::-2001:db8:7fff:ffff:ffff:ffff:ffff:ffff',
      '2001:db8:8000::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
      '2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]);
  });
});
