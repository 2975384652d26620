import type { SourceSnapshot } from '../controller/source.js';
import { type EngineOptions, defaultEngineOptions } from '../policy/evaluate.js';
import type { Cluster } from '../policy/cluster.js';
import { ClusterBuilder } from '../pipeline/cluster-builder.js';
import type { Semantics } from '../policy/legacy.js';
import { MembershipCache } from '../render/membership.js';
import { type NftRuleset, buildNftRuleset } from '../render/nftables.js';
import { rulesetDelta } from './delta.js';

export interface NftReconcilerOptions {
  readonly node: string;
  readonly table?: string;
  /** Overrides the node's spec.podCIDRs. */
  readonly podCIDRs?: readonly string[];
  readonly engine?: EngineOptions;
  readonly semantics?: Semantics;
}

/** What a snapshot means for the node. */
export interface Desired {
  readonly ruleset: NftRuleset;
  readonly cluster: Cluster;
}

/**
 * From a source's snapshots to the node's ruleset, and from what the kernel holds to that ruleset.
 * Each snapshot costs what changed: when only pods changed, the last cluster is patched
 * (ClusterBuilder); a policy's chain is planned once and its sets refilled from memberships kept
 * between renders (MembershipCache); unchanged sets are passed over by identity in the delta.
 */
export class NftReconciler {
  readonly table: string;
  private readonly clusters: ClusterBuilder;
  private readonly membership = new MembershipCache();
  /** The last snapshot's meaning, when the builder has seen every snapshot up to it. */
  private last: Desired | undefined;

  constructor(private readonly options: NftReconcilerOptions) {
    this.table = options.table ?? 'netpol';
    this.clusters = new ClusterBuilder({ semantics: options.semantics });
  }

  /**
   * The ruleset a snapshot means. Snapshots are to be given in the order they were read, every one:
   * each says how it differs from the one before, and that is what the builder patches.
   */
  desired(snapshot: SourceSnapshot): Desired {
    const { change } = snapshot;
    const previous = this.last;
    if (previous !== undefined && change.added.length === 0 && change.removed.length === 0) return previous;
    // Until this one is built, the builder's last cluster is not the previous snapshot's.
    this.last = undefined;
    const cluster = this.clusters.build(() => snapshot.objects, previous === undefined ? undefined : change);
    const ruleset = buildNftRuleset(cluster, {
      node: this.options.node,
      table: this.table,
      podCIDRs: this.options.podCIDRs ?? cluster.nodes.get(this.options.node)?.podCIDRs ?? [],
      engine: this.options.engine ?? defaultEngineOptions,
      membership: this.membership,
    });
    return (this.last = { ruleset, cluster });
  }

  /** The commands that move the table from what it holds (undefined: no table) to the ruleset, in one transaction. */
  delta(from: NftRuleset | undefined, to: NftRuleset): string[] {
    return rulesetDelta(from, to);
  }

  /** How the last cluster was made, for tests and logs. */
  get lastBuild(): 'full' | 'patched' {
    return this.clusters.lastBuild;
  }
}
