/**
 * The scanner's fast lane for the lines that make up most Kubernetes YAML: "key: value", "key:"
 * opening a nested mapping, "- key: value" and the dedent that closes a block. When the parser
 * waits at such a place and no token is queued, these functions read the line and leave the
 * scanner exactly as the token machinery would after the parser took the same tokens (simple key
 * saved and resolved, indentation pushed or popped, token count), without making tokens.
 *
 * Each function declines, having done nothing but what the next fetch would do first anyway
 * (skipping blanks, comments and line breaks), whenever anything could differ: an unusual first
 * character, a pending simple key, the 1024-character or depth limits, a reader problem in the
 * text. The usual path then takes over.
 */

import { ASCII_CLASS, C_INDICATOR, CR, LF, LS, NEL, PS, SPACE, TAB } from './chars.js';
import { readPlainScalar } from './scan-plain.js';
import { MAX_DEPTH, SIMPLE_KEY_MAX_LENGTH, type Scanner } from './scanner.js';

export const FAST_NONE = 0;
export const FAST_PLAIN = 1;
export const FAST_MAP = 2;
export const FAST_LIST = 3;
export const FAST_QUOTED = 4;

/** Characters a fast-lane key may start with: letters, digits, '_', '.', '/', '$'. */
const KEY_START = asciiSet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./$');
/** Characters that end (or spoil) a fast-lane key: blanks, breaks, ':'. */
const KEY_STOP = asciiSet(' \t\n\r:');

