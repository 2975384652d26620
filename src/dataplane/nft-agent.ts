import type { PolicySource } from '../controller/source.js';
import type { EngineOptions } from '../policy/evaluate.js';
import type { Semantics } from '../policy/legacy.js';
import { type AgentOptions, NodeAgent } from './agent.js';
import { NftSink } from './nft-sink.js';
import { NftReconciler } from './reconcile.js';

export interface NftAgentOptions extends Omit<AgentOptions, 'source' | 'reconciler' | 'sink'> {
  readonly node: string;
  readonly netns?: string;
  readonly table?: string;
  /** Overrides the node's spec.podCIDRs. */
  readonly podCIDRs?: readonly string[];
  readonly engine?: EngineOptions;
  readonly semantics?: Semantics;
}

/**
 * The node agent on a source, as `netpol agent` runs it whatever the source: the nftables reconciler for the node,
 * and nftables in the namespace as the sink.
 */
export function nftAgent(source: PolicySource, options: NftAgentOptions): NodeAgent {
  const table = options.table ?? 'netpol';
  return new NodeAgent({
    ...options,
    source,
    reconciler: new NftReconciler({
      node: options.node,
      table,
      podCIDRs: options.podCIDRs,
      engine: options.engine,
      semantics: options.semantics,
    }),
    sink: new NftSink({ table, netns: options.netns }),
  });
}
