import type { FieldPath, JSONValue } from '../model/source.js';
import { type FieldError, invalid, unknownField } from './field-error.js';

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

export function decode(value: JSONValue | undefined, schema: Schema, path: FieldPath = []): FieldError[] {
  const errors: FieldError[] = [];
  walk(value, schema, path, errors);
  return errors;
}

function walk(value: JSONValue | undefined, schema: Schema, path: FieldPath, errors: FieldError[]): void {
  if (value === null || value === undefined || schema.type === 'any') return; // null means absent, as in Go
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') errors.push(typeError(path, value, schema.type));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(typeError(path, value, schema.type));
      return;
    case 'integer':
      if (!Number.isInteger(value)) errors.push(typeError(path, value, schema.type));
      return;
    case 'integer or string':
      if (typeof value !== 'string' && !Number.isInteger(value)) errors.push(typeError(path, value, schema.type));
      return;
    case 'array':
      if (!Array.isArray(value)) errors.push(typeError(path, value, schema.type));
      else value.forEach((item, index) => walk(item, schema.items, [...path, index], errors));
      return;
    case 'map':
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.push(typeError(path, value, 'object'));
        return;
      }
      for (const [key, child] of Object.entries(value)) {
        const childSchema = schema.type === 'map' ? schema.values : schema.fields[key];
        if (childSchema !== undefined) walk(child, childSchema, [...path, key], errors);
        else if (schema.type === 'object' && schema.strict) errors.push(unknownField([...path, key]));
      }
  }
}

function typeError(path: FieldPath, value: JSONValue, expected: string): FieldError {
  const shown = typeof value === 'string' ? value : { goSyntax: abbreviate(JSON.stringify(value)) };
  return invalid(path, shown, `must be of type ${expected}`);
}

const abbreviate = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}...` : text);