function asciiSet(chars: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

/** No token queued, block context, nothing that would make go-yaml's reader fail. */
function ready(sc: Scanner): boolean {
  return sc.head === sc.tail && !sc.tokenAvailable && sc.readerProblem === null && sc.flowLevel === 0;
}

/**
 * Where a plain one-line key starting at `start` ends (at its ':', which is followed by a space or
 * a line break), or -1.
 */
function keyEnd(sc: Scanner, start: number, column: number): number {
  const text = sc.text;
  if (start >= sc.end) return -1;
  const first = text.charCodeAt(start);
  if (first >= 128 || KEY_START[first] === 0 || (column === 0 && first === 0x2e)) return -1;
  const limit = Math.min(sc.end, start + SIMPLE_KEY_MAX_LENGTH);
  for (let pos = start + 1; pos < limit; pos++) {
    const c = text.charCodeAt(pos);
    if (c >= 128) {
      if (c === NEL || c === LS || c === PS) return -1;
      continue;
    }
    if (KEY_STOP[c] === 0) continue;
    if (c !== 0x3a /* : */) return -1;
    const next = pos + 1 < sc.end ? text.charCodeAt(pos + 1) : 0;
    if (next === SPACE || next === LF || next === CR) return pos;
    if (next === 0 || next === TAB || next >= 128) return -1;
  }
  return -1;
}

/** Records the key as go-yaml's simple key (saved, then resolved by its ':') and moves past the ':'. */
function takeKey(sc: Scanner, start: number, colon: number, column: number, required: boolean): void {
  sc.skRequired[0] = required;
  sc.skToken[0] = sc.tokensParsed;
  sc.skPos[0] = start;
  sc.skColumn[0] = column;
  sc.simpleKeyAllowed = false;
  sc.pos = colon + 1;
  sc.fastStart = start;
  sc.fastEnd = colon;
  sc.fastColumn = column;
  sc.fastText = sc.lazyText ? '' : sc.slice(start, colon);
}

export const LINE_NONE = 0;
/** The block collection closes: one BLOCK_END of go-yaml's unroll_indent. */
export const LINE_DEDENT = 1;
/** "key:" at the block mapping's indentation: KEY, SCALAR and VALUE tokens. */
export const LINE_KEY = 2;
/** "- " at the block sequence's indentation: a BLOCK-ENTRY token; fastEnd is after the '-'. */
export const LINE_DASH = 3;

/** Where a block mapping waits for its next key: a dedent or a key (LINE_DEDENT, LINE_KEY). */
export function fastMappingLine(sc: Scanner): number {
  if (!ready(sc)) return LINE_NONE;
  sc.scanToNextToken();
  const start = sc.pos;
  if (start >= sc.end) return LINE_NONE;
  const column = sc.column(start);
  if (column < sc.indent) return dedent(sc);
  if (column !== sc.indent || !sc.simpleKeyAllowed || sc.skPossible[0]) return LINE_NONE;
  const colon = keyEnd(sc, start, column);
  if (colon < 0) return LINE_NONE;
  takeKey(sc, start, colon, column, true);
  sc.tokensParsed += 3;
  return LINE_KEY;
}

/** Where a block sequence waits for its next entry: a dedent or a dash (LINE_DEDENT, LINE_DASH). */
export function fastSequenceLine(sc: Scanner): number {
  if (!ready(sc)) return LINE_NONE;
  sc.scanToNextToken();
  const start = sc.pos;
  if (start >= sc.end) return LINE_NONE;
  const column = sc.column(start);
  if (column < sc.indent) return dedent(sc);
  return column === sc.indent && dash(sc, start, column) ? LINE_DASH : LINE_NONE;
}

function dedent(sc: Scanner): number {
  sc.indent = sc.indents.pop()!;
  sc.tokensParsed++;
  return LINE_DEDENT;
}

/** A '-' entry at `start` (the caller checked the column): go-yaml's fetch_block_entry without tokens. */
function dash(sc: Scanner, start: number, column: number): boolean {
  if (!sc.simpleKeyAllowed || sc.skPossible[0] || start + 1 >= sc.end) return false;
  const text = sc.text;
  const next = text.charCodeAt(start + 1);
  if (text.charCodeAt(start) !== 0x2d || (next !== SPACE && next !== LF && next !== CR)) return false;
  sc.pos = start + 1;
  sc.simpleKeyAllowed = true;
  sc.tokensParsed++;
  sc.fastStart = start;
  sc.fastEnd = start + 1;
  sc.fastColumn = column;
  return true;
}

/**
 * "key:" further in than the current indentation: the first key of a new block mapping
 * (BLOCK-MAPPING-START, KEY, SCALAR and VALUE tokens, and the indentation pushed).
 */
export function fastNestedKey(sc: Scanner): boolean {
  if (!ready(sc)) return false;
  sc.scanToNextToken();
  const start = sc.pos;
  const column = sc.column(start);
  if (column <= sc.indent || !sc.simpleKeyAllowed || sc.skPossible[0] || sc.indents.length >= MAX_DEPTH - 1) {
    return false;
  }
  const colon = keyEnd(sc, start, column);
  if (colon < 0) return false;
  takeKey(sc, start, colon, column, false);
  sc.indents.push(sc.indent);
  sc.indent = column;
  sc.tokensParsed += 4;
  return true;
}

/** "- " at the current indentation: an indentless sequence's entry (BLOCK-ENTRY token). */
export function fastDash(sc: Scanner): boolean {
  if (!ready(sc)) return false;
  sc.scanToNextToken();
  const start = sc.pos;
  return start < sc.end && sc.column(start) === sc.indent && dash(sc, start, sc.indent);
}

/**
 * "- " further in than the current indentation: the first entry of a new block sequence
 * (BLOCK-SEQUENCE-START and BLOCK-ENTRY tokens, and the indentation pushed).
 */
export function fastNestedDash(sc: Scanner): boolean {
  if (!ready(sc)) return false;
  sc.scanToNextToken();
  const start = sc.pos;
  const column = sc.column(start);
  if (column <= sc.indent || !sc.simpleKeyAllowed || sc.skPossible[0] || start + 1 >= sc.end) return false;
  if (sc.indents.length >= MAX_DEPTH - 1) return false;
  const text = sc.text;
  const next = text.charCodeAt(start + 1);
  if (text.charCodeAt(start) !== 0x2d || (next !== SPACE && next !== LF && next !== CR)) return false;
  sc.indents.push(sc.indent);
  sc.indent = column;
  sc.pos = start + 1;
  sc.simpleKeyAllowed = true;
  sc.tokensParsed += 2;
  sc.fastStart = start;
  sc.fastEnd = start + 1;
  sc.fastColumn = column;
  return true;
}

/**
 * Whether an indentless sequence ends here (the next token is not a '-' entry: a dedent, or a key
 * at the sequence's column). No token is taken.
 */
export function fastIndentlessEnd(sc: Scanner): boolean {
  if (!ready(sc)) return false;
  sc.scanToNextToken();
  const start = sc.pos;
  if (start >= sc.end) return false;
  const column = sc.column(start);
  if (column < sc.indent) return true;
  if (column > sc.indent) return false;
  const c = sc.text.charCodeAt(start);
  return c < 128 && KEY_START[c] === 1 && !(column === 0 && c === 0x2e);
}

/**
 * After a fast key's ':': the value, if it is a plain scalar on the same line (FAST_PLAIN, read like
 * any plain scalar, so it may run on over more lines) or an empty {} or [] (FAST_MAP, FAST_LIST).
 * Otherwise FAST_NONE, having only skipped blanks, comments and breaks.
 */
export function fastValue(sc: Scanner): number {
  const lineStart = sc.lineStart;
  sc.scanToNextToken();
  if (sc.lineStart !== lineStart) return FAST_NONE;
  const text = sc.text;
  const start = sc.pos;
  if (start >= sc.end) return FAST_NONE;
  const c = text.charCodeAt(start);
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
    if (start + 1 >= sc.end || text.charCodeAt(start + 1) !== (c === 0x7b ? 0x7d : 0x5d)) return FAST_NONE;
    // A flow collection opened and closed: one flow level in and out, no simple key saved.
    sc.fastColumn = sc.column(start);
    sc.fastStart = start;
    sc.fastEnd = start + 2;
    sc.pos = start + 2;
    sc.simpleKeyAllowed = false;
    sc.tokensParsed += 2;
    return c === 0x7b ? FAST_MAP : FAST_LIST;
  }
  if (c === 0x22 /* " */ || c === 0x27 /* ' */) return quotedLine(sc, start, c);
  if (c >= 128 || c <= SPACE || (ASCII_CLASS[c]! & C_INDICATOR) !== 0) return FAST_NONE;
  sc.fastColumn = sc.column(start);
  sc.fastStart = start;
  sc.tokensParsed += 1;
  if (!oneWordLine(sc, start)) {
    const value = readPlainScalar(sc);
    sc.fastEnd = sc.scalarEnd;
    sc.fastText = value ?? (sc.lazyText ? '' : sc.slice(start, sc.scalarEnd));
  }
  return FAST_PLAIN;
}

