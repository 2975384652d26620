/**
 * The tokenizer, following go-yaml v2.4's scanner (libyaml's algorithm) rule for rule, because its
 * quirks are what kubectl accepts: simple keys (a key is only known to be one when its ':' comes,
 * and must sit on one line within 1024 characters), the indentation stack that turns columns into
 * BLOCK-MAPPING-START / BLOCK-END tokens, flow levels, and where tabs count as whitespace.
 *
 * Tokens live in a small queue of recycled objects. The parser pulls them with peek()/skip(); the
 * scanner runs only as far as the parser needs, so, like go-yaml, it stops one token after the
 * first document. The commonest lines skip tokens altogether (fast-lane.ts).
 *
 * Positions are UTF-16 indexes into the whole text. go-yaml counts columns and the 1024-character
 * limit in code points; the two differ only around characters outside the BMP, which `astral` flags.
 * Line numbers are only needed for error messages, so they are counted then (lineAt).
 */

import { CR, LF, LS, NEL, PS, SPACE, TAB, isBlankOrBreakOrEnd, isBreak } from './chars.js';
import { YamlFailure, scannerFailure } from './errors.js';
import type { InputCheck, ReaderProblem } from './input.js';
import { scanBlockScalar } from './scan-block.js';
import { scanPlainScalar } from './scan-plain.js';
import { scanQuotedScalar } from './scan-quoted.js';
import { scanAnchor, scanDirective, scanTag } from './scan-tag.js';
import {
  ALIAS,
  ANCHOR,
  BLOCK_END,
  BLOCK_ENTRY,
  BLOCK_MAPPING_START,
  BLOCK_SEQUENCE_START,
  DOCUMENT_END,
  DOCUMENT_START,
  FLOW_ENTRY,
  FLOW_MAPPING_END,
  FLOW_MAPPING_START,
  FLOW_SEQUENCE_END,
  FLOW_SEQUENCE_START,
  KEY,
  STREAM_END,
  STREAM_START,
  VALUE,
} from './tokens.js';

/** go-yaml's max_flow_level and max_indents. */
export const MAX_DEPTH = 10000;
/** How far (in characters) a simple key may run before its ':' (go-yaml: mark.index + 1024). */
export const SIMPLE_KEY_MAX_LENGTH = 1024;
const STRING_CACHE_SIZE = 4096;

export class Token {
  type = 0;
  start = 0;
  end = 0;
  /** go-yaml's column of `start`. */
  column = 0;
  /** Scalar value, anchor or alias name, tag handle, %TAG handle. */
  value: string | null = null;
  /** Tag suffix, %TAG prefix. */
  suffix: string | null = null;
  /** Scalar style; for %YAML, major * 1000 + minor. */
  style = 0;
}

export class Scanner {
  readonly text: string;
  /** Current position (go-yaml's mark). */
  pos: number;
  /** Where reading stops: the end of the range, or earlier where go-yaml's reader would fail. */
  readonly end: number;
  readonly readerProblem: ReaderProblem | null;
  readonly astral: boolean;
  /** Where the range starts (line numbers count from here). */
  private readonly rangeStart: number;
  /** Where the current line starts (for the first line of a sub-range: before the range). */
  lineStart: number;
  /** go-yaml moves its mark to a new line at the end of a stream whose last line has no break. */
  private streamEndLineBump = 0;

  // The token queue; tokens are recycled once the parser has taken them.
  readonly tokens: Token[] = [];
  private readonly spare: Token[] = [];
  head = 0;
  tail = 0;
  tokensParsed = 0;
  tokenAvailable = false;
  private streamStartProduced = false;
  streamEndProduced = false;

  /** Where the last plain scalar read ends (readPlainScalar's second result). */
  scalarEnd = 0;

  // The fast lane's results (fast-lane.ts).
  fastStart = 0;
  fastEnd = 0;
  fastColumn = 0;
  /** The scalar's text; '' under lazyText, when a plain or quoted scalar's text is unmade (see compose.ts). */
  fastText = '';
  /** Set while the composer discards a value: the fast lane then makes no strings for scalars. */
  lazyText = false;

  /** Recently sliced short strings, so that repeated keys and values share one string. */
  private readonly strings: (string | undefined)[] = new Array(STRING_CACHE_SIZE);

