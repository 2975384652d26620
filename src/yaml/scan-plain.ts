/**
 * Plain (unquoted) scalars, as go-yaml v2 scans them: a scalar ends at ': ', at ' #', at a line
 * break followed by a less indented line (block context), at a flow indicator (flow context) or at
 * a document marker; its lines are folded (one break becomes a space, n breaks n-1 newlines).
 *
 * The hot path: most scalars are one line, and then the value is a slice of the text. Multi-line
 * scalars are assembled from slices, never character by character.
 */

import { ASCII_CLASS, C_FLOW_END, CR, LF, LS, NEL, PS, SPACE, TAB, isBlankOrBreakOrEnd } from './chars.js';
import type { Scanner } from './scanner.js';
import { PLAIN, SCALAR } from './tokens.js';

const COLON = 0x3a;
const HASH = 0x23;

/** Per ASCII code: 1 where the character (possibly) ends a run of plain-scalar content. */
const BLOCK_STOP = stopTable(false);
const FLOW_STOP = stopTable(true);

function stopTable(flow: boolean): Uint8Array {
  const table = new Uint8Array(128);
  table[0] = 1;
  table[SPACE] = 1;
  table[TAB] = 1;
  table[LF] = 1;
  table[CR] = 1;
  table[COLON] = 1;
  if (flow) for (let c = 0; c < 128; c++) if (ASCII_CLASS[c]! & C_FLOW_END) table[c] = 1;
  return table;
}

/** Scans a plain scalar and queues its token; true if it is one line and its value still unset. */
export function scanPlainScalar(sc: Scanner): boolean {
  const start = sc.pos;
  const column = sc.column(start);
  const value = readPlainScalar(sc);
  sc.pushToken(SCALAR, start, sc.scalarEnd, column, value, null, PLAIN);
  return value === null;
}

/**
 * Reads a plain scalar from sc.pos, leaving the scanner after it (and after the blanks and breaks
 * that follow it). Returns the folded value of a multi-line scalar, or null for a one-line one
 * (its value is then text[start, sc.scalarEnd)).
 */
export function readPlainScalar(sc: Scanner): string | null {
  const text = sc.text;
  const end = sc.end;
  const flow = sc.flowLevel > 0;
  const stop = flow ? FLOW_STOP : BLOCK_STOP;
  const indent = sc.indent + 1;
  const start = sc.pos;

  let pos = start;
  let contentEnd = start;
  let value = '';
  /** Start of the run of text not yet copied into value (content and inner spaces, verbatim). */
  let runStart = start;
  let leadingBlanks = false;
  let leadingBreak = '';
  let trailingBreaks = '';
  let folded = false;

  for (;;) {
    if (leadingBlanks && sc.column(pos) === 0) {
      const c0 = pos < end ? text.charCodeAt(pos) : sc.atEnd();
      if ((c0 === 0x2d || c0 === 0x2e) && sc.isDocumentIndicator(pos)) break;
    }
    let c = pos < end ? text.charCodeAt(pos) : sc.atEnd();
    if (c === HASH) break;

    const lineContent = pos;
    for (;;) {
      if (c < 128) {
        if (stop[c] === 1) {
          if (c !== COLON || isBlankOrBreakOrEnd(pos + 1 < end ? text.charCodeAt(pos + 1) : sc.atEnd())) break;
        }
      } else if (c === NEL || c === LS || c === PS) {
        break;
      }
      c = ++pos < end ? text.charCodeAt(pos) : sc.atEnd();
    }
    if (pos > lineContent) {
      if (leadingBlanks) {
        value += text.slice(runStart, contentEnd) + fold(leadingBreak, trailingBreaks);
        leadingBreak = trailingBreaks = '';
        leadingBlanks = false;
        runStart = lineContent;
        folded = true;
      }
      contentEnd = pos;
    }

    if (!(c === SPACE || c === TAB || c === LF || c === CR || c === NEL || c === LS || c === PS)) break;
    while (c === SPACE || c === TAB || c === LF || c === CR || c === NEL || c === LS || c === PS) {
      if (c === SPACE || c === TAB) {
        if (leadingBlanks && c === TAB && sc.column(pos) < indent) {
          sc.pos = pos;
          sc.fail('found a tab character that violates indentation');
        }
        pos++;
      } else {
        sc.pos = pos;
        if (!leadingBlanks) {
          leadingBreak = sc.consumeBreak();
          leadingBlanks = true;
        } else {
          trailingBreaks += sc.consumeBreak();
        }
        pos = sc.pos;
      }
      c = pos < end ? text.charCodeAt(pos) : sc.atEnd();
    }
    if (!flow && sc.column(pos) < indent) break;
  }

  sc.pos = pos;
  sc.scalarEnd = contentEnd;
  if (leadingBlanks) sc.simpleKeyAllowed = true;
  return folded ? value + text.slice(runStart, contentEnd) : null;
}

/** How go-yaml joins the lines of a plain or quoted scalar across line breaks. */
export function fold(leadingBreak: string, trailingBreaks: string): string {
  if (leadingBreak === '\n') return trailingBreaks === '' ? ' ' : trailingBreaks;
  return leadingBreak + trailingBreaks;
}
