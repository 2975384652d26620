/**
 * Literal (|) and folded (>) block scalars, as go-yaml v2 scans them: the header's chomping (+ -)
 * and indentation (1-9) indicators, content indentation detected from the first non-empty line
 * (at least one more than the parent's), and folding that keeps more-indented lines as they are.
 */

import { LF, SPACE, TAB, isBreak } from './chars.js';
import type { Scanner } from './scanner.js';
import { FOLDED, LITERAL, SCALAR } from './tokens.js';

const PLUS = 0x2b;
const MINUS = 0x2d;
const ZERO = 0x30;
const HASH = 0x23;

export function scanBlockScalar(sc: Scanner, literal: boolean): void {
  const start = sc.pos;
  const startColumn = sc.column(start);

  let chomping = 0;
  let increment = 0;
  let pos = start + 1;
  let c = sc.charAt(pos);
  if (c === PLUS || c === MINUS) {
    chomping = c === PLUS ? 1 : -1;
    c = sc.charAt(++pos);
    if (isDigit(c)) {
      increment = indentationIndicator(sc, pos, c);
      c = sc.charAt(++pos);
    }
  } else if (isDigit(c)) {
    increment = indentationIndicator(sc, pos, c);
    c = sc.charAt(++pos);
    if (c === PLUS || c === MINUS) {
      chomping = c === PLUS ? 1 : -1;
      c = sc.charAt(++pos);
    }
  }
  while (c === SPACE || c === TAB) c = sc.charAt(++pos);
  if (c === HASH) while (c !== 0 && !isBreak(c)) c = sc.charAt(++pos);
  sc.pos = pos;
  if (c !== 0 && !isBreak(c)) sc.fail('did not find expected comment or line break');
  if (c !== 0) sc.consumeBreak();

  const breaks = new BlockBreaks(sc);
  if (increment > 0) breaks.indent = sc.indent >= 0 ? sc.indent + increment : increment;
  breaks.scan();

  const text = sc.text;
  let value = '';
  let leadingBreak = '';
  let leadingBlank = false;
  while (sc.column(sc.pos) === breaks.indent && sc.pos < sc.end) {
    pos = sc.pos;
    c = text.charCodeAt(pos);
    const trailingBlank = c === SPACE || c === TAB;
    if (!literal && !leadingBlank && !trailingBlank && leadingBreak.charCodeAt(0) === LF) {
      if (breaks.trailing === '') value += ' ';
    } else {
      value += leadingBreak;
    }
    value += breaks.trailing;
    breaks.trailing = '';
    leadingBlank = trailingBlank;

    const lineStart = pos;
    while (c !== 0 && !isBreak(c)) c = sc.charAt(++pos);
    value += text.slice(lineStart, pos);
    sc.pos = pos;
    leadingBreak = c !== 0 ? sc.consumeBreak() : '';
    breaks.scan();
  }
  if (sc.pos >= sc.end) sc.atEnd();

  if (chomping !== -1) value += leadingBreak;
  if (chomping === 1) value += breaks.trailing;
  // It ends, as go-yaml's mark does, after the last line break it took.
  sc.pushToken(SCALAR, start, breaks.endMark, startColumn, value, null, literal ? LITERAL : FOLDED);
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= ZERO + 9;
}

function indentationIndicator(sc: Scanner, pos: number, c: number): number {
  if (c === ZERO) {
    sc.pos = pos;
    sc.fail('found an indentation indicator equal to 0');
  }
  return c - ZERO;
}

/**
 * go-yaml's scan_block_scalar_breaks: skips the indentation and empty lines before a content line,
 * collecting the breaks, and settles the content indentation on the first call if the header gave
 * none.
 */
class BlockBreaks {
  indent = 0;
  trailing = '';
  /** go-yaml's end mark: after the last line break taken. */
  endMark = 0;

  constructor(private readonly sc: Scanner) {}

  scan(): void {
    const sc = this.sc;
    let maxIndent = 0;
    this.endMark = sc.pos;
    for (;;) {
      let c = sc.charAt(sc.pos);
      while ((this.indent === 0 || sc.column(sc.pos) < this.indent) && c === SPACE) c = sc.charAt(++sc.pos);
      const column = sc.column(sc.pos);
      if (column > maxIndent) maxIndent = column;
      if ((this.indent === 0 || column < this.indent) && c === TAB) {
        sc.fail('found a tab character where an indentation space is expected');
      }
      if (!isBreak(c)) break;
      this.trailing += sc.consumeBreak();
      this.endMark = sc.pos;
    }
    if (this.indent === 0) {
      this.indent = Math.max(maxIndent, sc.indent + 1, 1);
    }
  }
}
