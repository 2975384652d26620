/** What a request path asks for, read as the API server's RequestInfoFactory reads it. */
export type Route =
  | { readonly type: 'discovery'; readonly document: 'core' | 'groups' | 'version' | 'health' }
  | { readonly type: 'group'; readonly group: string }
  /** `/openapi/v3` (path '') and `/openapi/v3/apis/<group>/<version>`. */
  | { readonly type: 'openapi'; readonly path: string }
  /** `/openapi/v2`, which kubectl before 1.27 reads: a document with no schemas. */
  | { readonly type: 'openapi-v2' }
  | { readonly type: 'resources'; readonly group: string; readonly version: string }
  | {
      readonly type: 'resource';
      readonly group: string;
      readonly version: string;
      readonly namespace: string | undefined;
      readonly plural: string;
      readonly name: string | undefined;
      readonly subresource: string | undefined;
      /** The legacy `/watch/` prefix. */
      readonly watchPath: boolean;
    }
  | { readonly type: 'unknown' };

/** Subresources of a namespace, which would otherwise read as a resource inside it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function route(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  if (parts.length === 0) return { type: 'unknown' };
  const [root] = parts;
  if (parts.length === 1 && root === 'version') return { type: 'discovery', document: 'version' };
  if (parts.length === 1 && (root === 'healthz' || root === 'readyz' || root === 'livez')) {
    return { type: 'discovery', document: 'health' };
  }
  if (root === 'openapi' && parts[1] === 'v3') return { type: 'openapi', path: parts.slice(2).join('/') };
  if (root === 'openapi' && parts[1] === 'v2' && parts.length === 2) return { type: 'openapi-v2' };
  let group: string;
  let rest: string[];
  if (root === 'api') {
    if (parts.length === 1) return { type: 'discovery', document: 'core' };
    group = '';
    rest = parts.slice(1);
  } else if (root === 'apis') {
    if (parts.length === 1) return { type: 'discovery', document: 'groups' };
    if (parts.length === 2) return { type: 'group', group: parts[1]! };
    group = parts[1]!;
    rest = parts.slice(2);
  } else {
    return { type: 'unknown' };
  }
  const [version, ...tail] = rest;
  if (version === undefined) return { type: 'unknown' };
  if (tail.length === 0) return { type: 'resources', group, version };
  return resourceRoute(group, version, tail);
}

function resourceRoute(group: string, version: string, parts: string[]): Route {
  let watchPath = false;
  if (parts[0] === 'watch') {
    watchPath = true;
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    else namespace = undefined;
  }
  const [plural, name, subresource, ...extra] = parts;
  if (plural === undefined || extra.length > 0) return { type: 'unknown' };
  return { type: 'resource', group, version, namespace, plural, name, subresource, watchPath };
}
