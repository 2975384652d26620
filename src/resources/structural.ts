import {
  type ErrorValue,
  type FieldError,
  duplicate,
  invalid,
  required,
  tooLong,
  tooMany,
  unknownField,
} from './field-error.js';
import { ownValue, setOwn } from '../util/records.js';
import { type FieldPath, formatFieldPath } from '../util/location.js';
import { type JSONValue, isJSONObject } from '../util/json.js';

/**
 * A custom resource as the apiextensions-apiserver handles it: its CRD's
 * structural schema, written with the builders below in the CRD's own terms,
 * and the two steps the API server takes on create: decoding (unknown fields
 * are an error under kubectl's strict field validation, nulls are pruned,
 * defaults applied) and validation (the OpenAPI checks in kube-openapi's
 * words, list sets, then the `x-kubernetes-validations` rules).
 */

/** One `x-kubernetes-validations` entry: CEL in the CRD, a predicate here, and the message the API server prints. */
export interface ValidationRule {
  /** The CEL text as the CRD has it, for the reader: `holds` is its transcription. */
  readonly rule: string;
  readonly message: string;
  /** Called only on a node whose type is right and whose subtree broke no blocking check. */
  readonly holds: (self: never) => boolean;
  /** The field to show the reader, for a rule whose error has no path of its own (a rule on the whole object). */
  readonly locateAt?: FieldPath;
}

interface Common {
  readonly rules?: readonly ValidationRule[];
  readonly default?: JSONValue;
}

export type StructuralSchema =
  | (Common & {
      readonly type: 'string';
      readonly maxLength?: number;
      readonly enum?: readonly string[];
      readonly pattern?: string;
    })
  | (Common & { readonly type: 'integer'; readonly minimum?: number; readonly maximum?: number })
  | (Common & {
      readonly type: 'array';
      readonly items: StructuralSchema;
      readonly minItems?: number;
      readonly maxItems?: number;
      /** `x-kubernetes-list-type: set`: duplicates are refused. */
      readonly listType?: 'set';
    })
  | (Common & {
      readonly type: 'object';
      readonly properties: Readonly<Record<string, StructuralSchema>>;
      readonly required?: readonly string[];
      readonly minProperties?: number;
      readonly maxProperties?: number;
    })
  /** An object with `additionalProperties`: any key, each value of one schema. */
  | (Common & { readonly type: 'map'; readonly values: StructuralSchema })
  /** Left to another check (metadata), or ignored on create (status, which the status subresource resets). */
  | { readonly type: 'unchecked' };

type Options<T extends StructuralSchema['type']> = Omit<Extract<StructuralSchema, { type: T }>, 'type'>;

export const crd = {
  string: (options: Options<'string'> = {}): StructuralSchema => ({ type: 'string', ...options }),
  integer: (options: Options<'integer'> = {}): StructuralSchema => ({ type: 'integer', ...options }),
  array: (items: StructuralSchema, options: Omit<Options<'array'>, 'items'> = {}): StructuralSchema => ({
    type: 'array',
    items,
    ...options,
  }),
  object: (
    properties: Record<string, StructuralSchema>,
    options: Omit<Options<'object'>, 'properties'> = {},
  ): StructuralSchema => ({ type: 'object', properties, ...options }),
  map: (values: StructuralSchema): StructuralSchema => ({ type: 'map', values }),
  unchecked: { type: 'unchecked' } as StructuralSchema,
  rule: <T>(rule: string, message: string, holds: (self: T) => boolean, locateAt?: FieldPath): ValidationRule => ({
    rule,
    message,
    holds: holds as (self: never) => boolean,
    ...(locateAt === undefined ? {} : { locateAt }),
  }),
};

/**
 * Decoding: fields the schema does not declare are errors (kubectl's strict
 * field validation), nulls in objects and maps are pruned, absent or null
 * fields with a default take it. Null list items, and values of the wrong
 * type, are kept for validation to report.
 */
export function decodeCustomResource(
  value: JSONValue,
  schema: StructuralSchema,
): { errors: FieldError[]; value: JSONValue } {
  const errors: FieldError[] = [];
  return { errors, value: prune(value, schema, [], errors) ?? null };
}

