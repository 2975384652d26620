import { FOLLOWED_KINDS } from '../../src/controller/kube-resources.js';
import { loadText } from '../../src/load/load.js';
import type { JSONObject } from '../../src/util/json.js';
import type { ApiServer } from '../../src/testing/apiserver/index.js';

const metadataOf = (o: JSONObject): JSONObject => o['metadata'] as JSONObject;
const refOf = (o: JSONObject) => ({
  apiVersion: o['apiVersion'] as string,
  kind: o['kind'] as string,
  name: metadataOf(o)['name'] as string,
  ...(metadataOf(o)['namespace'] !== undefined ? { namespace: metadataOf(o)['namespace'] as string } : {}),
});
const keyOf = (o: JSONObject): string => {
  const ref = refOf(o);
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
};

/**
 * Makes the test server hold exactly the objects of these manifests, of the kinds the agent follows, as a cluster
 * would after `kubectl apply --prune`: namespaces the manifests name are made first (the API server refuses objects
 * in a namespace that does not exist), each object created or replaced (a replacement that changes nothing
 * writes nothing), and followed objects the manifests do not hold deleted.
 */
export function holdInServer(server: ApiServer, manifests: string): void {
  const objects = loadText(manifests, 'manifests.yaml').objects.map((o) => o.raw);
  const followed = (o: JSONObject): boolean =>
    FOLLOWED_KINDS.some(
      (k) => k.kind === o['kind'] && (k.group === '' ? k.version : `${k.group}/${k.version}`) === o['apiVersion'],
    );
  const namespaces = new Set(objects.map((o) => metadataOf(o)['namespace']).filter((n) => typeof n === 'string'));
  const wanted: JSONObject[] = [
    ...[...namespaces]
      .filter((name) => !objects.some((o) => o['kind'] === 'Namespace' && metadataOf(o)['name'] === name))
      .map((name): JSONObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    ...objects.filter(followed).sort((a, b) => Number(b['kind'] === 'Namespace') - Number(a['kind'] === 'Namespace')),
  ];
  const keep = new Set(wanted.map(keyOf));
  for (const kind of FOLLOWED_KINDS) {
    const apiVersion = kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
    let held: JSONObject[];
    try {
      held = server.list(apiVersion, kind.kind);
    } catch {
      continue; // a kind this server does not serve now
    }
    for (const object of held) {
      const complete = { ...object, apiVersion, kind: kind.kind };
      if (!keep.has(keyOf(complete)) && kind.kind !== 'Namespace') server.delete(refOf(complete));
    }
  }
  for (const object of wanted) {
    const { resourceVersion: _rv, ...metadata } = metadataOf(object);
    const put = { ...object, metadata };
    if (server.get(refOf(object)) === undefined) server.create(put);
    else server.update(put);
  }
}
