/**
 * go-yaml v2's LL(1) parser (libyaml's state machine), fused with the composer: where go-yaml
 * emits an event, this calls the composer directly. Like yaml.Unmarshal it reads the stream start,
 * the first document and the token that ends it, and nothing more.
 *
 * The state stack is explicit, so nesting depth costs no JS stack (go-yaml allows 10000 levels of
 * flow and of block nesting).
 */

import type { Composer } from './compose.js';
import { parserFailure } from './errors.js';
import {
  FAST_LIST,
  FAST_MAP,
  FAST_PLAIN,
  FAST_QUOTED,
  LINE_DASH,
  LINE_DEDENT,
  LINE_KEY,
  fastDash,
  fastIndentlessEnd,
  fastMappingLine,
  fastNestedDash,
  fastNestedKey,
  fastSequenceLine,
  fastValue,
} from './fast-lane.js';
import type { Scanner } from './scanner.js';
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
  PLAIN,
  SCALAR,
  STREAM_END,
  STREAM_START,
  TAG,
  TAG_DIRECTIVE,
  VALUE,
  VERSION_DIRECTIVE,
} from './tokens.js';

// Parser states (libyaml's names).
const DOCUMENT_CONTENT_STATE = 1;
const DOCUMENT_END_STATE = 2;
const BLOCK_NODE_STATE = 3;
const BLOCK_SEQUENCE_FIRST_ENTRY_STATE = 4;
const BLOCK_SEQUENCE_ENTRY_STATE = 5;
const INDENTLESS_SEQUENCE_ENTRY_STATE = 6;
const BLOCK_MAPPING_FIRST_KEY_STATE = 7;
const BLOCK_MAPPING_KEY_STATE = 8;
const BLOCK_MAPPING_VALUE_STATE = 9;
const FLOW_SEQUENCE_FIRST_ENTRY_STATE = 10;
const FLOW_SEQUENCE_ENTRY_STATE = 11;
const FLOW_SEQUENCE_ENTRY_MAPPING_KEY_STATE = 12;
const FLOW_SEQUENCE_ENTRY_MAPPING_VALUE_STATE = 13;
const FLOW_SEQUENCE_ENTRY_MAPPING_END_STATE = 14;
const FLOW_MAPPING_FIRST_KEY_STATE = 15;
const FLOW_MAPPING_KEY_STATE = 16;
const FLOW_MAPPING_VALUE_STATE = 17;
const FLOW_MAPPING_EMPTY_VALUE_STATE = 18;

const DEFAULT_TAG_HANDLES: readonly [string, string][] = [
  ['!', '!'],
  ['!!', 'tag:yaml.org,2002:'],
];

export class Parser {
  private state = 0;
  private readonly states: number[] = [];
  private readonly tagHandles = new Map<string, string>();
  /** Column of the empty value after the last fast-lane key's ':'. */
  private valueColumn = 0;

  constructor(
    private readonly sc: Scanner,
    private readonly out: Composer,
  ) {}

  /** Parses the first document into the composer; false when the stream holds no document. */
  parseFirstDocument(): boolean {
    const sc = this.sc;
    if (sc.peek().type !== STREAM_START) this.fail('did not find expected <stream-start>');
    sc.skip();
    if (!this.documentStart()) return false;
    while (this.state !== DOCUMENT_END_STATE) this.step();
    // The document ends at the next token; an explicit '...' is consumed.
    if (sc.peek().type === DOCUMENT_END) sc.skip();
    return true;
  }

  private documentStart(): boolean {
    const sc = this.sc;
    const type = sc.peek().type;
    if (type !== VERSION_DIRECTIVE && type !== TAG_DIRECTIVE && type !== DOCUMENT_START && type !== STREAM_END) {
      this.processDirectives();
      this.states.push(DOCUMENT_END_STATE);
      this.state = BLOCK_NODE_STATE;
      return true;
    }
    if (type === STREAM_END) return false;
    this.processDirectives();
    if (sc.peek().type !== DOCUMENT_START) this.fail('did not find expected <document start>');
    this.states.push(DOCUMENT_END_STATE);
    this.state = DOCUMENT_CONTENT_STATE;
    sc.skip();
    return true;
  }

