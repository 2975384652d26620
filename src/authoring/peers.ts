import type { IConstruct } from 'constructs';
import { NAMESPACE_NAME_LABEL } from '../model/cluster.js';
import type { IPodSelector, KubeLabelSelector, PodSelectorConfig } from './selectors.js';

/** An ipBlock peer as the API takes it. */
export interface KubeIpBlock {
  readonly cidr: string;
  readonly except?: readonly string[];
}

/** What a policy needs of an ipBlock peer; cdk8s-plus's `NetworkPolicyIpBlock` has it too. */
export interface IIpBlock {
  /** @internal cdk8s-plus's name for rendering. */
  _toKube(): KubeIpBlock;
}

/** Either an ipBlock or pods (in namespaces), never both. */
export interface NetworkPolicyPeerConfig {
  readonly ipBlock?: IIpBlock;
  readonly podSelector?: PodSelectorConfig;
}

/** The other end of a rule: managed pods and workloads, `Pods`, `Namespaces`, `Namespace`, ip blocks. */
export interface INetworkPolicyPeer extends IConstruct {
  toNetworkPolicyPeerConfig(): NetworkPolicyPeerConfig;
  /** The pods this peer stands for, for the policy `allowTo`/`allowFrom` create on its side; none for an ipBlock. */
  toPodSelector(): IPodSelector | undefined;
}

/** One entry of a rule's `from`/`to`, as the API takes it. */
export interface KubeNetworkPolicyPeer {
  readonly podSelector?: KubeLabelSelector;
  readonly namespaceSelector?: KubeLabelSelector;
  readonly ipBlock?: KubeIpBlock;
}

/** cdk8s-plus's check, with its message's typo ("Inavlid") corrected. */
export function validatePeerConfig(config: NetworkPolicyPeerConfig): void {
  if (!config.ipBlock && !config.podSelector) {
    throw new Error("Invalid peer: either 'ipBlock' or 'podSelector' must be defined");
  }
  if (config.ipBlock && config.podSelector) {
    throw new Error("Invalid peer: only one of 'ipBlock' and 'podSelector' must be defined");
  }
}

/**
 * The `from`/`to` entries for one peer. Namespaces named explicitly become one
 * entry each, since one selector cannot require two values of the name label;
 * the name is ANDed with any namespace labels. Without namespaces the entry is a
 * bare podSelector: the policy's own namespace.
 */
export function kubePeersOf(
  peer: Pick<INetworkPolicyPeer, 'node' | 'toNetworkPolicyPeerConfig'>,
): KubeNetworkPolicyPeer[] {
  const config = peer.toNetworkPolicyPeerConfig();
  validatePeerConfig(config);
  if (config.ipBlock) return [{ ipBlock: config.ipBlock._toKube() }];
  const pods = config.podSelector!;
  const names = pods.namespaces?.names;
  if (names === undefined) {
    return [
      { namespaceSelector: pods.namespaces?.labelSelector?._toKube(), podSelector: pods.labelSelector._toKube() },
    ];
  }
  // cdk8s-plus renders no entry at all for an empty list of names, and an empty `from` admits everyone.
  if (names.length === 0) {
    throw new Error(`Invalid peer '${peer.node.path}': it selects namespaces by name but names none`);
  }
  const namespaceSelector = pods.namespaces?.labelSelector?._toKube() ?? {};
  return names.map((name) => ({
    podSelector: pods.labelSelector._toKube(),
    namespaceSelector: {
      matchExpressions: namespaceSelector.matchExpressions,
      matchLabels: { ...namespaceSelector.matchLabels, [NAMESPACE_NAME_LABEL]: name },
    },
  }));
}

/** cdk8s-plus's construct-id fragment for a set of constructs: their addresses, sorted and joined. */
export function addressOf(...constructs: IConstruct[]): string {
  return constructs
    .map((c) => c.node.addr)
    .sort((a, b) => a.localeCompare(b))
    .join('');
}
