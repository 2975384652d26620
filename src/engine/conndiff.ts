import { compareStrings } from '../util/order.js';
import type { ConnSet } from '../algebra/connset.js';
import type { Cluster } from '../policy/cluster.js';
import { computeConnectivity } from './connectivity.js';
import { type ConnLine, workloadConnections } from './connlist.js';
import type { EngineOptions } from '../policy/evaluate.js';

export type DiffType = 'changed' | 'added' | 'removed';

export interface ConnDiff {
  readonly type: DiffType;
  readonly src: string;
  readonly dst: string;
  /** Undefined where that side allows nothing. */
  readonly before: ConnSet | undefined;
  readonly after: ConnSet | undefined;
}

/**
 * How workload-level connectivity changes from one input to another. Both
 * sides are cut into the same external ranges, so a range never appears
 * changed only because the other side drew a boundary through it.
 */
export function diffConnectivity(
  before: Cluster,
  after: Cluster,
  engine?: EngineOptions,
  progress?: (done: number, total: number) => void,
): ConnDiff[] {
  const rangePolicies = [...before.policies, ...after.policies];
  const linesOf = (cluster: Cluster): Map<string, ConnLine> =>
    new Map(
      workloadConnections(computeConnectivity(cluster, { engine, rangePolicies, progress })).map((l) => [
        `${l.src}\u0000${l.dst}`,
        l,
      ]),
    );
  const a = linesOf(before);
  const b = linesOf(after);
  const diffs: ConnDiff[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const was = a.get(key);
    const is = b.get(key);
    const { src, dst } = (was ?? is)!;
    if (was !== undefined && is !== undefined && was.conns.equals(is.conns)) continue;
    const type: DiffType = was === undefined ? 'added' : is === undefined ? 'removed' : 'changed';
    diffs.push({ type, src, dst, before: was?.conns, after: is?.conns });
  }
  return diffs.sort((x, y) => compareStrings(x.src, y.src) || compareStrings(x.dst, y.dst));
}