  private processDirectives(): void {
    const sc = this.sc;
    let sawVersion = false;
    for (let token = sc.peek(); token.type === VERSION_DIRECTIVE || token.type === TAG_DIRECTIVE; token = sc.peek()) {
      if (token.type === VERSION_DIRECTIVE) {
        if (sawVersion) this.fail('found duplicate %YAML directive');
        if (token.style !== 1001) this.fail('found incompatible YAML document');
        sawVersion = true;
      } else {
        const handle = token.value!;
        if (this.tagHandles.has(handle)) this.fail('found duplicate %TAG directive');
        this.tagHandles.set(handle, token.suffix!);
      }
      sc.skip();
    }
    for (const [handle, prefix] of DEFAULT_TAG_HANDLES) {
      if (!this.tagHandles.has(handle)) this.tagHandles.set(handle, prefix);
    }
  }

  /** Reports a parser error at the head token. */
  private fail(message: string): never {
    const start = this.sc.peek().start;
    throw parserFailure(message, start, this.sc.lineAt(start));
  }

  private pop(): void {
    this.state = this.states.pop()!;
  }

  /** Produces one event. */
  private step(): void {
    switch (this.state) {
      case DOCUMENT_CONTENT_STATE:
        return this.documentContent();
      case BLOCK_NODE_STATE:
        return this.node(true, false);
      case BLOCK_SEQUENCE_FIRST_ENTRY_STATE:
        this.sc.skip();
        return this.blockSequenceEntry();
      case BLOCK_SEQUENCE_ENTRY_STATE:
        return this.blockSequenceEntry();
      case INDENTLESS_SEQUENCE_ENTRY_STATE:
        return this.indentlessSequenceEntry();
      case BLOCK_MAPPING_FIRST_KEY_STATE:
        this.sc.skip();
        return this.blockMappingKey();
      case BLOCK_MAPPING_KEY_STATE:
        return this.blockMappingKey();
      case BLOCK_MAPPING_VALUE_STATE:
        return this.blockMappingValue();
      case FLOW_SEQUENCE_FIRST_ENTRY_STATE:
        this.sc.skip();
        return this.flowSequenceEntry(true);
      case FLOW_SEQUENCE_ENTRY_STATE:
        return this.flowSequenceEntry(false);
      case FLOW_SEQUENCE_ENTRY_MAPPING_KEY_STATE:
        return this.flowSequenceEntryMappingKey();
      case FLOW_SEQUENCE_ENTRY_MAPPING_VALUE_STATE:
        return this.flowSequenceEntryMappingValue();
      case FLOW_SEQUENCE_ENTRY_MAPPING_END_STATE:
        this.state = FLOW_SEQUENCE_ENTRY_STATE;
        return this.out.collectionEnd(-1);
      case FLOW_MAPPING_FIRST_KEY_STATE:
        this.sc.skip();
        return this.flowMappingKey(true);
      case FLOW_MAPPING_KEY_STATE:
        return this.flowMappingKey(false);
      case FLOW_MAPPING_VALUE_STATE:
        return this.flowMappingValue(false);
      case FLOW_MAPPING_EMPTY_VALUE_STATE:
        return this.flowMappingValue(true);
    }
  }

  private documentContent(): void {
    const type = this.sc.peek().type;
    if (
      type === VERSION_DIRECTIVE ||
      type === TAG_DIRECTIVE ||
      type === DOCUMENT_START ||
      type === DOCUMENT_END ||
      type === STREAM_END
    ) {
      this.pop();
      this.emptyAtHead();
      return;
    }
    this.node(true, false);
  }

  /** An empty plain scalar (a missing key or value) at a mark. */
  private emptyScalar(at: number, column: number): void {
    this.out.scalar('', '', true, null, at, at, column);
  }

  /** The empty scalar at the start of the head token. */
  private emptyAtHead(): void {
    const token = this.sc.peek();
    this.emptyScalar(token.start, token.column);
  }

