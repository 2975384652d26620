import type { KubeConfig } from '@kubernetes/client-node';
import { KubeSource, type KubeSourceOptions } from '../controller/kube-source.js';
import type { NodeAgent } from './agent.js';
import { type NftAgentOptions, nftAgent } from './nft-agent.js';

export interface KubeAgentOptions extends NftAgentOptions {
  /** The cluster, as resolveKubeConfig finds it (--kubeconfig, $KUBECONFIG, in-cluster). */
  readonly config: KubeConfig;
  /** The watch caches' retries and timeouts (kube-source.ts has the defaults). */
  readonly sourceOptions?: Pick<
    KubeSourceOptions,
    'backoff' | 'requestTimeoutMs' | 'discoveryIntervalMs' | 'pageSize' | 'watchTimeoutSeconds'
  >;
}

/**
 * The node agent as it runs in a cluster: a KubeSource on the API server (Namespaces, Pods, Nodes, NetworkPolicies,
 * and the tier and Ironcore kinds that discovery serves), whose first read waits until every cache has listed.
 */
export function kubeAgent(options: KubeAgentOptions): { agent: NodeAgent; source: KubeSource } {
  const source = new KubeSource({
    ...options.sourceOptions,
    config: options.config,
    log: (msg, level) => options.log?.({ level, msg }),
  });
  return { agent: nftAgent(source, options), source };
}
