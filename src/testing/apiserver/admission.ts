import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type JSONObject, type JSONValue, isJSONObject } from '../../util/json.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validate/names.js';
import { type ResourceType, RESOURCES, apiVersionOf, qualifiedResource } from './resources.js';
import { type FieldProblem, ApiError, badRequest, forbidden, invalid, notFound } from './status.js';
import { type VersionedStore, metadataOf } from './store.js';

/** `2024-01-02T03:04:05Z`: metav1.Time has second precision. */
export const timestamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const NAMESPACES = RESOURCES.find((r) => r.group === '' && r.plural === 'namespaces')!;

export const metaField = (object: JSONObject, key: string): JSONValue | undefined => metadataOf(object)[key];

export const finalizersOf = (object: JSONObject): string[] => {
  const value = metaField(object, 'finalizers');
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/** apiVersion and kind must name the resource of the path; missing ones are filled in. */
export function checkTypeMeta(resource: ResourceType, body: JSONObject): JSONObject {
  const expectedVersion = apiVersionOf(resource);
  const apiVersion = body['apiVersion'];
  const kind = body['kind'];
  if (apiVersion !== undefined && apiVersion !== expectedVersion) {
    throw badRequest(
      `the API version in the data (${String(apiVersion)}) ` +
        `does not match the expected API version (${expectedVersion})`,
    );
  }
  if (kind !== undefined && kind !== resource.kind) {
    throw badRequest(`the kind in the data (${String(kind)}) does not match the expected kind (${resource.kind})`);
  }
  if (!isJSONObject(body['metadata']) && body['metadata'] !== undefined) {
    throw badRequest('metadata: expected an object');
  }
  return {
    ...body,
    apiVersion: expectedVersion,
    kind: resource.kind,
    metadata: { ...(body['metadata'] as JSONObject) },
  };
}

/** The namespace of a namespaced object is the path's; a different one in the body is refused. */
export function placeInNamespace(
  resource: ResourceType,
  object: JSONObject,
  namespace: string | undefined,
): JSONObject {
  const meta = { ...metadataOf(object) };
  if (!resource.namespaced) {
    delete meta['namespace'];
    return { ...object, metadata: meta };
  }
  if (meta['namespace'] !== undefined && meta['namespace'] !== '' && meta['namespace'] !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return { ...object, metadata: { ...meta, namespace: namespace! } };
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The object's name, generated from `generateName` when it has none, checked as the API server checks it. */
export function assignName(resource: ResourceType, object: JSONObject): JSONObject {
  const meta = { ...metadataOf(object) };
  if ((meta['name'] === undefined || meta['name'] === '') && typeof meta['generateName'] === 'string') {
    let suffix = '';
    for (let i = 0; i < 5; i++)
      suffix += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
    meta['name'] = `${meta['generateName']}${suffix}`;
  }
  const name = meta['name'];
  const problems: FieldProblem[] = [];
  if (typeof name !== 'string' || name === '') {
    problems.push({
      field: 'metadata.name',
      reason: 'FieldValueRequired',
      message: 'metadata.name: Required value: name or generateName is required',
    });
  } else {
    const check = resource.plural === 'namespaces' ? isDNS1123Label : isDNS1123Subdomain;
    for (const message of check(name)) {
      problems.push({
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `metadata.name: Invalid value: ${JSON.stringify(name)}: ${message}`,
      });
    }
  }
  if (problems.length > 0) throw invalid(resource, typeof name === 'string' ? name : '', problems);
  return { ...object, metadata: meta };
}

/** NamespaceLifecycle: new content needs a namespace that exists and is not being terminated. */
export function admitIntoNamespace(store: VersionedStore, resource: ResourceType, object: JSONObject): void {
  if (!resource.namespaced) return;
  const name = metaField(object, 'namespace') as string;
  const namespace = store.get(NAMESPACES, undefined, name);
  if (namespace === undefined) throw notFound(NAMESPACES, name);
  if (metaField(namespace, 'deletionTimestamp') !== undefined) {
    throw forbidden(
      resource,
      metaField(object, 'name') as string,
      `unable to create new content in namespace ${name} because it is being terminated`,
    );
  }
}

/** What the server sets on create: uid, creationTimestamp, generation, and a namespace's defaults. */
export function initialize(resource: ResourceType, object: JSONObject, now: Date): JSONObject {
  const meta: JSONObject = { ...metadataOf(object) };
  for (const key of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'])
    delete meta[key];
  meta['uid'] = randomUUID();
  meta['creationTimestamp'] = timestamp(now);
  meta['generation'] = 1;
  let out: JSONObject = { ...object, metadata: meta };
  if (resource === NAMESPACES) out = namespaceDefaults(out);
  return out;
}

/** The API server labels every namespace with its name, and a new namespace is Active. */
function namespaceDefaults(namespace: JSONObject): JSONObject {
  const meta = metadataOf(namespace);
  const labels = isJSONObject(meta['labels']) ? meta['labels'] : {};
  const spec = isJSONObject(namespace['spec']) ? namespace['spec'] : {};
  const status = isJSONObject(namespace['status']) ? namespace['status'] : {};
  return {
    ...namespace,
    metadata: { ...meta, labels: { ...labels, 'kubernetes.io/metadata.name': meta['name'] as string } },
    spec: { finalizers: ['kubernetes'], ...spec },
    status: { phase: 'Active', ...status },
  };
}

/** The parts of an object whose change is a new generation: everything but metadata and status. */
const generationPart = (object: JSONObject): JSONObject => {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
};

/**
 * An update keeps what the server owns (uid, creationTimestamp, deletionTimestamp), bumps generation when
 * anything but metadata and status changed, and refuses new finalizers on an object being deleted.
 */
export function carryOver(resource: ResourceType, stored: JSONObject, updated: JSONObject): JSONObject {
  const old = metadataOf(stored);
  const meta: JSONObject = { ...metadataOf(updated) };
  // resourceVersion too: preconditions were checked already, and a write that changes nothing writes nothing.
  const kept = [
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'name',
    'namespace',
    'resourceVersion',
  ];
  for (const key of kept) {
    if (old[key] === undefined) delete meta[key];
    else meta[key] = old[key]!;
  }
  const changed = !isDeepStrictEqual(generationPart(stored), generationPart(updated));
  meta['generation'] = ((old['generation'] as number | undefined) ?? 1) + (changed ? 1 : 0);
  const out = { ...updated, metadata: meta };
  if (old['deletionTimestamp'] !== undefined) {
    const before = new Set(finalizersOf(stored));
    const added = finalizersOf(out).filter((f) => !before.has(f));
    if (added.length > 0) {
      throw invalid(resource, meta['name'] as string, [
        {
          field: 'metadata.finalizers',
          reason: 'FieldValueForbidden',
          message:
            'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, ' +
            `found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        },
      ]);
    }
  }
  return out;
}

/** DeleteOptions preconditions, worded as the registry words a failed one. */
export function checkPreconditions(resource: ResourceType, stored: JSONObject, options: JSONObject): void {
  const preconditions = isJSONObject(options['preconditions']) ? options['preconditions'] : {};
  const name = metaField(stored, 'name') as string;
  for (const [field, label] of [
    ['uid', 'UID'],
    ['resourceVersion', 'ResourceVersion'],
  ] as const) {
    const wanted = preconditions[field];
    const actual = metaField(stored, field);
    if (typeof wanted === 'string' && wanted !== actual) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualifiedResource(resource)} ` +
          `${JSON.stringify(name)}: Precondition failed: ${label} in precondition: ${wanted}, ` +
          `${label} in object meta: ${String(actual)}`,
        { name, ...(resource.group !== '' ? { group: resource.group } : {}), kind: resource.plural },
      );
    }
  }
}

export { NAMESPACES };
