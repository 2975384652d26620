import { isDeepStrictEqual } from 'node:util';
import { apiVersionOf, FOLLOWED_KINDS, qualifiedName } from '../../controller/kube-resources.js';
import { apiStateVersion } from '../../controller/snapshot-builder.js';
import { type JSONObject, isJSONObject } from '../../util/json.js';
import type { SyncHttp } from '../../util/sync-http.js';

/** The namespaces an API server makes at its start, which the lab leaves alone. */
const BOOTSTRAP_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** A kind the agents follow, as the API server's discovery serves it. */
interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Served with a `/status` subresource, through which alone the status is written. */
  readonly hasStatus: boolean;
}

/** Asks discovery, as a client does, which of the kinds the agents follow the server serves, and how. */
function discover(get: (path: string) => JSONObject | undefined): ResourceType[] {
  const served: ResourceType[] = [];
  for (const apiVersion of new Set(FOLLOWED_KINDS.map(apiVersionOf))) {
    const document = get(apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    const resources = Array.isArray(document?.['resources']) ? document['resources'].filter(isJSONObject) : [];
    const names = new Set(resources.map((r) => String(r['name'])));
    for (const k of FOLLOWED_KINDS.filter((f) => apiVersionOf(f) === apiVersion)) {
      const entry = resources.find((r) => r['kind'] === k.kind && !String(r['name']).includes('/'));
      if (entry === undefined) continue;
      const plural = String(entry['name']);
      served.push({ ...k, plural, namespaced: entry['namespaced'] === true, hasStatus: names.has(`${plural}/status`) });
    }
  }
  return served;
}

const metadataOf = (o: JSONObject): JSONObject => (isJSONObject(o['metadata']) ? o['metadata'] : {});
const nameOf = (o: JSONObject): string => String(metadataOf(o)['name'] ?? '');
const namespaceOf = (o: JSONObject, r: ResourceType): string | undefined =>
  r.namespaced ? String(metadataOf(o)['namespace'] ?? 'default') : undefined;

const collection = (r: ResourceType, namespace?: string): string =>
  `${r.group === '' ? '/api' : `/apis/${r.group}`}/${r.version}` +
  `${namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`}/${r.plural}`;
const item = (r: ResourceType, namespace: string | undefined, name: string): string =>
  `${collection(r, namespace)}/${encodeURIComponent(name)}`;

/** The fields the lab writes and compares: a server's own (uid, resourceVersion, managedFields) left out. */
const written = (o: JSONObject): JSONObject => {
  const m = metadataOf(o);
  return {
    labels: m['labels'] ?? null,
    annotations: m['annotations'] ?? null,
    ownerReferences: m['ownerReferences'] ?? null,
    spec: o['spec'] ?? null,
    status: o['status'] ?? null,
  };
};

/**
 * Makes the lab's API server hold exactly these objects, of the kinds the agents follow, through the API as a
 * client would: namespaces first (the API server refuses objects in one that does not exist), each object created
 * or replaced when it differs, its status through the status subresource, and what the objects no longer hold
 * deleted (namespaces last). `extensions/v1beta1` NetworkPolicies are written as `networking.k8s.io/v1`, the
 * version the API server serves them in. Returns the state version the agents report once they have applied it
 * (apiStateVersion over every followed object).
 */
export function holdObjects(http: SyncHttp, url: string, objects: readonly JSONObject[]): string {
  const call = (method: string, path: string, body?: unknown): JSONObject => {
    const reply = http.request(method, `${url}${path}`, body);
    if (reply.status >= 300 && !(method === 'DELETE' && reply.status === 404))
      throw new Error(`the lab's API server answered ${method} ${path} with ${reply.status}: ${reply.body}`);
    return JSON.parse(reply.body) as JSONObject;
  };
  const followed = discover((path) => {
    const reply = http.request('GET', `${url}${path}`);
    if (reply.status === 404) return undefined;
    if (reply.status !== 200) throw new Error(`the lab's API server answered GET ${path} with ${reply.status}`);
    return JSON.parse(reply.body) as JSONObject;
  });
  const wanted = new Map<ResourceType, Map<string, JSONObject>>(followed.map((r) => [r, new Map()]));
  const want = (r: ResourceType, object: JSONObject): void =>
    void wanted.get(r)!.set(`${namespaceOf(object, r) ?? ''}/${nameOf(object)}`, object);
  const namespaces = followed.find((r) => r.kind === 'Namespace')!;
  for (const object of objects) {
    const apiVersion =
      object['kind'] === 'NetworkPolicy' && object['apiVersion'] === 'extensions/v1beta1'
        ? 'networking.k8s.io/v1'
        : object['apiVersion'];
    const r = followed.find((f) => f.kind === object['kind'] && apiVersionOf(f) === apiVersion);
    if (r === undefined) continue; // workloads: on a cluster their pods stand for them, and the lab writes the pods
    want(r, { ...object, apiVersion: apiVersionOf(r) });
    const namespace = namespaceOf(object, r);
    if (namespace !== undefined && !wanted.get(namespaces)!.has(`/${namespace}`))
      want(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }
  const held = (r: ResourceType): JSONObject[] =>
    (call('GET', collection(r)).items as JSONObject[] | undefined)?.filter(isJSONObject) ?? [];
  // Namespaces first; then the rest.
  for (const r of [namespaces, ...followed.filter((f) => f !== namespaces)]) {
    const current = new Map(held(r).map((o) => [`${namespaceOf(o, r) ?? ''}/${nameOf(o)}`, o]));
    for (const [key, object] of wanted.get(r)!) {
      const now = current.get(key);
      if (
        now !== undefined &&
        isDeepStrictEqual(written(now), written({ ...object, status: object['status'] ?? now['status'] ?? null }))
      )
        continue;
      const { resourceVersion: _rv, uid: _uid, ...metadata } = metadataOf(object);
      const body = { ...object, metadata };
      const path = item(r, namespaceOf(object, r), nameOf(object));
      const stored =
        now === undefined ? call('POST', collection(r, namespaceOf(object, r)), body) : call('PUT', path, body);
      if (r.hasStatus && object['status'] !== undefined && !isDeepStrictEqual(stored['status'], object['status']))
        call('PUT', `${path}/status`, { ...stored, status: object['status'] });
    }
  }
  for (const r of [...followed.filter((f) => f !== namespaces), namespaces]) {
    for (const object of held(r)) {
      const key = `${namespaceOf(object, r) ?? ''}/${nameOf(object)}`;
      if (wanted.get(r)!.has(key) || (r === namespaces && BOOTSTRAP_NAMESPACES.has(nameOf(object)))) continue;
      call('DELETE', item(r, namespaceOf(object, r), nameOf(object)));
    }
  }
  return apiStateVersion(
    followed.flatMap((r) =>
      held(r).map((raw) => {
        const namespace = namespaceOf(raw, r);
        const where = namespace === undefined ? '' : `${namespace}/`;
        const key = `${qualifiedName({ ...r, required: true })}/${where}${nameOf(raw)}`;
        return { key, raw };
      }),
    ),
  );
}