  /** libyaml's parse_node: properties, then a scalar, an alias or the start of a collection. */
  private node(block: boolean, indentlessSequence: boolean): void {
    const sc = this.sc;
    const out = this.out;
    let token = sc.peek();
    let type = token.type;
    if (type === ALIAS) {
      this.pop();
      out.alias(token.value!, token.start, token.end, token.column);
      sc.skip();
      return;
    }

    const start = token.start;
    const column = token.column;
    let end = start;
    let anchor: string | null = null;
    let tag = '';
    if (type === ANCHOR || type === TAG) {
      let tagHandle: string | null = null;
      let tagSuffix = '';
      let tagPos = 0;
      for (let i = 0; i < 2 && (type === ANCHOR || type === TAG); i++) {
        if (type === ANCHOR) {
          if (anchor !== null) break;
          anchor = token.value!;
        } else {
          if (tagHandle !== null) break;
          tagHandle = token.value!;
          tagSuffix = token.suffix!;
          tagPos = token.start;
        }
        end = token.end;
        sc.skip();
        token = sc.peek();
        type = token.type;
      }
      if (tagHandle !== null) {
        if (tagHandle === '') {
          tag = tagSuffix;
        } else {
          const prefix = this.tagHandles.get(tagHandle);
          if (prefix === undefined) throw parserFailure('found undefined tag handle', tagPos, sc.lineAt(tagPos));
          tag = prefix + tagSuffix;
        }
      }
    }

    if (indentlessSequence && type === BLOCK_ENTRY) {
      this.state = INDENTLESS_SEQUENCE_ENTRY_STATE;
      out.sequenceStart(anchor, start, column);
      return;
    }
    switch (type) {
      case SCALAR: {
        const implicit = (tag === '' && token.style === PLAIN) || tag === '!';
        this.pop();
        out.scalar(token.value!, tag, implicit, anchor, start, token.end, column);
        sc.skip();
        return;
      }
      case FLOW_SEQUENCE_START:
        this.state = FLOW_SEQUENCE_FIRST_ENTRY_STATE;
        out.sequenceStart(anchor, start, column);
        return;
      case FLOW_MAPPING_START:
        this.state = FLOW_MAPPING_FIRST_KEY_STATE;
        out.mappingStart(anchor, start, column);
        return;
      case BLOCK_SEQUENCE_START:
        if (!block) break;
        this.state = BLOCK_SEQUENCE_FIRST_ENTRY_STATE;
        out.sequenceStart(anchor, start, column);
        return;
      case BLOCK_MAPPING_START:
        if (!block) break;
        this.state = BLOCK_MAPPING_FIRST_KEY_STATE;
        out.mappingStart(anchor, start, column);
        return;
    }
    if (anchor !== null || tag !== '') {
      // Properties with no content: an empty scalar carrying them.
      this.pop();
      out.scalar('', tag, tag === '', anchor, start, end, column);
      return;
    }
    this.fail('did not find expected node content');
  }

  private blockSequenceEntry(): void {
    const sc = this.sc;
    const line = fastSequenceLine(sc);
    if (line === LINE_DASH) {
      this.afterDash(BLOCK_SEQUENCE_ENTRY_STATE);
      return;
    }
    if (line === LINE_DEDENT) {
      this.pop();
      this.out.collectionEnd(-1);
      return;
    }
    const token = sc.peek();
    const type = token.type;
    if (type === BLOCK_ENTRY) {
      const at = token.end;
      const column = token.column + 1;
      sc.skip();
      const next = sc.peek().type;
      if (next !== BLOCK_ENTRY && next !== BLOCK_END) {
        this.states.push(BLOCK_SEQUENCE_ENTRY_STATE);
        this.node(true, false);
      } else {
        this.state = BLOCK_SEQUENCE_ENTRY_STATE;
        this.emptyScalar(at, column);
      }
      return;
    }
    if (type === BLOCK_END) {
      this.pop();
      this.out.collectionEnd(-1);
      sc.skip();
      return;
    }
    this.fail("did not find expected '-' indicator");
  }

  private indentlessSequenceEntry(): void {
    const sc = this.sc;
    if (fastDash(sc)) {
      this.afterDash(INDENTLESS_SEQUENCE_ENTRY_STATE);
      return;
    }
    if (fastIndentlessEnd(sc)) {
      this.pop();
      this.out.collectionEnd(-1);
      return;
    }
    const token = sc.peek();
    if (token.type === BLOCK_ENTRY) {
      const at = token.end;
      const column = token.column + 1;
      sc.skip();
      const next = sc.peek().type;
      if (next !== BLOCK_ENTRY && next !== KEY && next !== VALUE && next !== BLOCK_END) {
        this.states.push(INDENTLESS_SEQUENCE_ENTRY_STATE);
        this.node(true, false);
      } else {
        this.state = INDENTLESS_SEQUENCE_ENTRY_STATE;
        this.emptyScalar(at, column);
      }
      return;
    }
    this.pop();
    this.out.collectionEnd(-1);
  }

  /** After a '-' the fast lane took: the entry, "key: value" on the same line being the usual case. */
  private afterDash(entryState: number): void {
    const sc = this.sc;
    const at = sc.fastEnd;
    const column = sc.fastColumn + 1;
    if (fastNestedKey(sc)) {
      this.states.push(entryState);
      if (this.nestedMapping()) this.mappingValueAfterIndicator(sc.fastEnd + 1, this.valueColumn);
      return;
    }
    const next = sc.peek().type;
    const empty =
      next === BLOCK_ENTRY ||
      next === BLOCK_END ||
      (entryState === INDENTLESS_SEQUENCE_ENTRY_STATE && (next === KEY || next === VALUE));
    if (!empty) {
      this.states.push(entryState);
      this.node(true, false);
    } else {
      this.state = entryState;
      this.emptyScalar(at, column);
    }
  }