  flowLevel = 0;
  /** The current block indentation column; -1 before the first block collection. */
  indent = -1;
  readonly indents: number[] = [];
  simpleKeyAllowed = false;

  // Possible simple keys, one per flow level (level 0 is the block context).
  readonly skPossible: boolean[] = [];
  readonly skRequired: boolean[] = [];
  readonly skToken: number[] = [];
  readonly skPos: number[] = [];
  readonly skColumn: number[] = [];
  /**
   * go-yaml v2.4's simple_keys_by_tok: token number -> flow level of the key saved for it. Entries
   * are added and removed exactly where go-yaml does (including the stale ones it leaves), since
   * which token the parser may take first, and so which error comes first, depends on them.
   */
  private readonly keysByToken = new KeysByToken();

  // Column counting for texts with surrogate pairs: pairs counted on the current line so far.
  private pairsLineStart = -1;
  private pairsUpTo = 0;
  private pairsCount = 0;

  constructor(text: string, start: number, input: InputCheck, startColumn: number) {
    this.text = text;
    this.pos = start;
    this.end = input.limit;
    this.readerProblem = input.problem;
    this.astral = input.astral;
    this.rangeStart = start;
    this.lineStart = start - startColumn;
  }

  // ---------------------------------------------------------------- reading helpers

  /** The character at i, 0 at the end; reaching the reader's failure point reports it. */
  charAt(i: number): number {
    return i < this.end ? this.text.charCodeAt(i) : this.atEnd();
  }

  /** Called whenever reading reaches `end`: the true end (0, go-yaml's NUL) or the reader's failure. */
  atEnd(): number {
    const problem = this.readerProblem;
    if (problem !== null) throw new YamlFailure('reader', problem.message, problem.offset);
    return 0;
  }

  /** go-yaml's mark.column of position p on the current line: code points since the line start. */
  column(p: number): number {
    const col = p - this.lineStart;
    if (!this.astral) return col;
    return col - this.pairsBefore(p);
  }

