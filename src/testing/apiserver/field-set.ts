import { isDeepStrictEqual } from 'node:util';
import { type JSONObject, type JSONValue, isJSONObject } from '../../util/json.js';

/**
 * A set of fields in the `FieldsV1` form of `managedFields`: `{"f:spec":{"f:ports":{}}}`. Keys are `f:<name>`
 * for map fields, `k:<json>` for items of associative lists, `v:<json>` for members of sets, and `.` for a list
 * item itself. A node without children is a field that is owned whole.
 */
export type FieldSet = { [key: string]: FieldSet };

/** A path through a FieldSet: its keys, from the root. */
export type FieldPath = readonly string[];

type ListSemantics = { readonly keys: readonly string[] } | 'set' | 'atomic';

/**
 * Which lists merge by key rather than being replaced whole: the `listType=map` and `listType=set` lists of
 * the fields the served kinds carry. Every other list is atomic. Patterns are dotted field names, `*` for the
 * items of a list.
 */
const LIST_SEMANTICS: Readonly<Record<string, ListSemantics>> = {
  'metadata.ownerReferences': { keys: ['uid'] },
  'metadata.finalizers': 'set',
  'spec.containers': { keys: ['name'] },
  'spec.initContainers': { keys: ['name'] },
  'spec.ephemeralContainers': { keys: ['name'] },
  'spec.containers.*.ports': { keys: ['containerPort', 'protocol'] },
  'spec.initContainers.*.ports': { keys: ['containerPort', 'protocol'] },
  'spec.containers.*.env': { keys: ['name'] },
  'spec.initContainers.*.env': { keys: ['name'] },
  'status.conditions': { keys: ['type'] },
};

/** The list semantics at a path of field names (`spec.containers.*.ports`). */
export function listSemantics(names: readonly string[]): ListSemantics {
  return LIST_SEMANTICS[names.join('.')] ?? 'atomic';
}

/** The fields a value sets, below `path` (the names leading to it). */
export function fieldSetOf(value: JSONObject, names: readonly string[] = []): FieldSet {
  const set: FieldSet = {};
  for (const [name, child] of Object.entries(value)) set[`f:${name}`] = fieldsOfValue(child, [...names, name]);
  return set;
}

function fieldsOfValue(value: JSONValue, names: readonly string[]): FieldSet {
  if (isJSONObject(value)) return Object.keys(value).length === 0 ? {} : fieldSetOf(value, names);
  if (!Array.isArray(value)) return {};
  const semantics = listSemantics(names);
  if (semantics === 'atomic') return {};
  const set: FieldSet = {};
  for (const item of value) {
    if (semantics === 'set') set[`v:${JSON.stringify(item)}`] = {};
    else if (isJSONObject(item)) set[itemKey(item, semantics.keys)] = { '.': {}, ...fieldSetOf(item, [...names, '*']) };
  }
  return set;
}

/** `k:{"containerPort":80,"protocol":"TCP"}`: the key fields present, sorted by name. */
function itemKey(item: JSONObject, keys: readonly string[]): string {
  const key: JSONObject = {};
  for (const name of [...keys].sort()) if (item[name] !== undefined) key[name] = item[name]!;
  return `k:${JSON.stringify(key)}`;
}

/** Every owned field: the nodes without children. */
export function leaves(set: FieldSet, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [key, child] of Object.entries(set)) {
    const path = [...prefix, key];
    if (Object.keys(child).length === 0) out.push(path);
    else out.push(...leaves(child, path));
  }
  return out;
}

export function hasLeaf(set: FieldSet, path: FieldPath): boolean {
  let node: FieldSet | undefined = set;
  for (const key of path) {
    node = Object.hasOwn(node, key) ? node[key] : undefined;
    if (node === undefined) return false;
  }
  return Object.keys(node).length === 0;
}

export function fromLeaves(paths: readonly FieldPath[]): FieldSet {
  const set: FieldSet = {};
  for (const path of paths) {
    let node = set;
    for (const key of path) node = node[key] ??= {};
  }
  return set;
}

export const union = (a: FieldSet, b: FieldSet): FieldSet => fromLeaves([...leaves(a), ...leaves(b)]);

export const difference = (a: FieldSet, b: FieldSet): FieldSet =>
  fromLeaves(leaves(a).filter((path) => !hasLeaf(b, path)));

