import { type FieldPath, formatFieldPath } from '../model/source.js';

/** The apiserver's `field.ErrorType`s, with the words it prints for them. */
export type FieldErrorType =
  'Required value' | 'Forbidden' | 'Invalid value' | 'Unsupported value' | 'Duplicate value' | 'Unknown field';

/** A value as Go's `field.Error` prints it: strings quoted, integers bare, or pre-rendered text. */
export type ErrorValue = { readonly string: string } | { readonly int: number } | { readonly goSyntax: string };

export interface FieldError {
  readonly type: FieldErrorType;
  readonly path: FieldPath;
  readonly value?: ErrorValue;
  readonly detail: string;
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

/**
 * `spec.ingress[0].from[0]: Required value: must specify a peer`, exactly as
 * `field.Error.Error()` renders it. Unknown fields read as kubectl's strict
 * decoding does: `unknown field "spec.ingres"`.
 */
export function formatFieldError(error: FieldError): string {
  const path = formatFieldPath(error.path);
  if (error.type === 'Unknown field') return `unknown field ${goQuote(path)}`;
  const parts = [path, error.type];
  if (error.value !== undefined && error.type !== 'Required value' && error.type !== 'Forbidden') {
    parts.push(formatValue(error.value));
  }
  const head = parts.join(': ');
  return error.detail === '' ? head : `${head}: ${error.detail}`;
}
