import type { KubeConfig } from '@kubernetes/client-node';
import type { JSONObject } from '../util/json.js';
import { KubeRequestError, requestJSON } from './kube-http.js';
import { objectPath } from './kube-resources.js';

/** A resource the writer writes, as its paths name it. */
export interface WrittenResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

export interface KubeWriterOptions {
  /** The field manager of every write: server-side apply requires one, and other writes are recorded under it. */
  readonly fieldManager: string;
  /** How long a request may wait for its answer. */
  readonly requestTimeoutMs?: number;
  /** Aborts every request in flight (a controller stopping). */
  readonly signal?: AbortSignal;
}

const APPLY_PATCH = 'application/apply-patch+yaml';
const MERGE_PATCH = 'application/merge-patch+json';

/**
 * A controller's writes: server-side apply (forced: the controller owns what it writes), merge patches with the
 * resourceVersion they were computed from (a stale one is the API server's 409 Conflict), and deletes. Failures
 * are KubeRequestErrors carrying the API server's Status and message.
 */
export class KubeWriter {
  constructor(
    private readonly config: KubeConfig,
    private readonly options: KubeWriterOptions,
  ) {}

  /** Applies `object` (its apiVersion, kind, name and namespace say where), or its status through `/status`. */
  async apply(resource: WrittenResource, object: JSONObject, subresource?: 'status'): Promise<JSONObject> {
    const metadata = object['metadata'] as JSONObject;
    const path = objectPath(resource, metadata['namespace'] as string, metadata['name'] as string, subresource);
    // JSON is YAML: the apply media type takes either.
    return this.request(path, { fieldManager: this.options.fieldManager, force: 'true' }, 'PATCH', {
      body: JSON.stringify(object),
      contentType: APPLY_PATCH,
    });
  }

  /** A JSON merge patch of one object. */
  async mergePatch(
    resource: WrittenResource,
    namespace: string | undefined,
    name: string,
    patch: JSONObject,
  ): Promise<JSONObject> {
    return this.request(objectPath(resource, namespace, name), { fieldManager: this.options.fieldManager }, 'PATCH', {
      body: JSON.stringify(patch),
      contentType: MERGE_PATCH,
    });
  }

  /** Deletes one object, its dependents left to the garbage collector; false when it was not there. */
  async delete(resource: WrittenResource, namespace: string | undefined, name: string): Promise<boolean> {
    try {
      await this.request(objectPath(resource, namespace, name), {}, 'DELETE', {
        body: JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }),
        contentType: 'application/json',
      });
      return true;
    } catch (e) {
      if (e instanceof KubeRequestError && e.statusCode === 404) return false;
      throw e;
    }
  }

  private request(
    path: string,
    query: Record<string, string>,
    method: 'PATCH' | 'DELETE',
    body: { body: string; contentType: string },
  ): Promise<JSONObject> {
    return requestJSON(
      this.config,
      path,
      query,
      { responseMs: this.options.requestTimeoutMs ?? 30_000 },
      { method, ...body },
      this.options.signal,
    );
  }
}