export const isEmpty = (set: FieldSet): boolean => Object.keys(set).length === 0;

const NOT_FOUND = Symbol('not found');

/** The value at a path of an object, or NOT_FOUND. */
function valueAt(object: JSONValue, path: FieldPath): JSONValue | typeof NOT_FOUND {
  let value: JSONValue = object;
  for (const key of path) {
    if (key === '.') continue;
    const next = step(value, key);
    if (next === NOT_FOUND) return NOT_FOUND;
    value = next.value;
  }
  return value;
}

/** Whether two objects hold the same value (or both nothing) at a path. */
export const sameAt = (a: JSONValue, b: JSONValue, path: FieldPath): boolean =>
  isDeepStrictEqual(valueAt(a, path), valueAt(b, path));

export const presentAt = (object: JSONValue, path: FieldPath): boolean => valueAt(object, path) !== NOT_FOUND;

function step(value: JSONValue, key: string): { value: JSONValue; index?: number } | typeof NOT_FOUND {
  if (key.startsWith('f:')) {
    const name = key.slice(2);
    return isJSONObject(value) && Object.hasOwn(value, name) ? { value: value[name]! } : NOT_FOUND;
  }
  if (!Array.isArray(value)) return NOT_FOUND;
  const index = value.findIndex((item) => matchesItem(item, key));
  return index < 0 ? NOT_FOUND : { value: value[index]!, index };
}

function matchesItem(item: JSONValue, key: string): boolean {
  if (key.startsWith('v:')) return isDeepStrictEqual(item, JSON.parse(key.slice(2)));
  if (key.startsWith('k:')) {
    const fields = JSON.parse(key.slice(2)) as JSONObject;
    return isJSONObject(item) && Object.entries(fields).every(([k, v]) => isDeepStrictEqual(item[k], v));
  }
  return false;
}

/** A copy of `object` without the field at `path` (a list item when the path ends in `.` or `v:`). */
export function withoutField(object: JSONObject, path: FieldPath): JSONObject {
  const trimmed = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
  return removeIn(object, trimmed) as JSONObject;
}

function removeIn(value: JSONValue, path: FieldPath): JSONValue {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  const found = step(value, key);
  if (found === NOT_FOUND) return value;
  if (Array.isArray(value)) {
    const items = [...value];
    if (rest.length === 0 || rest[0] === '.') items.splice(found.index!, 1);
    else items[found.index!] = removeIn(found.value, rest);
    return items;
  }
  const copy = { ...(value as JSONObject) };
  const name = key.slice(2);
  if (rest.length === 0) delete copy[name];
  else copy[name] = removeIn(found.value, rest);
  return copy;
}

/**
 * Merges an applied configuration into an object: maps field by field, associative lists item by item,
 * sets member by member, everything else replaced.
 */
export function mergeApplied(
  live: JSONValue | undefined,
  applied: JSONValue,
  names: readonly string[] = [],
): JSONValue {
  if (isJSONObject(applied) && isJSONObject(live)) {
    const out: JSONObject = { ...live };
    for (const [name, value] of Object.entries(applied)) out[name] = mergeApplied(live[name], value, [...names, name]);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const semantics = listSemantics(names);
    if (semantics === 'set') return [...live, ...applied.filter((v) => !live.some((l) => isDeepStrictEqual(l, v)))];
    if (semantics !== 'atomic') {
      const out = [...live];
      for (const item of applied) {
        const key = isJSONObject(item) ? itemKey(item, semantics.keys) : undefined;
        const index = key === undefined ? -1 : out.findIndex((l) => matchesItem(l, key));
        if (index < 0) out.push(item);
        else out[index] = mergeApplied(out[index], item, [...names, '*']);
      }
      return out;
    }
  }
  return applied;
}

/** `.spec.containers[name="web"].image`, as structured-merge-diff prints a path. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const key of path) {
    if (key === '.') continue;
    if (key.startsWith('f:')) out += `.${key.slice(2)}`;
    else if (key.startsWith('v:')) out += `[=${key.slice(2)}]`;
    else if (key.startsWith('k:')) {
      const fields = JSON.parse(key.slice(2)) as JSONObject;
      out += `[${Object.entries(fields)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
  }
  return out;
}