  private pairsBefore(p: number): number {
    const from = Math.max(this.lineStart, 0);
    if (this.pairsLineStart !== this.lineStart || p < this.pairsUpTo) {
      this.pairsLineStart = this.lineStart;
      this.pairsUpTo = from;
      this.pairsCount = 0;
    }
    const text = this.text;
    for (let i = this.pairsUpTo; i < p; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xdc00 && c <= 0xdfff && i > from) {
        const prev = text.charCodeAt(i - 1);
        if (prev >= 0xd800 && prev <= 0xdbff) this.pairsCount++;
      }
    }
    this.pairsUpTo = p;
    return this.pairsCount;
  }

  /** go-yaml's mark.index difference between two positions (code points). */
  private distance(from: number, to: number): number {
    const units = to - from;
    if (!this.astral || units <= SIMPLE_KEY_MAX_LENGTH) return units;
    let pairs = 0;
    const text = this.text;
    for (let i = from + 1; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xdc00 && c <= 0xdfff) {
        const prev = text.charCodeAt(i - 1);
        if (prev >= 0xd800 && prev <= 0xdbff) pairs++;
      }
    }
    return units - pairs;
  }

  /** Consumes the line break at pos (CR LF counts as one) and returns it as go-yaml's read_line does. */
  consumeBreak(): string {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    let folded = '\n';
    if (c === CR) {
      this.pos += this.charAt(this.pos + 1) === LF ? 2 : 1;
    } else {
      if (c === LS || c === PS) folded = c === LS ? '\u2028' : '\u2029';
      this.pos++;
    }
    this.lineStart = this.pos;
    return folded;
  }

  /** text[start, end), the same string object as last time for short repeated texts. */
  slice(start: number, end: number): string {
    const length = end - start;
    const text = this.text;
    if (length > 32 || length === 0) return text.slice(start, end);
    const first = text.charCodeAt(start);
    const last = text.charCodeAt(end - 1);
    const middle = text.charCodeAt(start + (length >> 1));
    const slot =
      (Math.imul(length * 1031 + first * 131 + middle * 17 + last, 0x9e3779b1) >>> 20) & (STRING_CACHE_SIZE - 1);
    const known = this.strings[slot];
    if (known !== undefined && known.length === length) {
      // A loop: String.prototype.startsWith costs more than the comparison itself at these lengths.
      let i = 0;
      while (i < length && known.charCodeAt(i) === text.charCodeAt(start + i)) i++;
      if (i === length) return known;
    }
    const fresh = text.slice(start, end);
    this.strings[slot] = fresh;
    return fresh;
  }

  /** go-yaml's 0-based line of a position: line breaks since the range start (CR LF counts once). */
  lineAt(offset: number): number {
    const text = this.text;
    let line = 0;
    for (let i = this.rangeStart; i < offset; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || c === NEL || c === LS || c === PS) line++;
      else if (c === CR) {
        line++;
        if (i + 1 < offset && text.charCodeAt(i + 1) === LF) i++;
      }
    }
    return offset >= this.pos ? line + this.streamEndLineBump : line;
  }

  fail(message: string): never {
    throw scannerFailure(message, this.pos, this.lineAt(this.pos));
  }

  // ---------------------------------------------------------------- the parser's side

  /** The next token, scanning as far as go-yaml would to decide it. Valid until skip(). */
  peek(): Token {
    if (!this.tokenAvailable) this.fetchMoreTokens();
    return this.tokens[this.head]!;
  }

  skip(): void {
    this.tokenAvailable = false;
    this.tokensParsed++;
    const token = this.tokens[this.head]!;
    if (token.type === STREAM_END) this.streamEndProduced = true;
    this.spare.push(token);
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  // ---------------------------------------------------------------- the token queue

  private newToken(type: number, start: number, end: number, column: number): Token {
    const token = this.spare.length > 0 ? this.spare.pop()! : new Token();
    token.type = type;
    token.start = start;
    token.end = end;
    token.column = column;
    token.value = null;
    token.suffix = null;
    token.style = 0;
    return token;
  }

  pushToken(
    type: number,
    start: number,
    end: number,
    column: number,
    value: string | null,
    suffix: string | null,
    style: number,
  ): void {
    const token = this.newToken(type, start, end, column);
    token.value = value;
    token.suffix = suffix;
    token.style = style;
    this.tokens[this.tail++] = token;
  }

  /**
   * Inserts a bare token `at` places after the head, or appends it when `at` is negative: go-yaml's
   * yaml_insert_token, which also appends when a simple key's token was already taken by the parser.
   */
  private insertToken(at: number, type: number, pos: number, column: number): void {
    const token = this.newToken(type, pos, pos, column);
    const tokens = this.tokens;
    const index = at < 0 ? this.tail : this.head + at;
    for (let i = this.tail; i > index; i--) tokens[i] = tokens[i - 1]!;
    tokens[index] = token;
    this.tail++;
  }

  private markToken(type: number): void {
    const pos = this.pos;
    this.tokens[this.tail++] = this.newToken(type, pos, pos, this.column(pos));
  }

  /** A one-character indicator token: '[', ']', ',', '-', '?', ':' and their kin. */
  private indicatorToken(type: number): void {
    const pos = this.pos;
    this.tokens[this.tail++] = this.newToken(type, pos, pos + 1, this.column(pos));
    this.pos = pos + 1;
  }

  // ---------------------------------------------------------------- fetching

  private fetchMoreTokens(): void {
    const keys = this.keysByToken;
    for (;;) {
      if (this.head !== this.tail) {
        const level = keys.get(this.tokensParsed);
        if (level < 0 || !this.simpleKeyIsValid(level)) break;
      }
      this.fetchNextToken();
    }
    this.tokenAvailable = true;
  }

  private fetchNextToken(): void {
    if (this.pos >= this.end) this.atEnd();
    if (!this.streamStartProduced) {
      this.fetchStreamStart();
      return;
    }
    this.scanToNextToken();
    const pos = this.pos;
    const column = this.column(pos);
    if (this.flowLevel === 0) this.unrollIndent(column);
    // go-yaml makes sure four characters are decoded here.
    if (this.readerProblem !== null && pos + 4 > this.end) this.atEnd();
    if (pos >= this.end) {
      this.fetchStreamEnd();
      return;
    }
    const text = this.text;
    const c = text.charCodeAt(pos);
    if (column === 0) {
      if (c === 0x25 /* % */) {
        this.fetchDirective();
        return;
      }
      if ((c === 0x2d /* - */ || c === 0x2e) /* . */ && this.isDocumentIndicator(pos)) {
        this.fetchDocumentIndicator(c === 0x2d ? DOCUMENT_START : DOCUMENT_END);
        return;
      }
    }
    const next = pos + 1 < this.end ? text.charCodeAt(pos + 1) : this.atEnd();
    switch (c) {
      case 0x5b /* [ */:
        return this.fetchFlowCollectionStart(FLOW_SEQUENCE_START);
      case 0x7b /* { */:
        return this.fetchFlowCollectionStart(FLOW_MAPPING_START);
      case 0x5d /* ] */:
        return this.fetchFlowCollectionEnd(FLOW_SEQUENCE_END);
      case 0x7d /* } */:
        return this.fetchFlowCollectionEnd(FLOW_MAPPING_END);
      case 0x2c /* , */:
        return this.fetchFlowEntry();
      case 0x2d /* - */:
        if (isBlankOrBreakOrEnd(next)) return this.fetchBlockEntry();
        return this.fetchPlainScalar();
      case 0x3f /* ? */:
        if (this.flowLevel > 0 || isBlankOrBreakOrEnd(next)) return this.fetchKey();
        return this.fetchPlainScalar();
      case 0x3a /* : */:
        if (this.flowLevel > 0 || isBlankOrBreakOrEnd(next)) return this.fetchValue();
        return this.fetchPlainScalar();
      case 0x2a /* * */:
        return this.fetchAnchor(ALIAS);
      case 0x26 /* & */:
        return this.fetchAnchor(ANCHOR);
      case 0x21 /* ! */:
        return this.fetchTag();
      case 0x7c /* | */:
      case 0x3e /* > */:
        if (this.flowLevel === 0) return this.fetchBlockScalar(c === 0x7c);
        break;
      case 0x27 /* ' */:
      case 0x22 /* " */:
        return this.fetchFlowScalar(c === 0x27);
      case 0x23 /* # */:
      case 0x25 /* % */:
      case 0x40 /* @ */:
      case 0x60 /* ` */:
      case SPACE:
      case TAB:
      case LF:
      case CR:
        break;
      default:
        if (c === NEL || c === LS || c === PS) break;
        return this.fetchPlainScalar();
    }
    this.fail('found character that cannot start any token');
  }

  /** '---' or '...' followed by a blank, a break or the end (the caller checked column 0). */
  isDocumentIndicator(pos: number): boolean {
    const c = this.text.charCodeAt(pos);
    return this.charAt(pos + 1) === c && this.charAt(pos + 2) === c && isBlankOrBreakOrEnd(this.charAt(pos + 3));
  }

  /** Skips spaces, comments and line breaks; tabs only where go-yaml allows them. */
  scanToNextToken(): void {
    const text = this.text;
    const end = this.end;
    for (;;) {
      let pos = this.pos;
      let c = pos < end ? text.charCodeAt(pos) : 0;
      const tabs = this.flowLevel > 0 || !this.simpleKeyAllowed;
      while (c === SPACE || (c === TAB && tabs)) c = ++pos < end ? text.charCodeAt(pos) : 0;
      if (c === 0x23 /* # */) {
        while (c !== 0 && !isBreak(c)) c = ++pos < end ? text.charCodeAt(pos) : 0;
      }
      this.pos = pos;
      if (c === 0 || !isBreak(c)) break;
      this.consumeBreak();
      if (this.flowLevel === 0) this.simpleKeyAllowed = true;
    }
    if (this.pos >= end) this.atEnd();
  }

  private fetchStreamStart(): void {
    this.indent = -1;
    this.pushSimpleKeyLevel();
    this.simpleKeyAllowed = true;
    this.streamStartProduced = true;
    this.markToken(STREAM_START);
  }

  private fetchStreamEnd(): void {
    // go-yaml moves the mark to a new line if the last one has no break.
    if (this.column(this.pos) !== 0) {
      this.streamEndLineBump = 1;
      this.lineStart = this.pos;
    }
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    this.markToken(STREAM_END);
  }

  private fetchDirective(): void {
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    scanDirective(this);
  }

  private fetchDocumentIndicator(type: number): void {
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    const pos = this.pos;
    this.pushToken(type, pos, pos + 3, 0, null, null, 0);
    this.pos = pos + 3;
  }

  private fetchFlowCollectionStart(type: number): void {
    this.saveSimpleKey();
    this.increaseFlowLevel();
    this.simpleKeyAllowed = true;
    this.indicatorToken(type);
  }

  private fetchFlowCollectionEnd(type: number): void {
    this.removeSimpleKey();
    this.decreaseFlowLevel();
    this.simpleKeyAllowed = false;
    this.indicatorToken(type);
  }

  private fetchFlowEntry(): void {
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    this.indicatorToken(FLOW_ENTRY);
  }

  private fetchBlockEntry(): void {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) this.fail('block sequence entries are not allowed in this context');
      const column = this.column(this.pos);
      this.rollIndent(column, -1, BLOCK_SEQUENCE_START, this.pos, column);
    }
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    this.indicatorToken(BLOCK_ENTRY);
  }

  private fetchKey(): void {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) this.fail('mapping keys are not allowed in this context');
      const column = this.column(this.pos);
      this.rollIndent(column, -1, BLOCK_MAPPING_START, this.pos, column);
    }
    this.removeSimpleKey();
    this.simpleKeyAllowed = this.flowLevel === 0;
    this.indicatorToken(KEY);
  }

  private fetchValue(): void {
    const level = this.flowLevel;
    if (this.simpleKeyIsValid(level)) {
      const token = this.skToken[level]!;
      const keyPos = this.skPos[level]!;
      const keyColumn = this.skColumn[level]!;
      this.insertToken(token - this.tokensParsed, KEY, keyPos, keyColumn);
      this.rollIndent(keyColumn, token, BLOCK_MAPPING_START, keyPos, keyColumn);
      this.skPossible[level] = false;
      this.keysByToken.delete(token);
      this.simpleKeyAllowed = false;
    } else {
      if (this.flowLevel === 0) {
        if (!this.simpleKeyAllowed) this.fail('mapping values are not allowed in this context');
        const column = this.column(this.pos);
        this.rollIndent(column, -1, BLOCK_MAPPING_START, this.pos, column);
      }
      this.simpleKeyAllowed = this.flowLevel === 0;
    }
    this.indicatorToken(VALUE);
  }

  private fetchAnchor(type: number): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    scanAnchor(this, type);
  }

  private fetchTag(): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    scanTag(this);
  }

  private fetchBlockScalar(literal: boolean): void {
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    scanBlockScalar(this, literal);
  }

  private fetchFlowScalar(single: boolean): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    scanQuotedScalar(this, single);
  }

  private fetchPlainScalar(): void {
    const keyed = this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    if (!scanPlainScalar(this)) return;
    const token = this.tokens[this.tail - 1]!;
    const pos = this.pos;
    const text = this.text;
    // "key: ..." in block context, the commonest line in Kubernetes YAML: take the ':' now, as the
    // next fetch would anyway (the key is valid: on this line and at most 1024 characters back).
    // Only the indentation limit could fail there, so near it the usual path goes first.
    if (
      keyed &&
      this.flowLevel === 0 &&
      token.start >= this.lineStart &&
      pos < this.end &&
      text.charCodeAt(pos) === 0x3a &&
      isBlankOrBreakOrEnd(pos + 1 < this.end ? text.charCodeAt(pos + 1) : this.atEnd()) &&
      pos - token.start <= SIMPLE_KEY_MAX_LENGTH &&
      this.indents.length < MAX_DEPTH - 1 &&
      (this.readerProblem === null || pos + 4 <= this.end)
    ) {
      token.value = this.slice(token.start, token.end);
      this.fetchValue();
      return;
    }
    token.value = text.slice(token.start, token.end);
  }

  // ---------------------------------------------------------------- indentation

  private rollIndent(column: number, number: number, type: number, pos: number, markColumn: number): void {
    if (this.flowLevel > 0 || this.indent >= column) return;
    this.indents.push(this.indent);
    this.indent = column;
    if (this.indents.length > MAX_DEPTH) this.fail(`exceeded max depth of ${MAX_DEPTH}`);
    this.insertToken(number > -1 ? number - this.tokensParsed : -1, type, pos, markColumn);
  }

  private unrollIndent(column: number): void {
    if (this.flowLevel > 0) return;
    while (this.indent > column) {
      this.markToken(BLOCK_END);
      this.indent = this.indents.pop()!;
    }
  }

  // ---------------------------------------------------------------- simple keys

  private pushSimpleKeyLevel(): void {
    this.skPossible.push(false);
    this.skRequired.push(false);
    this.skToken.push(this.tokensParsed + (this.tail - this.head));
    this.skPos.push(this.pos);
    this.skColumn.push(this.column(this.pos));
  }

  private simpleKeyIsValid(level: number): boolean {
    if (level >= this.skPossible.length) {
      // go-yaml indexes its simple-key stack with a stale entry here and panics.
      const message = `panic: runtime error: index out of range [${level}] with length ${this.skPossible.length}`;
      throw new YamlFailure('convert', message, this.pos);
    }
    if (!this.skPossible[level]) return false;
    // Stale once a line break came after it, or after 1024 characters.
    const keyPos = this.skPos[level]!;
    if (keyPos < this.lineStart || this.distance(keyPos, this.pos) > SIMPLE_KEY_MAX_LENGTH) {
      if (this.skRequired[level]) this.fail("could not find expected ':'");
      this.skPossible[level] = false;
      return false;
    }
    return true;
  }

  /** Saves a possible simple key at the current position, if allowed; true if saved. */
  private saveSimpleKey(): boolean {
    if (!this.simpleKeyAllowed) return false;
    const pos = this.pos;
    const column = this.column(pos);
    const required = this.flowLevel === 0 && this.indent === column;
    const token = this.tokensParsed + (this.tail - this.head);
    this.removeSimpleKey();
    const level = this.flowLevel;
    this.skPossible[level] = true;
    this.skRequired[level] = required;
    this.skToken[level] = token;
    this.skPos[level] = pos;
    this.skColumn[level] = column;
    this.keysByToken.set(token, level);
    return true;
  }

  private removeSimpleKey(): void {
    const level = this.flowLevel;
    if (!this.skPossible[level]) return;
    if (this.skRequired[level]) this.fail("could not find expected ':'");
    this.skPossible[level] = false;
    this.keysByToken.delete(this.skToken[level]!);
  }

  private increaseFlowLevel(): void {
    this.pushSimpleKeyLevel();
    this.flowLevel++;
    if (this.flowLevel > MAX_DEPTH) this.fail(`exceeded max depth of ${MAX_DEPTH}`);
  }

  private decreaseFlowLevel(): void {
    if (this.flowLevel === 0) return;
    this.flowLevel--;
    this.keysByToken.delete(this.skToken.pop()!);
    this.skPossible.pop();
    this.skRequired.pop();
    this.skPos.pop();
    this.skColumn.pop();
  }
}