  private blockMappingKey(): void {
    const sc = this.sc;
    const line = fastMappingLine(sc);
    if (line === LINE_DEDENT) {
      this.pop();
      this.out.collectionEnd(-1);
      return;
    }
    if (line === LINE_KEY) {
      this.state = BLOCK_MAPPING_KEY_STATE;
      this.out.plainScalar(sc.fastText, sc.fastStart, sc.fastEnd, sc.fastColumn);
      const at = sc.fastEnd + 1;
      const column = sc.fastColumn + (sc.fastEnd - sc.fastStart) + 1;
      if (!this.fastMappingValue()) this.mappingValueAfterIndicator(at, column);
      return;
    }
    const token = sc.peek();
    const type = token.type;
    if (type === KEY) {
      const at = token.end;
      const column = token.column + (at - token.start);
      sc.skip();
      const next = sc.peek().type;
      if (next !== KEY && next !== VALUE && next !== BLOCK_END) {
        this.states.push(BLOCK_MAPPING_VALUE_STATE);
        this.node(true, true);
      } else {
        this.state = BLOCK_MAPPING_VALUE_STATE;
        this.emptyScalar(at, column);
      }
      return;
    }
    if (type === BLOCK_END) {
      this.pop();
      this.out.collectionEnd(-1);
      sc.skip();
      return;
    }
    this.fail('did not find expected key');
  }

  /**
   * The fast lane read the first key of a new block mapping: open it and take the value if the
   * fast lane can. Leaves the state inside the mapping; true if the value still has to be parsed
   * (then valueColumn and sc.fastEnd + 1 say where its ':' ended).
   */
  private nestedMapping(): boolean {
    const sc = this.sc;
    const out = this.out;
    out.mappingStart(null, sc.fastStart, sc.fastColumn);
    out.plainScalar(sc.fastText, sc.fastStart, sc.fastEnd, sc.fastColumn);
    this.state = BLOCK_MAPPING_KEY_STATE;
    const colonEnd = sc.fastEnd + 1;
    const column = sc.fastColumn + (sc.fastEnd - sc.fastStart) + 1;
    if (this.fastMappingValue()) return false;
    sc.fastEnd = colonEnd - 1;
    this.valueColumn = column;
    return true;
  }

  /** A mapping value the fast lane can read (plain scalar, {} or []); true if it did. */
  private fastMappingValue(): boolean {
    const sc = this.sc;
    const out = this.out;
    switch (fastValue(sc)) {
      case FAST_PLAIN:
        out.plainScalar(sc.fastText, sc.fastStart, sc.fastEnd, sc.fastColumn);
        return true;
      case FAST_MAP:
        out.mappingStart(null, sc.fastStart, sc.fastColumn);
        out.collectionEnd(sc.fastEnd);
        return true;
      case FAST_LIST:
        out.sequenceStart(null, sc.fastStart, sc.fastColumn);
        out.collectionEnd(sc.fastEnd);
        return true;
      case FAST_QUOTED:
        out.scalar(sc.fastText, '', false, null, sc.fastStart, sc.fastEnd, sc.fastColumn);
        return true;
    }
    return false;
  }

  private blockMappingValue(): void {
    const sc = this.sc;
    const token = sc.peek();
    if (token.type === VALUE) {
      const at = token.end;
      const column = token.column + 1;
      sc.skip();
      this.mappingValueAfterIndicator(at, column);
      return;
    }
    this.state = BLOCK_MAPPING_KEY_STATE;
    this.emptyAtHead();
  }

