import { type FieldPath, formatFieldPath } from '../util/location.js';

/** The apiserver's `field.ErrorType`s, with the words it prints for them. */
export type FieldErrorType =
  | 'Required value'
  | 'Forbidden'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Duplicate value'
  | 'Too long'
  | 'Too many'
  | 'Unknown field';

/** A value as Go's `field.Error` prints it: strings quoted, integers bare, or pre-rendered text. */
export type ErrorValue = { readonly string: string } | { readonly int: number } | { readonly goSyntax: string };

export interface FieldError {
  readonly type: FieldErrorType;
  readonly path: FieldPath;
  readonly value?: ErrorValue;
  readonly detail: string;
  /** Where to point the reader when the path does not name a field (a rule on the whole object has no path). */
  readonly locateAt?: FieldPath;
}

export const required = (path: FieldPath, detail = ''): FieldError => ({ type: 'Required value', path, detail });
export const forbidden = (path: FieldPath, detail: string): FieldError => ({ type: 'Forbidden', path, detail });
export const duplicate = (path: FieldPath, value: string): FieldError => ({
  type: 'Duplicate value',
  path,
  value: { string: value },
  detail: '',
});
export const unknownField = (path: FieldPath): FieldError => ({ type: 'Unknown field', path, detail: '' });

export const invalid = (path: FieldPath, value: string | number | ErrorValue, detail: string): FieldError => ({
  type: 'Invalid value',
  path,
  value: typeof value === 'string' ? { string: value } : typeof value === 'number' ? { int: value } : value,
  detail,
});

/** `field.TooLong`: the value is left out, the limit counted in bytes as the API server words it. */
export const tooLong = (path: FieldPath, maxLength: number): FieldError => ({
  type: 'Too long',
  path,
  detail: `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`,
});

/** `field.TooMany`: a list (or an object's properties) with more items than allowed. */
export const tooMany = (path: FieldPath, actual: number, max: number): FieldError => ({
  type: 'Too many',
  path,
  value: { int: actual },
  detail: `must have at most ${max} ${max === 1 ? 'item' : 'items'}`,
});

export const notSupported = (path: FieldPath, value: string, supported: readonly string[]): FieldError => ({
  type: 'Unsupported value',
  path,
  value: { string: value },
  detail: `supported values: ${supported.map(goQuote).join(', ')}`,
});

/** Go's `%q` for the strings that occur in manifests. */
export const goQuote = (text: string): string => JSON.stringify(text);

function formatValue(value: ErrorValue): string {
  if ('string' in value) return goQuote(value.string);
  if ('int' in value) return String(value.int);
  return value.goSyntax;
}

/** The error types whose message never shows the value. */
const VALUELESS: ReadonlySet<FieldErrorType> = new Set(['Required value', 'Forbidden', 'Too long']);

/**
 * `spec.ingress[0].from[0]: Required value: must specify a peer`, exactly as
 * `field.Error.Error()` renders it. Unknown fields read as kubectl's strict
 * decoding does: `unknown field "spec.ingres"`.
 */
export function formatFieldError(error: FieldError): string {
  // Go prints a nil *field.Path, the path of a rule on the whole object, as `<nil>`.
  const path = error.path.length === 0 ? '<nil>' : formatFieldPath(error.path);
  if (error.type === 'Unknown field') return `unknown field ${goQuote(path)}`;
  const parts = [path, error.type];
  if (error.value !== undefined && !VALUELESS.has(error.type)) {
    parts.push(formatValue(error.value));
  }
  const head = parts.join(': ');
  return error.detail === '' ? head : `${head}: ${error.detail}`;
}