function prune(
  value: JSONValue,
  schema: StructuralSchema,
  path: FieldPath,
  errors: FieldError[],
): JSONValue | undefined {
  if (schema.type === 'unchecked') return value;
  if (value === null) return schema.default;
  if (schema.type === 'array' && Array.isArray(value)) {
    // A null item is not pruned: it stays for validation to refuse.
    return value.map((item, i) => (item === null ? null : (prune(item, schema.items, [...path, i], errors) ?? null)));
  }
  if (schema.type === 'map' && isJSONObject(value)) {
    const out: { [key: string]: JSONValue } = {};
    for (const [key, child] of Object.entries(value)) {
      const pruned = prune(child, schema.values, [...path, key], errors);
      if (pruned !== undefined) setOwn(out, key, pruned);
    }
    return out;
  }
  if (schema.type !== 'object' || !isJSONObject(value)) return value;
  const out: { [key: string]: JSONValue } = {};
  for (const [key, child] of Object.entries(value)) {
    const property = ownValue(schema.properties, key);
    if (property === undefined) {
      errors.push(unknownField([...path, key]));
      continue;
    }
    const pruned = prune(child, property, [...path, key], errors);
    if (pruned !== undefined) setOwn(out, key, pruned);
  }
  for (const [key, property] of Object.entries(schema.properties)) {
    if (ownValue(out, key) === undefined && property.type !== 'unchecked' && property.default !== undefined) {
      setOwn(out, key, structuredClone(property.default));
    }
  }
  return out;
}

const RULES_NOT_CHECKED: FieldError = invalid(
  [],
  { goSyntax: 'null' },
  'some validation rules were not checked because the object was invalid; ' +
    'correct the existing errors to complete validation',
);

/**
 * Validation of a decoded custom resource, error for error as the API server
 * reports it: `before` (the metadata's errors) first, then the OpenAPI
 * checks, duplicates in list sets, and the `x-kubernetes-validations` rules.
 * As in the API server, the rules are not evaluated when a check they could
 * trip over failed (a wrong type, a missing field, an unsupported value, too
 * long, too many); one last line says so.
 */
export function validateCustomResource(
  value: JSONValue,
  schema: StructuralSchema,
  before: readonly FieldError[] = [],
): FieldError[] {
  const blocking = new Set<FieldError>(before.filter((e) => BLOCKING_TYPES.has(e.type)));
  const schemaErrors: FieldError[] = [];
  checkNode(value, schema, [], schemaErrors, blocking);
  const setErrors: FieldError[] = [];
  checkSets(value, schema, [], setErrors);
  const errors = [...before, ...schemaErrors, ...setErrors];
  if (blocking.size > 0) return [...errors, RULES_NOT_CHECKED];
  const ruleErrors: FieldError[] = [];
  checkRules(value, schema, [], ruleErrors);
  return [...errors, ...ruleErrors];
}

/** The field error types the API server counts as blocking its validation rules (apiextensions' `hasBlockingErr`). */
const BLOCKING_TYPES: ReadonlySet<string> = new Set(['Unsupported value', 'Required value', 'Too long', 'Too many']);

type JSONType = 'null' | 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

function jsonType(value: JSONValue): JSONType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as 'string' | 'boolean' | 'object';
}

const schemaTypeName = (schema: StructuralSchema): string => (schema.type === 'map' ? 'object' : schema.type);

/** `spec.priority in body`: kube-openapi names the field and where it sits in the request. */
const inBody = (path: FieldPath): string => `${formatFieldPath(path)} in body`;

/** A JSON scalar as Go's `field.Error` prints a decoded value: strings quoted, numbers and booleans bare. */
function goValue(value: JSONValue): ErrorValue {
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'number' && Number.isInteger(value)) return { int: value };
  return { goSyntax: JSON.stringify(value) };
}

/** kube-openapi's validators for one node, in its order: type, string, enum, array, object, number. */
function checkNode(
  value: JSONValue,
  schema: StructuralSchema,
  path: FieldPath,
  errors: FieldError[],
  blocking: Set<FieldError>,
): void {
  if (schema.type === 'unchecked') return;
  const expected = schemaTypeName(schema);
  const actual = jsonType(value);
  if (actual !== expected) {
    const hint =
      actual === 'boolean' && expected === 'string'
        ? ' (unquoted y, yes, on, n, no and off are booleans in YAML: quote the value)'
        : '';
    const error = invalid(path, actual, `${inBody(path)} must be of type ${expected}: "${actual}"${hint}`);
    errors.push(error);
    blocking.add(error);
  }
  const report = (error: FieldError): void => {
    errors.push(error);
    if (BLOCKING_TYPES.has(error.type)) blocking.add(error);
  };
  switch (schema.type) {
    case 'string':
      if (typeof value === 'string') checkString(value, schema, path, report);
      if (schema.enum !== undefined && !schema.enum.includes(value as string)) {
        const supported = schema.enum.map((v) => JSON.stringify(v)).join(', ');
        report({ type: 'Unsupported value', path, value: goValue(value), detail: `supported values: ${supported}` });
      }
      return;
    case 'integer':
      if (typeof value === 'number') checkNumber(value, schema, path, report);
      return;
    case 'array':
      if (Array.isArray(value)) checkArray(value, schema, path, errors, blocking);
      return;
    case 'map':
      if (isJSONObject(value)) {
        for (const [key, child] of Object.entries(value))
          checkNode(child, schema.values, [...path, key], errors, blocking);
      }
      return;
    case 'object':
      if (isJSONObject(value)) checkObject(value, schema, path, errors, blocking);
  }
}

