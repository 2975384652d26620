import type { KubeConfig } from '@kubernetes/client-node';
import { isJSONObject } from '../util/json.js';
import { type RequestTimeouts, KubeRequestError, getJSON } from './kube-http.js';

/** A kind the Kubernetes source follows, by the group and version netpol reads it in (src/resources/kinds.ts). */
export interface FollowedKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Must be served; the others are followed when their CRD or aggregated API exists. */
  readonly required: boolean;
  /** Follows the objects of this namespace only (a namespaced kind); every namespace when absent. */
  readonly namespace?: string;
}

const kinds = (group: string, version: string, required: boolean, names: readonly string[]): FollowedKind[] =>
  names.map((kind) => ({ group, version, kind, required }));

/**
 * Everything the agent's cluster model reads from a live cluster. Workloads are not followed: on a live
 * cluster every replica is a Pod, and the pods carry their owners.
 */
export const FOLLOWED_KINDS: readonly FollowedKind[] = [
  ...kinds('', 'v1', true, ['Namespace', 'Pod', 'Node']),
  ...kinds('networking.k8s.io', 'v1', true, ['NetworkPolicy']),
  ...kinds('policy.networking.k8s.io', 'v1alpha2', false, ['ClusterNetworkPolicy']),
  ...kinds('policy.networking.k8s.io', 'v1alpha1', false, ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']),
  ...kinds('networking.ironcore.dev', 'v1alpha1', false, [
    'Network',
    'NetworkInterface',
    'LoadBalancer',
    'VirtualIP',
    'NetworkPolicy',
  ]),
  ...kinds('compute.ironcore.dev', 'v1alpha1', false, ['Machine']),
];

/** A followed kind as discovery serves it. */
export interface ServedResource extends FollowedKind {
  readonly plural: string;
  readonly namespaced: boolean;
}

export const apiVersionOf = (k: Pick<FollowedKind, 'group' | 'version'>): string =>
  k.group === '' ? k.version : `${k.group}/${k.version}`;

/** `pods`, `networkpolicies.networking.k8s.io`. */
export const qualifiedName = (r: ServedResource): string => (r.group === '' ? r.plural : `${r.plural}.${r.group}`);

/**
 * The collection path across all namespaces, `/api/v1/pods`, `/apis/networking.k8s.io/v1/networkpolicies`, or in
 * the one namespace the kind is followed in.
 */
export const collectionPath = (r: ServedResource): string =>
  `${groupVersionPath(r)}/${r.namespaced && r.namespace !== undefined ? `namespaces/${r.namespace}/` : ''}${r.plural}`;

/** `/api/v1`, `/apis/networking.k8s.io/v1`. */
export const groupVersionPath = (r: Pick<FollowedKind, 'group' | 'version'>): string =>
  `${r.group === '' ? '/api' : `/apis/${r.group}`}/${r.version}`;

/**
 * The path of one object (or its subresource): `/api/v1/namespaces/default/pods/a`,
 * `/apis/networking.ironcore.dev/v1alpha1/namespaces/shop/networkpolicies/db/status`.
 */
export const objectPath = (
  r: Pick<ServedResource, 'group' | 'version' | 'plural' | 'namespaced'>,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string =>
  `${groupVersionPath(r)}/${r.namespaced ? `namespaces/${encodeURIComponent(namespace ?? 'default')}/` : ''}` +
  `${r.plural}/${encodeURIComponent(name)}${subresource === undefined ? '' : `/${subresource}`}`;

/**
 * Asks discovery which followed kinds are served: one request per group version; a version that is not
 * served (404) has none of them. Any other failure is thrown, so a flaky server is not read as "no CRDs".
 */
export async function discoverFollowed(
  config: KubeConfig,
  timeouts: RequestTimeouts,
  kinds: readonly FollowedKind[] = FOLLOWED_KINDS,
): Promise<ServedResource[]> {
  const byVersion = new Map<string, FollowedKind[]>();
  for (const k of kinds) byVersion.set(apiVersionOf(k), [...(byVersion.get(apiVersionOf(k)) ?? []), k]);
  const served: ServedResource[] = [];
  for (const [apiVersion, wanted] of byVersion) {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let document;
    try {
      document = await getJSON(config, path, {}, timeouts);
    } catch (e) {
      if (e instanceof KubeRequestError && e.statusCode === 404) continue;
      throw e;
    }
    const resources = Array.isArray(document['resources']) ? document['resources'].filter(isJSONObject) : [];
    for (const k of wanted) {
      const entry = resources.find(
        (r) => r['kind'] === k.kind && typeof r['name'] === 'string' && !r['name'].includes('/'),
      );
      if (entry !== undefined)
        served.push({ ...k, plural: entry['name'] as string, namespaced: entry['namespaced'] === true });
    }
  }
  return served;
}
