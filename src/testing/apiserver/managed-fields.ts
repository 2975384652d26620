import { type JSONObject, type JSONValue, isJSONObject } from '../../util/json.js';
import {
  type FieldSet,
  difference,
  fieldSetOf,
  fromLeaves,
  isEmpty,
  leaves,
  presentAt,
  sameAt,
  union,
} from './field-set.js';
import type { ResourceType } from './resources.js';

/** One `metadata.managedFields` entry. */
export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly time: string;
  readonly fieldsType: 'FieldsV1';
  readonly fieldsV1: FieldSet;
  readonly subresource?: string;
}

/** Who writes, through which endpoint. */
export interface Writer {
  readonly manager: string;
  readonly apiVersion: string;
  /** 'status' for writes through `/status`. */
  readonly subresource: string;
  readonly now: string;
}

/** Fields no manager owns: the object's identity and what the server sets. */
const SERVER_METADATA = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

/**
 * The part of an object a write through `subresource` can own: `status` alone through `/status`; everything
 * else through the main resource (`status` too when the resource has no status subresource).
 */
export function trackedFields(object: JSONObject, resource: ResourceType, subresource: string): FieldSet {
  return fieldSetOf(trackedPart(object, resource, subresource));
}

export function trackedPart(object: JSONObject, resource: ResourceType, subresource: string): JSONObject {
  if (subresource === 'status') return object['status'] === undefined ? {} : { status: object['status']! };
  const { apiVersion: _apiVersion, kind: _kind, metadata, status, ...rest } = object;
  const meta: JSONObject = isJSONObject(metadata) ? { ...metadata } : {};
  for (const key of SERVER_METADATA) delete meta[key];
  return {
    ...(Object.keys(meta).length > 0 ? { metadata: meta } : {}),
    ...rest,
    ...(status !== undefined && !resource.hasStatus ? { status } : {}),
  };
}

export function entriesOf(object: JSONObject | undefined): ManagedFieldsEntry[] {
  const meta = object?.['metadata'];
  const entries = isJSONObject(meta) ? meta['managedFields'] : undefined;
  return Array.isArray(entries) ? (entries as unknown as ManagedFieldsEntry[]) : [];
}

export const sameEntry = (
  entry: ManagedFieldsEntry,
  manager: string,
  operation: ManagedFieldsEntry['operation'],
  subresource: string,
): boolean => entry.manager === manager && entry.operation === operation && (entry.subresource ?? '') === subresource;

export function makeEntry(
  writer: Writer,
  operation: ManagedFieldsEntry['operation'],
  fields: FieldSet,
): ManagedFieldsEntry {
  return {
    manager: writer.manager,
    operation,
    apiVersion: writer.apiVersion,
    time: writer.now,
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
    ...(writer.subresource !== '' ? { subresource: writer.subresource } : {}),
  };
}

/**
 * The managed fields after a create, update or patch: the writer takes every field it changed (an update
 * never conflicts), other managers lose those, and removed fields leave every set.
 */
export function recordUpdate(
  entries: readonly ManagedFieldsEntry[],
  before: JSONObject | undefined,
  after: JSONObject,
  resource: ResourceType,
  writer: Writer,
): ManagedFieldsEntry[] {
  const afterPart = trackedPart(after, resource, writer.subresource);
  const beforePart = before === undefined ? {} : trackedPart(before, resource, writer.subresource);
  const changed = leaves(fieldSetOf(afterPart)).filter((p) => !sameAt(beforePart, afterPart, p));
  const removed = leaves(fieldSetOf(beforePart)).filter((p) => !presentAt(afterPart, p));
  const taken = fromLeaves([...changed, ...removed]);
  const out: ManagedFieldsEntry[] = [];
  let own: ManagedFieldsEntry | undefined;
  for (const entry of entries) {
    if (sameEntry(entry, writer.manager, 'Update', writer.subresource)) own = entry;
    else out.push({ ...entry, fieldsV1: difference(entry.fieldsV1, taken) });
  }
  const ownFields = difference(union(own?.fieldsV1 ?? {}, fromLeaves(changed)), fromLeaves(removed));
  const kept = out.filter((e) => !isEmpty(e.fieldsV1));
  if (isEmpty(ownFields)) return kept;
  const touched = changed.length > 0 || removed.length > 0;
  return [
    ...kept,
    touched || own === undefined ? makeEntry(writer, 'Update', ownFields) : { ...own, fieldsV1: ownFields },
  ];
}

export const asJSON = (entries: readonly ManagedFieldsEntry[]): JSONValue => entries as unknown as JSONValue;
