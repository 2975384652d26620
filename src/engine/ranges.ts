import type { Family, IPAddress } from '../algebra/ip.js';
import type { AddressRange } from '../algebra/ipset.js';
import type { Policy, Direction, NodesPeer } from '../policy/ir.js';
import type { Cluster } from '../policy/cluster.js';

const FAMILY_MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

/**
 * The address space cut at every boundary of some ipBlocks: within one cell,
 * every one of those ipBlocks (and their excepts) says the same thing.
 */
export class AddressCells {
  private constructor(
    /** Sorted start addresses of the cells, per family. */
    private readonly starts: Record<Family, bigint[]>,
  ) {}

  /**
   * Cuts at the ipBlocks of the given directions' rules; IPv4 always, IPv6 where a rule names IPv6. With the
   * cluster, each address of a node that a `nodes` peer selects is a cell of its own: seen from a pod, a node's
   * address is outside the cluster's pods, and such a rule decides for it alone.
   */
  static of(policies: readonly Policy[], directions: readonly Direction[], cluster?: Cluster): AddressCells {
    const cuts: Record<Family, Set<bigint>> = { 4: new Set([0n]), 6: new Set() };
    for (const policy of policies) {
      for (const direction of directions) {
        for (const rule of policy[direction] ?? []) {
          if (rule.peers === 'any') continue;
          for (const peer of rule.peers) {
            if (peer.kind === 'nodes' && cluster !== undefined)
              for (const ip of nodeAddresses(cluster, peer))
                addCut(cuts[ip.family], { family: ip.family, first: ip.value, last: ip.value });
            if (peer.kind !== 'ipBlock') continue;
            // Where the block's addresses begin and end (its cidr minus its excepts, run by run), as
            // netpol-analyzer cuts: excepts that touch leave one hole, and an except on the cidr's edge
            // moves the edge rather than adding a cut.
            for (const range of peer.ips.ranges()) addCut(cuts[range.family], range);
          }
        }
      }
    }
    if (cuts[6].size > 0) cuts[6].add(0n);
    const sorted = (s: Set<bigint>): bigint[] => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return new AddressCells({ 4: sorted(cuts[4]), 6: sorted(cuts[6]) });
  }

  /** The cells in order: IPv4 first, then IPv6. */
  ranges(): AddressRange[] {
    return ([4, 6] as const).flatMap((family) =>
      this.starts[family].map((first, i) => ({
        family,
        first,
        last: (this.starts[family][i + 1] ?? FAMILY_MAX[family] + 1n) - 1n,
      })),
    );
  }

  /** A stable name for the cell an address falls in. */
  cellOf(ip: IPAddress): string {
    const starts = this.starts[ip.family];
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= ip.value) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return `${ip.family}:${found}`;
  }
}

function addCut(cuts: Set<bigint>, range: { family: Family; first: bigint; last: bigint }): void {
  cuts.add(range.first);
  if (range.last < FAMILY_MAX[range.family]) cuts.add(range.last + 1n);
}

/** The addresses of the nodes a `nodes` peer selects. */
export const nodeAddresses = (cluster: Cluster, peer: NodesPeer): IPAddress[] =>
  [...cluster.nodes.values()].filter((node) => peer.nodes.matches(node.labels)).flatMap((node) => node.addresses);
