import { type Cluster } from '../policy/cluster.js';
import { NAMESPACE_NAME_LABEL, type NamespaceInfo } from '../model/cluster.js';
import type { Endpoint } from '../model/endpoints.js';

export const KUBE_SYSTEM = 'kube-system';

/** The label kube-dns and CoreDNS pods carry in every distribution. */
export const isKubeDns = (e: Endpoint): boolean => e.labels['k8s-app'] === 'kube-dns';

/**
 * The cluster's DNS as lint reasons about it. An application's repository, a cdk8s synth or a
 * policy directory holds neither kube-system nor kube-dns, yet every cluster has both: when no
 * kube-dns pod is loaded, one is assumed in kube-system, and so is the kube-system namespace with
 * the name label the control plane gives it. `cluster` is the input's cluster with that namespace
 * added, for matching peers against the assumed pod; it is a view for lint, never analysed.
 */
export interface KubeDns {
  readonly resolvers: readonly Endpoint[];
  readonly assumed: boolean;
  readonly cluster: Cluster;
}

export function kubeDns(cluster: Cluster): KubeDns {
  const loaded = cluster.endpoints.filter(isKubeDns);
  if (loaded.length > 0) return { resolvers: loaded, assumed: false, cluster };
  if (cluster.namespaces.has(KUBE_SYSTEM)) return { resolvers: [ASSUMED_KUBE_DNS], assumed: true, cluster };
  const namespaces = new Map<string, NamespaceInfo>(cluster.namespaces);
  namespaces.set(KUBE_SYSTEM, {
    name: KUBE_SYSTEM,
    labels: { [NAMESPACE_NAME_LABEL]: KUBE_SYSTEM },
    implicit: true,
    origin: undefined,
  });
  return { resolvers: [ASSUMED_KUBE_DNS], assumed: true, cluster: { ...cluster, namespaces } };
}

const ASSUMED_KUBE_DNS: Endpoint = {
  id: `${KUBE_SYSTEM}/kube-dns`,
  kind: 'Pod',
  namespace: KUBE_SYSTEM,
  name: 'kube-dns',
  labels: { 'k8s-app': 'kube-dns' },
  ips: [],
  node: undefined,
  hostIP: undefined,
  ports: [
    { name: 'dns', port: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, protocol: 'TCP' },
  ],
  owner: { kind: 'Pod', name: 'kube-dns' },
  hostNetwork: false,
  origin: { file: '<assumed kube-dns>', line: 0 },
};
