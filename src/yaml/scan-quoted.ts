/**
 * Single- and double-quoted scalars, as go-yaml v2 scans them. Unlike plain scalars they have no
 * indentation rule at all: a continuation line may sit at any column, even the parent key's (the
 * Multus `config: '{ ... }'` layout kubectl accepts). Only a document marker at column 0 or the end
 * of the input stops one early.
 */

import { LF, LS, NEL, PS, SPACE, TAB, hexValue, isHex } from './chars.js';
import type { Scanner } from './scanner.js';
import { fold } from './scan-plain.js';
import { DOUBLE_QUOTED, SCALAR, SINGLE_QUOTED } from './tokens.js';

const SINGLE = 0x27;
const DOUBLE = 0x22;
const BACKSLASH = 0x5c;

export function scanQuotedScalar(sc: Scanner, single: boolean): void {
  const text = sc.text;
  const end = sc.end;
  const quote = single ? SINGLE : DOUBLE;
  const start = sc.pos;
  const startColumn = sc.column(start);
  let pos = start + 1;
  let value = '';
  let runStart = pos;

  for (;;) {
    if (sc.column(pos) === 0) {
      const c0 = sc.charAt(pos);
      if ((c0 === 0x2d || c0 === 0x2e) && sc.isDocumentIndicator(pos)) {
        sc.pos = pos;
        sc.fail('found unexpected document indicator');
      }
    }
    if (pos >= end) {
      sc.atEnd();
      sc.pos = pos;
      sc.fail('found unexpected end of stream');
    }

    let escapedBreak = false;
    let c = text.charCodeAt(pos);
    while (!(c === SPACE || c === TAB || c === 0 || isBreakCode(c))) {
      if (single) {
        if (c === SINGLE) {
          if (sc.charAt(pos + 1) !== SINGLE) break;
          value += text.slice(runStart, pos) + "'";
          pos += 2;
          runStart = pos;
          c = sc.charAt(pos);
          continue;
        }
      } else if (c === DOUBLE) {
        break;
      } else if (c === BACKSLASH) {
        const next = sc.charAt(pos + 1);
        value += text.slice(runStart, pos);
        if (isBreakCode(next)) {
          sc.pos = pos + 1;
          sc.consumeBreak();
          pos = sc.pos;
          runStart = pos;
          escapedBreak = true;
          break;
        }
        sc.pos = pos;
        value += escape(sc, next);
        pos = sc.pos;
        runStart = pos;
        c = sc.charAt(pos);
        continue;
      }
      c = ++pos < end ? text.charCodeAt(pos) : sc.atEnd();
    }
    c = sc.charAt(pos);
    if (c === quote) break;

    // Blanks and breaks between words: spaces are kept unless a break follows, breaks are folded.
    const blanksStart = pos;
    let leadingBlanks = escapedBreak;
    let leadingBreak = '';
    let trailingBreaks = '';
    while (c === SPACE || c === TAB || isBreakCode(c)) {
      if (c === SPACE || c === TAB) {
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
      c = sc.charAt(pos);
    }
    if (leadingBlanks) {
      if (!escapedBreak) value += text.slice(runStart, blanksStart);
      value += leadingBreak === '' ? trailingBreaks : fold(leadingBreak, trailingBreaks);
      runStart = pos;
    }
  }

  value = value === '' ? sc.slice(runStart, pos) : value + text.slice(runStart, pos);
  pos++;
  sc.pos = pos;
  sc.pushToken(SCALAR, start, pos, startColumn, value, null, single ? SINGLE_QUOTED : DOUBLE_QUOTED);
}

function isBreakCode(c: number): boolean {
  return c === LF || c === 0x0d || c === NEL || c === LS || c === PS;
}

const SIMPLE_ESCAPES: Record<number, string> = {
  0x30: '\0',
  0x61: '\x07',
  0x62: '\b',
  0x74: '\t',
  0x09: '\t',
  0x6e: '\n',
  0x76: '\v',
  0x66: '\f',
  0x72: '\r',
  0x65: '\x1b',
  0x20: ' ',
  0x22: '"',
  0x27: "'",
  0x5c: '\\',
  0x4e: '\x85',
  0x5f: '\xa0',
  0x4c: '\u2028',
  0x50: '\u2029',
};

/** Decodes the escape whose backslash is at sc.pos (followed by `letter`) and moves past it. */
function escape(sc: Scanner, letter: number): string {
  const simple = SIMPLE_ESCAPES[letter];
  if (simple !== undefined) {
    sc.pos += 2;
    return simple;
  }
  const digits = letter === 0x78 /* x */ ? 2 : letter === 0x75 /* u */ ? 4 : letter === 0x55 /* U */ ? 8 : 0;
  if (digits === 0) sc.fail('found unknown escape character');
  sc.pos += 2;
  let code = 0;
  for (let k = 0; k < digits; k++) {
    const c = sc.charAt(sc.pos + k);
    if (!isHex(c)) sc.fail('did not find expected hexdecimal number');
    code = code * 16 + hexValue(c);
  }
  if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) sc.fail('found invalid Unicode character escape code');
  sc.pos += digits;
  return String.fromCodePoint(code);
}