/**
 * A quoted value closed on the same line, with no escape (backslash, or '' in single quotes):
 * its text is then exactly what lies between the quotes. FAST_QUOTED, or FAST_NONE having changed
 * nothing.
 */
function quotedLine(sc: Scanner, start: number, quote: number): number {
  const text = sc.text;
  const end = sc.end;
  let pos = start + 1;
  for (; pos < end; pos++) {
    const c = text.charCodeAt(pos);
    if (c === quote) break;
    if (c === 0x5c /* \ */ || c === LF || c === CR || c === NEL || c === LS || c === PS) return FAST_NONE;
  }
  if (pos >= end || (quote === 0x27 && pos + 1 < end && text.charCodeAt(pos + 1) === 0x27)) return FAST_NONE;
  // go-yaml's fetch_flow_scalar after a ':' (no simple key may start there).
  sc.fastColumn = sc.column(start);
  sc.fastStart = start;
  sc.fastEnd = pos + 1;
  sc.fastText = sc.lazyText ? '' : sc.slice(start + 1, pos);
  sc.pos = pos + 1;
  sc.simpleKeyAllowed = false;
  sc.tokensParsed += 1;
  return FAST_QUOTED;
}

/** Characters that end a one-word plain value: blanks, breaks, ':' (maybe), anything not ASCII. */
const WORD_STOP = asciiSet(' \t\n\r:');

/**
 * The commonest plain value: one word, then the end of the line and a next line indented less
 * (so that the scalar cannot go on). Reads it as readPlainScalar would, leaving the scanner after
 * the next line's indentation; false, having changed nothing, for anything else.
 */
function oneWordLine(sc: Scanner, start: number): boolean {
  const text = sc.text;
  const end = sc.end;
  let pos = start + 1;
  let c = 0;
  for (; pos < end; pos++) {
    c = text.charCodeAt(pos);
    if (c >= 128) return false;
    if (WORD_STOP[c] === 0) continue;
    if (c !== 0x3a /* : */) break;
    const next = pos + 1 < end ? text.charCodeAt(pos + 1) : 0;
    if (next === 0 || next === SPACE || next === TAB || next === LF || next === CR || next >= 128) return false;
  }
  const contentEnd = pos;
  if (pos < end) {
    if (c === CR) pos += pos + 1 < end && text.charCodeAt(pos + 1) === LF ? 2 : 1;
    else if (c === LF) pos++;
    else return false;
    const lineStart = pos;
    while (pos < end && text.charCodeAt(pos) === SPACE) pos++;
    // The value may go on if the next line is indented more than the mapping, and past an empty
    // line, a tab or anything unusual: readPlainScalar decides those.
    if (pos < end) {
      const next = text.charCodeAt(pos);
      if (next === TAB || next === LF || next === CR || next >= 128 || pos - lineStart > sc.indent) return false;
    }
    sc.lineStart = lineStart;
    sc.simpleKeyAllowed = true;
  }
  sc.pos = pos;
  sc.scalarEnd = contentEnd;
  sc.fastEnd = contentEnd;
  sc.fastText = sc.lazyText ? '' : sc.slice(start, contentEnd);
  return true;
}
