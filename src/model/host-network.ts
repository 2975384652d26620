/**
 * How NetworkPolicy sees a pod that runs in its node's network namespace (`spec.hostNetwork`). Upstream leaves
 * it to implementations and says policies generally do not apply to such traffic: it is the node's, which
 * policies neither select nor name (`node`, the default). netpol-analyzer treats these pods like any other, as
 * subjects and peers (`pod`), and the switch offers that for comparing the two tools.
 */
export const HOST_NETWORK_PODS = ['node', 'pod'] as const;
export type HostNetworkPods = (typeof HOST_NETWORK_PODS)[number];
export const DEFAULT_HOST_NETWORK_PODS: HostNetworkPods = 'node';

/** Whether a pod's traffic is node traffic, out of NetworkPolicy's reach. */
export const isNodeTraffic = (hostNetwork: boolean, mode: HostNetworkPods): boolean => hostNetwork && mode === 'node';
