import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { type JSONObject, type JSONValue, isJSONObject } from '../../util/json.js';
import { listSemantics } from './field-set.js';
import { badRequest } from './status.js';

/** The patch types of `PATCH`, by Content-Type. */
export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** RFC 7386: maps merge key by key, `null` deletes, anything else replaces. */
export function mergePatch(target: JSONValue | undefined, patch: JSONValue): JSONValue {
  if (!isJSONObject(patch)) return patch;
  const out: JSONObject = isJSONObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * A strategic merge patch for the simple cases: a merge patch in which lists with a merge key (containers by
 * name, conditions by type, ...) merge item by item and honour `$patch: delete`, `finalizers` merge as a set,
 * `$deleteFromPrimitiveList/<field>` removes members, `$patch: replace` replaces, and `$retainKeys` keeps only
 * the keys it names. `$setElementOrder` is accepted and ignored: order is not kept.
 */
export function strategicMergePatch(target: JSONValue | undefined, patch: JSONValue, names: string[] = []): JSONValue {
  if (!isJSONObject(patch)) return patch;
  if (patch['$patch'] === 'replace') return withoutDirectives(patch);
  const out: JSONObject = isJSONObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key.startsWith('$setElementOrder/')) continue;
    if (key === '$retainKeys') {
      const keep = new Set(Array.isArray(value) ? value : []);
      for (const existing of Object.keys(out)) if (!keep.has(existing)) delete out[existing];
    } else if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      const remove = Array.isArray(value) ? value : [];
      if (Array.isArray(current)) out[field] = current.filter((v) => !remove.some((r) => r === v));
    } else if (value === null || (isJSONObject(value) && value['$patch'] === 'delete')) {
      delete out[key];
    } else if (Array.isArray(value)) {
      out[key] = mergeList(out[key], value, [...names, key]);
    } else {
      out[key] = strategicMergePatch(out[key], value, [...names, key]);
    }
  }
  return out;
}

function mergeList(target: JSONValue | undefined, patch: JSONValue[], names: string[]): JSONValue {
  const semantics = listSemantics(names);
  const current = Array.isArray(target) ? target : [];
  if (semantics === 'atomic') return patch.map(withoutDirectivesDeep);
  if (semantics === 'set') return [...current, ...patch.filter((v) => !current.includes(v))];
  const mergeKey = semantics.keys[0]!;
  const out = [...current];
  for (const item of patch) {
    if (!isJSONObject(item)) continue;
    const index = out.findIndex((existing) => isJSONObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item['$patch'] === 'delete') {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) {
      out[index] = strategicMergePatch(out[index], item, [...names, '*']);
    } else {
      out.push(withoutDirectivesDeep(item));
    }
  }
  return out;
}

const withoutDirectives = (object: JSONObject): JSONObject =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith('$')));

function withoutDirectivesDeep(value: JSONValue): JSONValue {
  if (Array.isArray(value)) return value.map(withoutDirectivesDeep);
  if (!isJSONObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, child]) => [key, withoutDirectivesDeep(child)]),
  );
}

/** RFC 6902, through fast-json-patch; a failing operation is the client's error. */
export function jsonPatch(target: JSONObject, patch: JSONValue): JSONObject {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    const result = fastJsonPatch.applyPatch(structuredClone(target), patch as unknown as Operation[], true, true);
    return result.newDocument as JSONObject;
  } catch (e) {
    throw badRequest(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
}
