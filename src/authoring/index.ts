/**
 * netpol/cdk8s: cdk8s-plus-33's NetworkPolicy API, with its bugs fixed, and
 * netpol's analysis of the synthesised chart. Built on cdk8s and constructs
 * (peer dependencies); nothing else in netpol imports this module.
 */
export { Container, type ContainerPort, type ContainerProps, Protocol } from './containers.js';
export {
  PodConnections,
  PodConnectionsIsolation,
  type IConnectablePod,
  type PodConnectionsAllowFromOptions,
  type PodConnectionsAllowToOptions,
} from './connections.js';
export { type DnsOptions } from './dns.js';
export { NetworkPolicyIpBlock } from './ip-block.js';
export { Namespace, type NamespaceProps } from './namespace.js';
export {
  NetworkPolicy,
  NetworkPolicyTrafficDefault,
  type NetworkPolicyProps,
  type NetworkPolicyRule,
  type NetworkPolicyTraffic,
} from './network-policy.js';
export {
  type IIpBlock,
  type INetworkPolicyPeer,
  type KubeIpBlock,
  type KubeNetworkPolicyPeer,
  type NetworkPolicyPeerConfig,
  validatePeerConfig,
} from './peers.js';
export { AbstractPod, Pod, type AbstractPodProps, type PodProps } from './pods.js';
export {
  NetworkPolicyPort,
  NetworkProtocol,
  type KubeNetworkPolicyPort,
  type NetworkPolicyPortProps,
} from './ports.js';
export { Resource, type ResourceProps } from './resource.js';
export {
  type ILabelSelector,
  type INamespaceSelector,
  type IPodSelector,
  type KubeLabelSelector,
  type KubeLabelSelectorRequirement,
  LabelExpression,
  LabelSelector,
  type LabelSelectorOptions,
  type NamespaceSelectorConfig,
  Namespaces,
  type NamespacesSelectOptions,
  type PodSelectorConfig,
  Pods,
  type PodsAllOptions,
  type PodsSelectOptions,
} from './selectors.js';
export {
  DaemonSet,
  type DaemonSetProps,
  Deployment,
  type DeploymentProps,
  Job,
  type JobProps,
  StatefulSet,
  type StatefulSetProps,
  Workload,
  type WorkloadProps,
} from './workloads.js';
export {
  Analysis,
  type AnalyseOptions,
  type CheckResult,
  ConnectivityExpectationError,
  type FlowEnd,
  type FlowPort,
  type FlowProtocol,
  InvalidChartError,
  analyse,
  expectAllowed,
  expectDenied,
} from './analysis.js';
export { type Selection } from './selection.js';
export { type Synthesisable } from './synthesised-objects.js';