  /**
   * The block mapping value after its ':' (which ended at `at`, `column`): a node, or empty. A
   * nested block mapping whose keys the fast lane reads is opened here, level after level.
   */
  private mappingValueAfterIndicator(at: number, column: number): void {
    const sc = this.sc;
    while (fastNestedKey(sc)) {
      this.states.push(BLOCK_MAPPING_KEY_STATE);
      if (!this.nestedMapping()) return;
      at = sc.fastEnd + 1;
      column = this.valueColumn;
    }
    // A sequence under the key: "- " at the key's column (kubectl's style) or further in.
    const indentless = fastDash(sc);
    if (indentless || fastNestedDash(sc)) {
      this.states.push(BLOCK_MAPPING_KEY_STATE);
      this.out.sequenceStart(null, sc.fastStart, sc.fastColumn);
      this.afterDash(indentless ? INDENTLESS_SEQUENCE_ENTRY_STATE : BLOCK_SEQUENCE_ENTRY_STATE);
      return;
    }
    const next = sc.peek().type;
    if (next !== KEY && next !== VALUE && next !== BLOCK_END) {
      this.states.push(BLOCK_MAPPING_KEY_STATE);
      this.node(true, true);
    } else {
      this.state = BLOCK_MAPPING_KEY_STATE;
      this.emptyScalar(at, column);
    }
  }

  private flowSequenceEntry(first: boolean): void {
    const sc = this.sc;
    let type = sc.peek().type;
    if (type !== FLOW_SEQUENCE_END) {
      if (!first) {
        if (type !== FLOW_ENTRY) this.fail("did not find expected ',' or ']'");
        sc.skip();
        type = sc.peek().type;
      }
      if (type === KEY) {
        // A single-pair mapping inside a flow sequence: [a: b].
        this.state = FLOW_SEQUENCE_ENTRY_MAPPING_KEY_STATE;
        const key = sc.peek();
        this.out.mappingStart(null, key.start, key.column);
        sc.skip();
        return;
      }
      if (type !== FLOW_SEQUENCE_END) {
        this.states.push(FLOW_SEQUENCE_ENTRY_STATE);
        this.node(false, false);
        return;
      }
    }
    this.pop();
    this.out.collectionEnd(sc.peek().end);
    sc.skip();
  }

  private flowSequenceEntryMappingKey(): void {
    const sc = this.sc;
    const token = sc.peek();
    const type = token.type;
    if (type !== VALUE && type !== FLOW_ENTRY && type !== FLOW_SEQUENCE_END) {
      this.states.push(FLOW_SEQUENCE_ENTRY_MAPPING_VALUE_STATE);
      this.node(false, false);
      return;
    }
    // go-yaml (like libyaml) consumes this token here, whatever it is.
    const at = token.end;
    const column = token.column + (at - token.start);
    sc.skip();
    this.state = FLOW_SEQUENCE_ENTRY_MAPPING_VALUE_STATE;
    this.emptyScalar(at, column);
  }

  private flowSequenceEntryMappingValue(): void {
    const sc = this.sc;
    if (sc.peek().type === VALUE) {
      sc.skip();
      const next = sc.peek().type;
      if (next !== FLOW_ENTRY && next !== FLOW_SEQUENCE_END) {
        this.states.push(FLOW_SEQUENCE_ENTRY_MAPPING_END_STATE);
        this.node(false, false);
        return;
      }
    }
    this.state = FLOW_SEQUENCE_ENTRY_MAPPING_END_STATE;
    this.emptyAtHead();
  }

  private flowMappingKey(first: boolean): void {
    const sc = this.sc;
    let type = sc.peek().type;
    if (type !== FLOW_MAPPING_END) {
      if (!first) {
        if (type !== FLOW_ENTRY) this.fail("did not find expected ',' or '}'");
        sc.skip();
        type = sc.peek().type;
      }
      if (type === KEY) {
        sc.skip();
        const next = sc.peek().type;
        if (next !== VALUE && next !== FLOW_ENTRY && next !== FLOW_MAPPING_END) {
          this.states.push(FLOW_MAPPING_VALUE_STATE);
          this.node(false, false);
        } else {
          this.state = FLOW_MAPPING_VALUE_STATE;
          this.emptyAtHead();
        }
        return;
      }
      if (type !== FLOW_MAPPING_END) {
        this.states.push(FLOW_MAPPING_EMPTY_VALUE_STATE);
        this.node(false, false);
        return;
      }
    }
    this.pop();
    this.out.collectionEnd(sc.peek().end);
    sc.skip();
  }

  private flowMappingValue(empty: boolean): void {
    const sc = this.sc;
    const type = sc.peek().type;
    if (empty) {
      this.state = FLOW_MAPPING_KEY_STATE;
      this.emptyAtHead();
      return;
    }
    if (type === VALUE) {
      sc.skip();
      const next = sc.peek().type;
      if (next !== FLOW_ENTRY && next !== FLOW_MAPPING_END) {
        this.states.push(FLOW_MAPPING_KEY_STATE);
        this.node(false, false);
        return;
      }
    }
    this.state = FLOW_MAPPING_KEY_STATE;
    this.emptyAtHead();
  }
}
