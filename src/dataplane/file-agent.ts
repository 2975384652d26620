import { FileSource } from '../controller/file-source.js';
import type { EngineOptions } from '../policy/evaluate.js';
import type { Semantics } from '../policy/legacy.js';
import { type AgentOptions, NodeAgent } from './agent.js';
import { NftSink } from './nft-sink.js';
import { NftReconciler } from './reconcile.js';

export interface FileAgentOptions extends Omit<AgentOptions, 'source' | 'reconciler' | 'sink'> {
  readonly paths: readonly string[];
  /** Globs of files and directories under `paths` to leave out, as `--exclude` takes them. */
  readonly exclude?: readonly string[];
  readonly node: string;
  readonly netns?: string;
  readonly table?: string;
  /** Overrides the node's spec.podCIDRs. */
  readonly podCIDRs?: readonly string[];
  readonly engine?: EngineOptions;
  readonly semantics?: Semantics;
}

/**
 * The node agent as `netpol agent PATHS` runs it: a FileSource on the paths (rescanned every resync),
 * the nftables reconciler for the node, and nftables in the namespace as the sink.
 */
export function fileAgent(options: FileAgentOptions): { agent: NodeAgent; source: FileSource } {
  const table = options.table ?? 'netpol';
  const source = new FileSource({
    paths: options.paths,
    exclude: options.exclude,
    rescanMs: options.resyncMs ?? 30_000,
    log: (msg) => options.log?.({ level: 'info', msg }),
  });
  const agent = new NodeAgent({
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
  return { agent, source };
}
