/**
 * Character classes as go-yaml v2's scanner sees them, by UTF-16 code unit. go-yaml works on
 * UTF-8 bytes; every class it tests is ASCII except the line breaks NEL, LS and PS, so a code
 * unit test is exact.
 */

export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const NEL = 0x85;
export const LS = 0x2028;
export const PS = 0x2029;
export const BOM = 0xfeff;

/** Anchor, alias, tag-handle and directive-name characters: [0-9A-Za-z_-] (go-yaml's is_alpha). */
export const C_ALPHA = 1;
/** Characters allowed in a tag URI besides '%' escapes. */
export const C_URI = 2;
export const C_HEX = 4;
/** Characters that end a plain scalar inside a flow collection: , ? [ ] { } */
export const C_FLOW_END = 8;
/** Characters that cannot start a plain scalar (go-yaml's indicator list in fetch_next_token). */
export const C_INDICATOR = 16;

export const ASCII_CLASS = buildTable();

function buildTable(): Uint8Array {
  const table = new Uint8Array(128);
  const mark = (chars: string, flag: number): void => {
    for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= flag;
  };
  const digits = '0123456789';
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  mark(digits + letters + '_-', C_ALPHA);
  mark(digits + letters + "_-;/?:@&=+$,.!~*'()[]", C_URI);
  mark(digits + 'ABCDEFabcdef', C_HEX);
  mark(',?[]{}', C_FLOW_END);
  mark('-?:,[]{}#&*!|>\'"%@`', C_INDICATOR);
  return table;
}

/** go-yaml's is_break: CR, LF, NEL, LS, PS. */
export function isBreak(c: number): boolean {
  return c === LF || c === CR || (c > 0x7f && (c === NEL || c === LS || c === PS));
}

/** is_blankz with 0 standing for the end of input: space, tab, a break or the end. */
export function isBlankOrBreakOrEnd(c: number): boolean {
  return (
    c === SPACE || c === TAB || c === LF || c === CR || c === 0 || (c > 0x7f && (c === NEL || c === LS || c === PS))
  );
}

export function isAlpha(c: number): boolean {
  return c < 128 && (ASCII_CLASS[c]! & C_ALPHA) !== 0;
}

export function isHex(c: number): boolean {
  return c < 128 && (ASCII_CLASS[c]! & C_HEX) !== 0;
}

export function hexValue(c: number): number {
  if (c >= 0x61) return c - 0x61 + 10;
  if (c >= 0x41) return c - 0x41 + 10;
  return c - 0x30;
}