/**
 * go-yaml v2.4's simple_keys_by_tok (token number -> flow level), with the same additions and
 * removals, including the stale entries go-yaml leaves behind. Keys are saved with ever larger
 * token numbers, so the entries stay sorted; lookups are for the parser's next token, whose number
 * only grows, so entries below it can be forgotten (go-yaml keeps them but never reads them again).
 */
class KeysByToken {
  private readonly tokens: number[] = [];
  private readonly levels: number[] = [];
  private first = 0;

  get(token: number): number {
    const tokens = this.tokens;
    while (this.first < tokens.length && tokens[this.first]! < token) this.first++;
    if (this.first > 1024 && this.first * 2 > tokens.length) this.compact();
    return this.first < tokens.length && tokens[this.first] === token ? this.levels[this.first]! : -1;
  }

  set(token: number, level: number): void {
    const last = this.tokens.length - 1;
    if (last >= this.first && this.tokens[last] === token) {
      this.levels[last] = level;
    } else {
      this.tokens.push(token);
      this.levels.push(level);
    }
  }

  delete(token: number): void {
    const tokens = this.tokens;
    const last = tokens.length - 1;
    if (last >= this.first && tokens[last] === token) {
      tokens.pop();
      this.levels.pop();
      return;
    }
    for (let i = last - 1; i >= this.first && tokens[i]! >= token; i--) {
      if (tokens[i] !== token) continue;
      for (let k = i; k < last; k++) {
        tokens[k] = tokens[k + 1]!;
        this.levels[k] = this.levels[k + 1]!;
      }
      tokens.pop();
      this.levels.pop();
      return;
    }
  }

  private compact(): void {
    this.tokens.splice(0, this.first);
    this.levels.splice(0, this.first);
    this.first = 0;
  }
}
