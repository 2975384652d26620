import { FileSource } from '../controller/file-source.js';
import type { NodeAgent } from './agent.js';
import { type NftAgentOptions, nftAgent } from './nft-agent.js';

export interface FileAgentOptions extends NftAgentOptions {
  readonly paths: readonly string[];
  /** Globs of files and directories under `paths` to leave out, as `--exclude` takes them. */
  readonly exclude?: readonly string[];
}

/**
 * The node agent as `netpol agent PATHS` runs it: a FileSource on the paths (rescanned every resync),
 * the nftables reconciler for the node, and nftables in the namespace as the sink.
 */
export function fileAgent(options: FileAgentOptions): { agent: NodeAgent; source: FileSource } {
  const source = new FileSource({
    paths: options.paths,
    exclude: options.exclude,
    rescanMs: options.resyncMs ?? 30_000,
    log: (msg) => options.log?.({ level: 'info', msg }),
  });
  return { agent: nftAgent(source, options), source };
}
