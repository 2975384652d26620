/** Where something came from, for messages a person can act on. */
export interface Location {
  readonly file: string;
  /** 1-based; 0 when the object did not come from text (built in code). */
  readonly line: number;
  readonly column?: number;
}

export type FieldPath = readonly (string | number)[];

/**
 * Text from the input made safe to print on one line: control characters, line and paragraph
 * separators and bidirectional overrides are written as escapes, so a name or a file name cannot
 * start a line of its own or hide what follows it. Backslashes are left alone, so text escaped
 * once comes out of a second pass the same.
 */
export const printable = (text: string): string =>
  UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE_ALL, escapeCharacter) : text;

// C0 controls, DEL and C1 controls, U+2028/U+2029, and the bidi embeddings, overrides and isolates.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'g');
const SHORT_ESCAPES: Partial<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeCharacter(c: string): string {
  const code = c.charCodeAt(0);
  return SHORT_ESCAPES[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
}

/** `file:line`, the file name printable. */
export const formatLocation = (loc: Location): string =>
  loc.line > 0 ? `${printable(loc.file)}:${loc.line}` : printable(loc.file);

/** `spec.ingress[0].from[1]` */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
