import { isDeepStrictEqual } from 'node:util';
import { type JSONObject, type JSONValue, isJSONObject } from '../../util/json.js';
import {
  NAMESPACES,
  admitIntoNamespace,
  assignName,
  carryOver,
  checkPreconditions,
  checkTypeMeta,
  finalizersOf,
  initialize,
  metaField,
  placeInNamespace,
  timestamp,
} from './admission.js';
import { serverSideApply } from './apply.js';
import { type ManagedFieldsEntry, type Writer, asJSON, entriesOf, recordUpdate } from './managed-fields.js';
import { OwnerIndex } from './owner-index.js';
import { PATCH_TYPES, jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { type ResourceType, RESOURCES, apiVersionOf } from './resources.js';
import {
  ApiError,
  alreadyExists,
  badRequest,
  deleteSuccess,
  modifiedConflict,
  notFound,
  unsupportedMediaType,
} from './status.js';
import { type VersionedStore, metadataOf } from './store.js';

/** Who is writing: the field manager, and whether the write is the server's own (test controls). */
export interface WriteOptions {
  readonly manager: string;
  /** 'status' for `/status`. */
  readonly subresource?: string;
  /**
   * Test controls write status on create as the cluster's controllers would; clients through the main
   * resource cannot (their status is dropped, as each registry's PrepareForCreate does).
   */
  readonly keepStatus?: boolean;
}

export interface PatchOptions extends WriteOptions {
  readonly contentType: string;
  readonly force?: boolean;
}

export interface DeleteOptions {
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly body?: JSONObject;
}

/** The outcome of a write: the object to answer with, and 201 when it was created. */
export interface WriteResult {
  readonly object: JSONObject;
  readonly created: boolean;
}

/**
 * The write path of every resource: create, update, patch (merge, strategic, JSON, apply), delete, with
 * admission (names, namespaces, finalizers), generation, managed fields, and garbage collection of dependents.
 * HTTP handlers and test controls both go through it.
 */
export class Registry {
  private readonly owners: OwnerIndex;

  constructor(
    private readonly store: VersionedStore,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.owners = new OwnerIndex(store);
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): JSONObject {
    const object = this.store.get(resource, namespace, name);
    if (object === undefined) throw notFound(resource, name);
    return object;
  }

  create(resource: ResourceType, namespace: string | undefined, body: JSONValue, options: WriteOptions): JSONObject {
    if (!isJSONObject(body)) throw badRequest('the body of the request must be an object');
    let object = assignName(resource, placeInNamespace(resource, checkTypeMeta(resource, body), namespace));
    if (resource.hasStatus && !options.keepStatus) object = withoutStatus(object);
    return this.insert(resource, object, (created) =>
      recordUpdate([], undefined, created, resource, this.writer(resource, options)),
    );
  }

  /** PUT: replaces the object, or only its status through `/status`. */
  update(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    body: JSONValue,
    options: WriteOptions,
  ): JSONObject {
    if (!isJSONObject(body)) throw badRequest('the body of the request must be an object');
    const stored = this.get(resource, namespace, name);
    const object = placeInNamespace(resource, checkTypeMeta(resource, body), namespace);
    checkName(object, name);
    const wanted = metaField(object, 'resourceVersion');
    if (typeof wanted === 'string' && wanted !== '' && wanted !== metaField(stored, 'resourceVersion')) {
      throw modifiedConflict(resource, name);
    }
    return this.replace(resource, stored, object, options, (next) =>
      recordUpdate(entriesOf(stored), stored, next, resource, this.writer(resource, options)),
    );
  }

  patch(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    body: JSONValue,
    options: PatchOptions,
  ): WriteResult {
    if (options.contentType === PATCH_TYPES.apply) return this.apply(resource, namespace, name, body, options);
    if (options.force !== undefined) {
      throw invalidPatchOptions('force', 'may not be specified for non-apply patch');
    }
    const stored = this.get(resource, namespace, name);
    const patched = this.patched(resource, stored, body, options.contentType);
    const object = placeInNamespace(resource, checkTypeMeta(resource, patched), namespace);
    checkName(object, name);
    const wanted = metaField(object, 'resourceVersion');
    if (wanted !== undefined && wanted !== metaField(stored, 'resourceVersion')) throw modifiedConflict(resource, name);
    const updated = this.replace(resource, stored, object, options, (next) =>
      recordUpdate(entriesOf(stored), stored, next, resource, this.writer(resource, options)),
    );
    return { object: updated, created: false };
  }

  delete(resource: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): JSONObject {
    const stored = this.get(resource, namespace, name);
    checkPreconditions(resource, stored, options.body ?? {});
    const policy = options.propagationPolicy ?? propagationPolicyOf(options.body);
    if (resource === NAMESPACES) return this.deleteNamespace(stored);
    if (finalizersOf(stored).length > 0) return this.markDeleted(resource, stored);
    const deleted = this.store.remove(resource, stored);
    this.collectDependents(metaField(stored, 'uid') as string, policy);
    return resource.returnDeletedObject ? deleted : deleteSuccess(resource, name, metaField(stored, 'uid') as string);
  }

  private apply(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    body: JSONValue,
    options: PatchOptions,
  ): WriteResult {
    if (options.manager === '') throw invalidPatchOptions('fieldManager', 'is required for apply patch', true);
    if (!isJSONObject(body)) throw badRequest('the body of the request must be an object');
    if (typeof body['apiVersion'] !== 'string' || typeof body['kind'] !== 'string') {
      throw badRequest(`invalid object type: ${String(body['apiVersion'] ?? '')}, Kind=${String(body['kind'] ?? '')}`);
    }
    const config = placeInNamespace(resource, checkTypeMeta(resource, body), namespace);
    if (metaField(config, 'name') === undefined) config['metadata'] = { ...metadataOf(config), name };
    checkName(config, name);
    const writer = this.writer(resource, options);
    const live = this.store.get(resource, namespace, name);
    // Only the main resource creates on apply: a status has nothing to belong to.
    if (live === undefined && writer.subresource !== '') throw notFound(resource, name);
    const result = serverSideApply({
      resource,
      live,
      entries: entriesOf(live),
      config,
      writer,
      force: options.force ?? false,
    });
    const identity = { apiVersion: config['apiVersion']!, kind: config['kind']!, ...result.object };
    if (live === undefined) {
      const object = assignName(resource, {
        ...identity,
        metadata: { ...metadataOf(config), ...metadataOf(identity) },
      });
      return { object: this.insert(resource, object, () => result.entries), created: true };
    }
    return { object: this.replace(resource, live, identity, options, () => result.entries), created: false };
  }

  private patched(resource: ResourceType, stored: JSONObject, patch: JSONValue, contentType: string): JSONObject {
    const current = withoutManagedFields(stored);
    switch (contentType) {
      case PATCH_TYPES.merge:
        return asObject(mergePatch(current, patch));
      case PATCH_TYPES.strategic:
        if (resource.custom) throw unsupportedMediaType(contentType, patchTypesOf(resource));
        return asObject(strategicMergePatch(current, patch));
      case PATCH_TYPES.json:
        return jsonPatch(current, patch);
      default:
        throw unsupportedMediaType(contentType, patchTypesOf(resource));
    }
  }

  private insert(
    resource: ResourceType,
    object: JSONObject,
    managedFields: (created: JSONObject) => ManagedFieldsEntry[],
  ): JSONObject {
    const name = metaField(object, 'name') as string;
    if (this.store.get(resource, metaField(object, 'namespace') as string | undefined, name) !== undefined) {
      throw alreadyExists(resource, name);
    }
    admitIntoNamespace(this.store, resource, object);
    const created = initialize(resource, object, this.clock());
    const entries = managedFields(created);
    return this.store.create(resource, withManagedFields(created, entries));
  }

  /** The common end of PUT and PATCH: status rules, server-owned fields, no-op detection, finalizers. */
  private replace(
    resource: ResourceType,
    stored: JSONObject,
    incoming: JSONObject,
    options: WriteOptions,
    managedFields: (next: JSONObject) => ManagedFieldsEntry[],
  ): JSONObject {
    const subresource = options.subresource ?? '';
    let next: JSONObject;
    if (subresource === 'status') {
      next = { ...stored, status: incoming['status'] ?? {} };
      if (incoming['status'] === undefined) delete next['status'];
    } else if (resource.hasStatus && !options.keepStatus) {
      next = withoutStatus(incoming);
      if (stored['status'] !== undefined) next['status'] = stored['status'];
    } else {
      next = incoming;
    }
    next = carryOver(resource, stored, next);
    next = withManagedFields(next, managedFields(next));
    if (sameIgnoringTimes(stored, next)) return stored;
    if (metaField(next, 'deletionTimestamp') !== undefined && finalizersOf(next).length === 0) {
      const deleted = this.store.remove(resource, next, stored);
      this.collectDependents(metaField(next, 'uid') as string, 'Background');
      this.finishNamespaces();
      return deleted;
    }
    return this.store.update(resource, next, stored);
  }

  /** An object with finalizers is only marked: deletionTimestamp set, MODIFIED, gone when they are. */
  private markDeleted(resource: ResourceType, stored: JSONObject, changes: JSONObject = {}): JSONObject {
    if (metaField(stored, 'deletionTimestamp') !== undefined) return stored;
    const meta = metadataOf(stored);
    const marked = {
      ...stored,
      ...changes,
      metadata: {
        ...meta,
        deletionTimestamp: timestamp(this.clock()),
        deletionGracePeriodSeconds: 0,
        generation: ((meta['generation'] as number | undefined) ?? 1) + 1,
      },
    };
    return this.store.update(resource, marked, stored);
  }

  /**
   * What the namespace controller does, at once: the namespace turns Terminating, its content is deleted, and
   * the namespace goes when nothing is left in it (objects with finalizers keep it until they are gone).
   */
  private deleteNamespace(stored: JSONObject): JSONObject {
    const name = metaField(stored, 'name') as string;
    const namespace = this.markDeleted(NAMESPACES, stored, { status: { phase: 'Terminating' } });
    for (const resource of RESOURCES.filter((r) => r.namespaced)) {
      for (const object of this.store.list(resource)) {
        if (metaField(object, 'namespace') !== name) continue;
        this.delete(resource, name, metaField(object, 'name') as string);
      }
    }
    this.finishNamespaces();
    return this.store.get(NAMESPACES, undefined, name) ?? namespace;
  }

  /** Removes Terminating namespaces that are empty. */
  private finishNamespaces(): void {
    for (const namespace of this.store.list(NAMESPACES)) {
      if (metaField(namespace, 'deletionTimestamp') === undefined) continue;
      const name = metaField(namespace, 'name') as string;
      const occupied = RESOURCES.some(
        (r) => r.namespaced && [...this.store.values(r)].some((o) => metaField(o, 'namespace') === name),
      );
      if (!occupied) this.store.remove(NAMESPACES, namespace);
    }
  }

  /**
   * The garbage collector, synchronously: dependents whose owners are all gone are deleted (background
   * propagation); with Orphan, the owner's references are removed from them instead.
   */
  private collectDependents(ownerUid: string, policy: DeleteOptions['propagationPolicy']): void {
    for (const dependent of this.owners.dependentsOf(ownerUid)) {
      const object = this.store.get(dependent.resource, dependent.namespace, dependent.name);
      if (object === undefined) continue;
      const references = ownerReferencesOf(object);
      if (policy === 'Orphan') {
        const kept = references.filter((r) => r['uid'] !== ownerUid);
        const meta: JSONObject = { ...metadataOf(object), ownerReferences: kept };
        if (kept.length === 0) delete meta['ownerReferences'];
        this.store.update(dependent.resource, { ...object, metadata: meta }, object);
      } else if (references.every((r) => r['uid'] === ownerUid || !this.owners.exists(r['uid'] as string))) {
        this.delete(dependent.resource, dependent.namespace, dependent.name);
      }
    }
  }

  private writer(resource: ResourceType, options: WriteOptions): Writer {
    return {
      manager: options.manager,
      apiVersion: apiVersionOf(resource),
      subresource: options.subresource ?? '',
      now: timestamp(this.clock()),
    };
  }
}

function checkName(object: JSONObject, name: string): void {
  const inBody = metaField(object, 'name');
  if (inBody !== undefined && inBody !== name) {
    throw badRequest(`the name of the object (${String(inBody)}) does not match the name on the URL (${name})`);
  }
  if (inBody === undefined) object['metadata'] = { ...metadataOf(object), name };
}

function invalidPatchOptions(field: string, detail: string, required = false): ApiError {
  const message = `${field}: ${required ? 'Required value' : 'Forbidden'}: ${detail}`;
  return new ApiError(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${message}`, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [{ reason: required ? 'FieldValueRequired' : 'FieldValueForbidden', message, field }],
  });
}

const patchTypesOf = (resource: ResourceType): string[] =>
  resource.custom
    ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply]
    : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];

function asObject(value: JSONValue): JSONObject {
  if (!isJSONObject(value)) throw badRequest('the patch must leave an object');
  return value;
}

function withoutStatus(object: JSONObject): JSONObject {
  const { status: _status, ...rest } = object;
  return rest;
}

function withoutManagedFields(object: JSONObject): JSONObject {
  const { managedFields: _managedFields, ...meta } = metadataOf(object);
  return { ...object, metadata: meta };
}

function withManagedFields(object: JSONObject, entries: readonly ManagedFieldsEntry[]): JSONObject {
  const meta: JSONObject = { ...metadataOf(object) };
  if (entries.length === 0) delete meta['managedFields'];
  else meta['managedFields'] = asJSON(entries);
  return { ...object, metadata: meta };
}

/** A write that changes nothing but the times in managedFields is no write: no new resourceVersion, no event. */
function sameIgnoringTimes(a: JSONObject, b: JSONObject): boolean {
  const strip = (o: JSONObject): JSONObject => {
    const meta = { ...metadataOf(o) };
    const entries = Array.isArray(meta['managedFields']) ? meta['managedFields'] : [];
    meta['managedFields'] = entries.map((e) => (isJSONObject(e) ? { ...e, time: '' } : e));
    return { ...o, metadata: meta };
  };
  return isDeepStrictEqual(strip(a), strip(b));
}

function ownerReferencesOf(object: JSONObject): JSONObject[] {
  const refs = metaField(object, 'ownerReferences');
  return Array.isArray(refs) ? refs.filter(isJSONObject) : [];
}

function propagationPolicyOf(body: JSONObject | undefined): DeleteOptions['propagationPolicy'] {
  const policy = body?.['propagationPolicy'];
  if (body?.['orphanDependents'] === true) return 'Orphan';
  return policy === 'Orphan' || policy === 'Foreground' || policy === 'Background' ? policy : undefined;
}
