import type { PositionNode } from './positions.js';

/**
 * Positions in JSON text that JSON.parse has already accepted: a scan that
 * skips strings by searching for quotes and records nodes down to `depth`
 * levels below the value at `start`. Values deeper than that are skipped
 * without recursion, so a hostile nesting cannot exhaust the stack.
 */
export function jsonPositions(text: string, start: number, depth: number): PositionNode | undefined {
  const scanner = new JSONScanner(text, Math.min(depth, MAX_RECORDED_DEPTH));
  const at = scanner.skipSpace(start);
  return at < text.length ? scanner.node(at, 0) : undefined;
}

/** Where the JSON value starting at `start` ends (just after it), or undefined if it does not end. */
export function jsonValueEnd(text: string, start: number): number | undefined {
  const end = new JSONScanner(text, 0).skipValue(start);
  return end <= text.length ? end : undefined;
}

const MAX_RECORDED_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

class JSONScanner {
  private readonly lineStart: (offset: number) => number;

  constructor(
    private readonly text: string,
    private readonly depth: number,
  ) {
    this.lineStart = (offset) => text.lastIndexOf('\n', offset - 1) + 1;
  }

  node(start: number, level: number): PositionNode {
    const code = this.text.charCodeAt(start);
    const column = start - this.lineStart(start);
    if (level >= this.depth || (code !== OPEN_BRACE && code !== OPEN_BRACKET)) {
      return { start, end: this.skipValue(start), column };
    }
    const children = new Map<string | number, PositionNode>();
    const close = code === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
    let at = this.skipSpace(start + 1);
    for (let index = 0; at < this.text.length && this.text.charCodeAt(at) !== close; index++) {
      let keyStart: number | undefined;
      let key: string | number = index;
      if (code === OPEN_BRACE) {
        keyStart = at;
        const keyEnd = this.skipString(at);
        key = JSON.parse(this.text.slice(at, keyEnd)) as string;
        at = this.skipSpace(keyEnd);
        if (this.text.charCodeAt(at) === COLON) at = this.skipSpace(at + 1);
      }
      const child = this.node(at, level + 1);
      children.set(key, keyStart === undefined ? child : { ...child, keyStart });
      at = this.skipSpace(child.end);
      if (this.text.charCodeAt(at) === COMMA) at = this.skipSpace(at + 1);
    }
    return { start, end: at + 1, column, children };
  }

  /** The offset just after the value at `start`, counting brackets without recursion. */
  skipValue(start: number): number {
    let open = 0;
    let at = start;
    while (at < this.text.length) {
      const code = this.text.charCodeAt(at);
      if (code === QUOTE) {
        at = this.skipString(at);
        if (open === 0) return at;
        continue;
      }
      if (code === OPEN_BRACE || code === OPEN_BRACKET) open++;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (open === 0) return at;
        if (--open === 0) return at + 1;
      } else if (open === 0 && (code === COMMA || isSpace(code))) return at;
      at++;
    }
    return at;
  }

  skipString(start: number): number {
    let at = start + 1;
    for (;;) {
      const quote = this.text.indexOf('"', at);
      if (quote === -1) return this.text.length;
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
      at = quote + 1;
    }
  }

  skipSpace(start: number): number {
    let at = start;
    while (at < this.text.length && isSpace(this.text.charCodeAt(at))) at++;
    return at;
  }
}

const isSpace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
