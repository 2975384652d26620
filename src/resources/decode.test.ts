import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Schema,
  any,
  arrayOf,
  bool,
  decode,
  int,
  intOrString,
  mapOf,
  openObject,
  str,
  strictObject,
} from './decode.js';
import { podSchema } from '../validate/schemas.js';
import type { JSONValue } from '../util/json.js';

/** Freezes a value deeply, so that any change to it throws (modules run in strict mode). */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) frozen(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * What decoding gave before it shared unchanged parts: a fresh copy along the schema, written
 * independently here as the reference for the value and the errors' paths.
 */
function reference(value: JSONValue | undefined, schema: Schema, path: (string | number)[], errors: string[]): unknown {
  if (value === null || value === undefined) return undefined;
  const wrong = (): undefined => void errors.push(path.join('.'));
  switch (schema.type) {
    case 'any':
      return value;
    case 'string':
      return typeof value === 'string' ? value : wrong();
    case 'boolean':
      return typeof value === 'boolean' ? value : wrong();
    case 'integer':
      return Number.isInteger(value) ? value : wrong();
    case 'integer or string':
      return typeof value === 'string' || Number.isInteger(value) ? value : wrong();
    case 'array':
      if (!Array.isArray(value)) return wrong();
      return value.map((item, i) => reference(item, schema.items, [...path, i], errors) ?? zero(schema.items));
    default: {
      if (typeof value !== 'object' || Array.isArray(value)) return wrong();
      const out: Record<string, unknown> = {};
      for (const [field, child] of Object.entries(value)) {
        const childSchema =
          schema.type === 'map'
            ? schema.values
            : Object.hasOwn(schema.fields, field)
              ? schema.fields[field]
              : undefined;
        if (childSchema === undefined) {
          if (schema.type === 'object' && schema.strict) errors.push([...path, field].join('.'));
          else put(out, field, child);
          continue;
        }
        const decoded = reference(child, childSchema, [...path, field], errors);
        if (decoded !== undefined) put(out, field, decoded);
        else if (schema.type === 'map') put(out, field, zero(childSchema));
      }
      return out;
    }
  }
}

/** A deep copy that keeps `__proto__` keys as data (structuredClone does not). */
function clone(value: JSONValue): JSONValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) put(out, key, clone(child));
  return out as JSONValue;
}

const put = (out: Record<string, unknown>, key: string, value: unknown): unknown =>
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });

function zero(schema: Schema): unknown {
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

const FIELDS = ['a', 'b', 'c'];
const schemas: fc.Arbitrary<Schema> = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    fc.constantFrom(str, int, bool, intOrString, any),
    tie('schema').map(arrayOf),
    tie('schema').map(mapOf),
    fc
      .tuple(fc.dictionary(fc.constantFrom(...FIELDS), tie('schema'), { maxKeys: 3 }), fc.boolean())
      .map(([fields, strict]) => (strict ? strictObject(fields) : openObject(fields))),
  ),
})).schema;

const values: fc.Arbitrary<JSONValue> = fc.letrec<{ value: JSONValue }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    fc.constantFrom(null, 'x', '', 0, 1, 1.5, true, false),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...FIELDS, 'd', '__proto__'), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

describe('structural decoding', () => {
  it('holds values as Go would: null fields absent, null items and map values zero', () => {
    const schema = openObject({ name: str, ports: arrayOf(int), labels: mapOf(str), spec: openObject({ x: int }) });
    const { value, errors } = decode(
      frozen({ name: null, ports: [80, null], labels: { a: null, b: 'c' }, spec: null, extra: [1] }),
      schema,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(value, { ports: [80, 0], labels: { a: '', b: 'c' }, extra: [1] });
  });

  it('reports a wrong type and an unknown field of a strict object, and leaves them out', () => {
    const schema = strictObject({ spec: strictObject({ port: int }) });
    const { value, errors } = decode(frozen({ spec: { port: 'http', ingres: [] } }), schema);
    assert.deepEqual(
      errors.map((e) => e.path),
      [
        ['spec', 'port'],
        ['spec', 'ingres'],
      ],
    );
    assert.deepEqual(value, { spec: {} });
  });

  it('shares what needs no change with the input, and never changes the input', () => {
    const pod = frozen({
      metadata: { name: 'a', labels: { app: 'web' } },
      spec: { containers: [{ name: 'main', ports: [{ containerPort: 80 }] }] },
      status: { podIP: '10.0.0.1', conditions: [{ type: 'Ready' }] },
    });
    assert.equal(decode(pod, podSchema).value, pod);
    const withNull = frozen({ ...pod, spec: { containers: [{ name: 'main', ports: null }] } });
    const decoded = decode(withNull, podSchema).value as typeof pod;
    assert.notEqual(decoded, withNull);
    assert.deepEqual(decoded.spec, { containers: [{ name: 'main' }] });
    assert.equal(decoded.metadata, pod.metadata);
    assert.equal(decoded.status, pod.status);
  });

  it('gives what a fresh copy along the schema gives, errors in the same order (property)', () => {
    fc.assert(
      fc.property(values, schemas, (value, schema) => {
        const expectedErrors: string[] = [];
        const expected = reference(value, schema, [], expectedErrors);
        const input = frozen(clone(value));
        const { value: decoded, errors } = decode(input, schema);
        assert.deepEqual(decoded, expected);
        assert.deepEqual(
          errors.map((e) => e.path.join('.')),
          expectedErrors,
        );
      }),
      { numRuns: 3000 },
    );
  });
});
