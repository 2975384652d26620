import { type FieldError, invalid, unknownField } from './field-error.js';
import { ownValue, setOwn } from '../util/records.js';
import type { FieldPath } from '../util/location.js';
import type { JSONValue } from '../util/json.js';

/**
 * Structural decoding: the step where the apiserver turns JSON into Go
 * structs. It catches wrong types (a label value written as a bare number)
 * and, for strictly decoded objects, unknown fields (a misspelt `ingres`),
 * which would otherwise drop rules without a word.
 */
export type Schema =
  | { readonly type: 'string' | 'integer' | 'boolean' | 'integer or string' | 'any' }
  | { readonly type: 'object'; readonly fields: Readonly<Record<string, Schema>>; readonly strict: boolean }
  | { readonly type: 'map'; readonly values: Schema }
  | { readonly type: 'array'; readonly items: Schema };

export const str: Schema = { type: 'string' };
export const int: Schema = { type: 'integer' };
export const bool: Schema = { type: 'boolean' };
export const intOrString: Schema = { type: 'integer or string' };
export const any: Schema = { type: 'any' };
export const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
export const mapOf = (values: Schema): Schema => ({ type: 'map', values });
/** An object whose unknown fields are errors. */
export const strictObject = (fields: Record<string, Schema>): Schema => ({ type: 'object', fields, strict: true });
/** An object of which only some fields are checked. */
export const openObject = (fields: Record<string, Schema>): Schema => ({ type: 'object', fields, strict: false });

export interface Decoded {
  readonly errors: FieldError[];
  /**
   * The value as Go would hold it: null fields absent, null list items and map values zero. Parts
   * that need no change are the input's own objects, shared: neither may be changed.
   */
  readonly value: JSONValue | undefined;
}

export function decode(value: JSONValue | undefined, schema: Schema, path: FieldPath = []): Decoded {
  const errors: FieldError[] = [];
  return { errors, value: walk(value, schema, { path }, undefined, errors) };
}

/**
 * Where the walk is: a parent and the key within it. A field path is put together only for an error;
 * objects with many fields are walked without building one for each.
 */
type At = { readonly path: FieldPath } | { readonly parent: At; readonly key: string | number | undefined };

function pathOf(at: At, key: string | number | undefined): FieldPath {
  const segments: (string | number)[] = key === undefined ? [] : [key];
  let here: At = at;
  while ('parent' in here) {
    if (here.key !== undefined) segments.push(here.key);
    here = here.parent;
  }
  return [...here.path, ...segments.reverse()];
}

function walk(
  value: JSONValue | undefined,
  schema: Schema,
  parent: At,
  key: string | number | undefined,
  errors: FieldError[],
): JSONValue | undefined {
  if (value === null || value === undefined) return undefined;
  switch (schema.type) {
    case 'any':
      return value;
    case 'string':
      return typeof value === 'string' ? value : typeError(pathOf(parent, key), value, schema.type, errors);
    case 'boolean':
      return typeof value === 'boolean' ? value : typeError(pathOf(parent, key), value, schema.type, errors);
    case 'integer':
      return Number.isInteger(value) ? value : typeError(pathOf(parent, key), value, schema.type, errors);
    case 'integer or string':
      return typeof value === 'string' || Number.isInteger(value)
        ? value
        : typeError(pathOf(parent, key), value, schema.type, errors);
    case 'array': {
      if (!Array.isArray(value)) return typeError(pathOf(parent, key), value, schema.type, errors);
      const here: At = { parent, key };
      // Copied only from the first item that changes: most input is already as Go would hold it.
      let out: JSONValue[] | undefined;
      for (let index = 0; index < value.length; index++) {
        const item = value[index]!;
        const decoded = walk(item, schema.items, here, index, errors) ?? zeroValue(schema.items);
        if (decoded !== item) out ??= value.slice(0, index);
        if (out !== undefined) out.push(decoded);
      }
      return out ?? value;
    }
    case 'map':
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        return typeError(pathOf(parent, key), value, 'object', errors);
      }
      const here: At = { parent, key };
      const fields = Object.keys(value);
      // As for arrays: a copy only once a field changes (is dropped, zeroed or decoded anew).
      let out: { [key: string]: JSONValue } | undefined;
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        const child = value[field]!;
        const childSchema = schema.type === 'map' ? schema.values : ownValue(schema.fields, field);
        let decoded: JSONValue | undefined;
        if (childSchema === undefined) {
          if (schema.type === 'object' && schema.strict) errors.push(unknownField(pathOf(here, field)));
          else decoded = child;
        } else {
          decoded = walk(child, childSchema, here, field, errors);
          if (decoded === undefined && schema.type === 'map') decoded = zeroValue(childSchema);
        }
        if (decoded !== child && out === undefined) out = copyOfFields(value, fields, i);
        if (out !== undefined && decoded !== undefined) setOwn(out, field, decoded);
      }
      return out ?? value;
    }
  }
}

/** A new object with the first `count` fields of `value`. */
function copyOfFields(value: { [key: string]: JSONValue }, fields: readonly string[], count: number): typeof value {
  const out: typeof value = {};
  for (let i = 0; i < count; i++) setOwn(out, fields[i]!, value[fields[i]!]!);
  return out;
}

/** What Go's JSON decoder leaves in a slot given null. */
function zeroValue(schema: Schema): JSONValue {
  switch (schema.type) {
    case 'string':
      return '';
    case 'integer':
    case 'integer or string':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'any':
      return null;
    default:
      return {};
  }
}

/**
 * YAML, as kubectl reads it, takes unquoted y/yes/on/n/no/off for booleans and 1.10 for the number
 * 1.1 (a version label): say so where a string was meant, since the message alone shows another value.
 */
const UNQUOTED_HINTS: Partial<Record<string, string>> = {
  boolean: 'unquoted y, yes, on, n, no and off are booleans in YAML: quote the value',
  number: 'unquoted numbers are numbers in YAML, and 1.10 reads as 1.1: quote the value',
};

function typeError(path: FieldPath, value: JSONValue, expected: string, errors: FieldError[]): undefined {
  const shown = typeof value === 'string' ? value : { goSyntax: abbreviate(JSON.stringify(value)) };
  const hint = expected === 'string' ? UNQUOTED_HINTS[typeof value] : undefined;
  errors.push(invalid(path, shown, `must be of type ${expected}${hint === undefined ? '' : ` (${hint})`}`));
  return undefined;
}

const abbreviate = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}...` : text);