function checkString(
  value: string,
  schema: Extract<StructuralSchema, { type: 'string' }>,
  path: FieldPath,
  report: (error: FieldError) => void,
): void {
  // kube-openapi counts characters, and stops at the first failed check.
  if (schema.maxLength !== undefined && [...value].length > schema.maxLength) {
    report(tooLong(path, schema.maxLength));
  } else if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
    report(invalid(path, value, `${inBody(path)} should match '${schema.pattern}'`));
  }
}

function checkNumber(
  value: number,
  schema: Extract<StructuralSchema, { type: 'integer' }>,
  path: FieldPath,
  report: (error: FieldError) => void,
): void {
  if (schema.maximum !== undefined && value > schema.maximum) {
    report(invalid(path, goValue(value), `${inBody(path)} should be less than or equal to ${schema.maximum}`));
  }
  if (schema.minimum !== undefined && value < schema.minimum) {
    report(invalid(path, goValue(value), `${inBody(path)} should be greater than or equal to ${schema.minimum}`));
  }
}

function checkArray(
  value: readonly JSONValue[],
  schema: Extract<StructuralSchema, { type: 'array' }>,
  path: FieldPath,
  errors: FieldError[],
  blocking: Set<FieldError>,
): void {
  value.forEach((item, i) => checkNode(item, schema.items, [...path, i], errors, blocking));
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errors.push(invalid(path, value.length, `${inBody(path)} should have at least ${schema.minItems} items`));
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    const error = tooMany(path, value.length, schema.maxItems);
    errors.push(error);
    blocking.add(error);
  }
}

function checkObject(
  value: { readonly [key: string]: JSONValue },
  schema: Extract<StructuralSchema, { type: 'object' }>,
  path: FieldPath,
  errors: FieldError[],
  blocking: Set<FieldError>,
): void {
  const count = Object.keys(value).length;
  // A count out of bounds ends the object's checks: its fields are not looked at.
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    errors.push(invalid(path, count, `${inBody(path)} should have at least ${schema.minProperties} properties`));
    return;
  }
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    const error = tooMany(path, count, schema.maxProperties);
    errors.push(error);
    blocking.add(error);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const property = ownValue(schema.properties, key);
    if (property !== undefined) checkNode(child, property, [...path, key], errors, blocking);
  }
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(value, key)) {
      const error = required([...path, key]);
      errors.push(error);
      blocking.add(error);
    }
  }
}

/** `x-kubernetes-list-type: set`: each repeat of an earlier item is a duplicate, at its own index. */
function checkSets(value: JSONValue, schema: StructuralSchema, path: FieldPath, errors: FieldError[]): void {
  forEachChild(value, schema, path, (child, childSchema, childPath) =>
    checkSets(child, childSchema, childPath, errors),
  );
  if (schema.type !== 'array' || schema.listType !== 'set' || !Array.isArray(value)) return;
  const seen = new Set<string>();
  value.forEach((item, i) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) errors.push(duplicate([...path, i], typeof item === 'string' ? item : key));
    seen.add(key);
  });
}

/** A node's own rules first, then its children's, as the API server's CEL validator walks. */
function checkRules(value: JSONValue, schema: StructuralSchema, path: FieldPath, errors: FieldError[]): void {
  if (schema.type === 'unchecked') return;
  for (const rule of schema.rules ?? []) {
    if (rule.holds(value as never)) continue;
    const error = invalid(path, schemaTypeName(schema), rule.message);
    errors.push(rule.locateAt === undefined ? error : { ...error, locateAt: rule.locateAt });
  }
  forEachChild(value, schema, path, (child, childSchema, childPath) =>
    checkRules(child, childSchema, childPath, errors),
  );
}

function forEachChild(
  value: JSONValue,
  schema: StructuralSchema,
  path: FieldPath,
  visit: (child: JSONValue, schema: StructuralSchema, path: FieldPath) => void,
): void {
  if (schema.type === 'array' && Array.isArray(value)) {
    value.forEach((item, i) => visit(item, schema.items, [...path, i]));
  } else if (schema.type === 'map' && isJSONObject(value)) {
    for (const [key, child] of Object.entries(value)) visit(child, schema.values, [...path, key]);
  } else if (schema.type === 'object' && isJSONObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const property = ownValue(schema.properties, key);
      if (property !== undefined) visit(child, property, [...path, key]);
    }
  }
}
