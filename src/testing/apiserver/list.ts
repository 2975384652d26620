import type { JSONObject } from '../../util/json.js';
import { type ObjectFilter } from './selectors.js';
import { type ResourceType, apiVersionOf } from './resources.js';
import { ApiError, badRequest } from './status.js';
import { type VersionedStore, keyOf, metadataOf } from './store.js';

export interface ListQuery {
  readonly namespace: string | undefined;
  readonly filter: ObjectFilter;
  /** Whether a label or field selector was given: remainingItemCount is then left out. */
  readonly selective: boolean;
  readonly limit?: number;
  readonly continueToken?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

/** The continue token's content, as the API server encodes it (`{"v":"meta.k8s.io/v1","rv":..,"start":..}`). */
interface Continuation {
  readonly rv: number;
  readonly start: string;
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of the ' +
  'results. Continuing with the provided token results in an inconsistent list - objects that were created, ' +
  'modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/**
 * A list as the API server answers it: `<Kind>List` with metadata.resourceVersion, cut into chunks of `limit`
 * with a continue token that reads the rest at the same revision (410 Expired once that revision is compacted).
 * Items of built-in kinds carry no apiVersion and kind, those of custom resources do.
 */
export function listObjects(store: VersionedStore, resource: ResourceType, query: ListQuery): JSONObject {
  const continuation = query.continueToken ? decodeContinue(query.continueToken) : undefined;
  if (continuation !== undefined && query.resourceVersion !== undefined && query.resourceVersion !== '') {
    throw badRequest('specifying resource version is not allowed when using continue');
  }
  const revision = continuation !== undefined ? readRevision(store, continuation) : listRevision(store, query);
  const all = revision === store.revision ? store.list(resource) : store.listAt(resource, revision);
  const start = continuation?.start ?? '';
  const matching = all.filter((o) => keyOf(o) >= start && inNamespace(o, query.namespace) && query.filter(o));
  const limit = query.limit !== undefined && query.limit > 0 ? query.limit : matching.length;
  const page = matching.slice(0, limit);
  const rest = matching.length - page.length;
  const metadata: JSONObject = { resourceVersion: String(revision) };
  if (rest > 0) {
    metadata['continue'] = encodeContinue({ rv: revision, start: `${keyOf(page[page.length - 1]!)}\u0000` });
    if (!query.selective) metadata['remainingItemCount'] = rest;
  }
  return {
    kind: `${resource.kind}List`,
    apiVersion: apiVersionOf(resource),
    metadata,
    items: page.map((o) => (resource.custom ? o : withoutTypeMeta(o))),
  };
}

function inNamespace(object: JSONObject, namespace: string | undefined): boolean {
  return namespace === undefined || metadataOf(object)['namespace'] === namespace;
}

function withoutTypeMeta(object: JSONObject): JSONObject {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

/** resourceVersion semantics: unset is the latest, `0` any (the latest here), Exact the one named. */
function listRevision(store: VersionedStore, query: ListQuery): number {
  const requested = query.resourceVersion;
  if (requested === undefined || requested === '' || requested === '0') return store.revision;
  const revision = parseRevision(requested);
  if (query.resourceVersionMatch === 'Exact') {
    if (revision < store.compactedRevision) {
      throw new ApiError(410, 'Expired', 'The resourceVersion for the provided list is too old.');
    }
    return Math.min(revision, store.revision);
  }
  return store.revision;
}

function readRevision(store: VersionedStore, continuation: Continuation): number {
  if (continuation.rv === -1) return store.revision;
  if (continuation.rv < store.compactedRevision) {
    const inconsistent = encodeContinue({ rv: -1, start: continuation.start });
    throw new ApiError(410, 'Expired', CONTINUE_EXPIRED, undefined, { continue: inconsistent });
  }
  return continuation.rv;
}

export function parseRevision(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version: ${JSON.stringify(text)}`);
  return Number(text);
}

function encodeContinue(c: Continuation): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: c.rv, start: c.start })).toString('base64url');
}

function decodeContinue(token: string): Continuation {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (decoded['v'] !== 'meta.k8s.io/v1') throw new Error(`unexpected version ${String(decoded['v'])}`);
    if (typeof decoded['rv'] !== 'number' || typeof decoded['start'] !== 'string') throw new Error('incomplete');
    return { rv: decoded['rv'], start: decoded['start'] };
  } catch (e) {
    throw badRequest(`continue key is not valid: ${e instanceof Error ? e.message : String(e)}`);
  }
}
