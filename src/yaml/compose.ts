/**
 * Builds the value from the parser's events, the way go-yaml v2 decodes a document into
 * interface{} (sigs.k8s.io/yaml's key spelling included, see tojson.ts):
 *
 * - mappings become plain objects, sequences arrays, scalars resolve as in resolve.ts;
 * - a repeated key keeps the last value (go-yaml's non-strict Unmarshal) and yields a warning;
 * - collections as keys fail ("invalid map key: ..."), nil and uint64 keys are kept aside (they
 *   fail the JSON conversion if they stay in the final value);
 * - merge keys (<<) copy a mapping's entries, or those of a list of mappings (the list decoded from
 *   its end, as go-yaml does, so earlier mappings win), into the mapping at the point where they
 *   appear; later keys override them;
 * - an alias is a deep copy of its anchor's value (go-yaml decodes the anchored node again), with
 *   go-yaml's limits: an anchor containing itself and excessive aliasing fail.
 *
 * go-yaml parses the whole document before decoding it, so a syntax error anywhere wins over a
 * decoding failure: those are kept pending while parsing goes on, and after one only anchor names
 * are tracked (an unknown alias fails at parse time in go-yaml).
 *
 * go-yaml decodes a merge key's list of mappings backwards, checking each item before decoding it;
 * to fail the same way, such a list is recorded and replayed in that order when it closes.
 *
 * __proto__ and constructor keys become own data properties; nothing touches a prototype.
 *
 * Values at the paths given to `discard` (discard.ts) are read but not built: inside one, the
 * composer only counts nodes (go-yaml's alias budget counts them), notes where the value ends and
 * checks that nothing in it could change the outcome. Whatever could (a tag, which may fail to
 * decode; an alias, a merge or a collection as a key; NaN or a key JSON cannot hold; an alias to an
 * anchor inside a discarded value, or to a mapping that lost one; an alias or a merge on a path
 * leading to a discarded value) throws COMPOSE_FULLY, and the document is read again in full,
 * the discarded values built and deleted at the end: the outcome is always that of the full read.
 * Warnings about keys inside discarded values are not given (neither way).
 */

import { AliasBudget } from './alias-budget.js';
import { DecodedInfo, setOwn } from './decoded.js';
import type { DiscardNode } from './discard.js';
import { YamlFailure, decodeFailure } from './errors.js';
import { type GoKey, type GoType, goKeySyntax, goSyntax } from './gofmt.js';
import { type OpenPosition, openPosition } from './positions.js';
import {
  KIND_BOOL,
  KIND_FLOAT,
  KIND_INT,
  KIND_NULL,
  KIND_STRING,
  KIND_UINT,
  MERGE_TAG,
  decodeScalar,
  resolvePlain,
  resolved,
  plainKeyMayBeUnsupported,
  plainMayBeNonFinite,
  resolvesNonFinite,
  resolvesToUnsupportedKey,
} from './resolve.js';
import { floatKey } from './tojson.js';

export interface Problem {
  readonly offset: number;
  readonly message: string;
}

const SEQUENCE = 1;
const MAPPING = 2;
const SCALAR_NODE = 3;

const KEY_NORMAL = 0;
const KEY_MERGE = 1;
/** A key JSON cannot hold (nil, uint64). */
const KEY_UNSUPPORTED = 2;

/** An anchor's node: open while being composed, lazy while only recorded, done once composed. */
const OPEN = 0;
const LAZY = 1;
const DONE = 2;
/** Inside a discarded value: never built. */
const DISCARDED = 3;

/** What a collection inside a discarded value waits for. */
const SKIP_ITEM = 0;
const SKIP_KEY = 1;
const SKIP_VALUE = 2;

/** Thrown when a document with discarded values must be composed in full (see the header). */
export const COMPOSE_FULLY = Symbol('compose fully');

type JsonMap = Record<string, unknown>;

interface Anchored {
  readonly name: string;
  readonly kind: number;
  state: number;
  value: unknown;
  /** go-yaml's decode count for the node: what an alias to it costs. */
  cost: number;
  /** A value below it was discarded. */
  partial: boolean;
  position: OpenPosition | undefined;
  /** Scalars: the text, tag and implicit flag (an alias may use it as a map key). */
  text: string;
  tag: string;
  implicit: boolean;
  /** Lazy anchors: where the node's events were recorded. */
  events: Recorded[] | null;
  from: number;
  to: number;
}

/** One recorded event of a merge key's list. */
interface Recorded {
  readonly type: number;
  readonly anchored: Anchored | null;
  readonly text: string;
  readonly tag: string;
  readonly implicit: boolean;
  readonly start: number;
  readonly end: number;
  readonly column: number;
}

const EVENT_SCALAR = 1;
const EVENT_ALIAS = 2;
const EVENT_SEQUENCE = 3;
const EVENT_MAPPING = 4;
const EVENT_END = 5;

/** An open collection. Frames are recycled: a document opens hundreds of thousands. */
class Frame {
  kind = SEQUENCE;
  value: unknown[] | JsonMap = [];
  anchor: Anchored | null = null;
  depth = 0;
  position: OpenPosition | undefined = undefined;
  /** go-yaml's decode count of this node so far. */
  cost = 1;
  /** Where the node starts (its first property, or its content). */
  start = 0;
  lastEnd = 0;
  hasKey = false;
  keyKind = KEY_NORMAL;
  key = '';
  keyType: GoType = 'string';
  keyGo: GoKey | null = null;
  keyStart = 0;
  /** Go types of this mapping's non-string keys (created on the first one). */
  keyTypes: Map<string, GoType> | null = null;
  /** Keys that came from a merge and may be overridden without a warning. */
  merged: Set<string> | null = null;
  /** Where this collection is on the discard paths; null off them. */
  discard: DiscardNode | null = null;
  /** Keys whose values were discarded here, with their Go types (a repeated one is warned about). */
  discardedKeys: Map<string, GoType> | null = null;
  /** A value below was discarded: a copy of this node would lack it. */
  partial = false;
  /** Inside a discarded value that is built anyway (a full read): no warnings. */
  muted = false;

  open(
    kind: number,
    value: unknown[] | JsonMap,
    anchor: Anchored | null,
    depth: number,
    position: OpenPosition | undefined,
    start: number,
    discard: DiscardNode | null,
    muted: boolean,
  ): this {
    this.kind = kind;
    this.value = value;
    this.anchor = anchor;
    this.depth = depth;
    this.position = position;
    this.cost = 1;
    this.start = start;
    this.lastEnd = start;
    this.hasKey = false;
    this.keyKind = KEY_NORMAL;
    this.keyGo = null;
    this.keyTypes = null;
    this.merged = null;
    this.discard = discard;
    this.discardedKeys = null;
    this.partial = false;
    this.muted = muted;
    return this;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;
const EMPTY_LIST: unknown[] = [];

export class Composer {
  private stack: Frame[] = [];
  private readonly spareFrames: Frame[] = [];
  private readonly anchors = new Map<string, Anchored>();
  private root: unknown = undefined;
  private rootStart = 0;
  rootPosition: OpenPosition | undefined = undefined;
  /** The first decoding failure, reported if parsing succeeds. */
  pending: YamlFailure | null = null;
  readonly warnings: Problem[] = [];
  readonly info = new DecodedInfo();
  private readonly budget = new AliasBudget();
  /** While a merge key's list is open: its events so far, and how deep inside it we are. */
  private recording: Recorded[] | null = null;
  private recordingDepth = 0;
  private readonly recordingOpen: Anchored[] = [];
  /** The discard paths at the document's root (none while an anchor is composed on its own). */
  private rootDiscard: DiscardNode | null;
  /** Inside a discarded value: its open collections, what each waits for, the value's extent and node count. */
  private skipDepth = 0;
  private readonly skipStates: number[] = [];
  private skipStart = 0;
  private skipColumn = 0;
  private skipEnd = 0;
  private skipNodes = 0;

  /**
   * `discard`: the values not to build; `buildDiscarded`: build them anyway (the full read), muting
   * warnings inside them, for the caller to delete them. `scanner`: the one reading `text`, told to
   * make no strings while a value is skipped (a plain scalar's text then comes as '' and is read
   * from `text` if it is needed).
   */
  constructor(
    private readonly recordDepth: number,
    discard: DiscardNode | null = null,
    private readonly buildDiscarded = false,
    private readonly scanner: { lazyText: boolean; readonly text: string } | null = null,
  ) {
    this.rootDiscard = discard;
  }

  get value(): unknown {
    return this.root;
  }

  get valueStart(): number {
    return this.rootStart;
  }

  // ---------------------------------------------------------------- events (from the parser)

  scalar(
    text: string,
    tag: string,
    implicit: boolean,
    anchor: string | null,
    start: number,
    end: number,
    column: number,
  ): void {
    const anchored = anchor === null ? null : this.register(anchor, SCALAR_NODE);
    if (anchored !== null) {
      anchored.text = text;
      anchored.tag = tag;
      anchored.implicit = implicit;
    }
    this.onScalar(text, tag, implicit, anchored, start, end, column);
  }

  /**
   * An untagged, unanchored plain scalar (what the parser's fast lane reads): scalar() without
   * the cases that cannot arise, for speed.
   */
  plainScalar(text: string, start: number, end: number, column: number): void {
    if (this.skipDepth > 0) {
      // From the fast lane, which makes no strings while a value is skipped.
      if (this.pending === null) this.skipScalar(text, text === '', start, end);
      return;
    }
    const top = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : null;
    if (this.pending !== null || this.recording !== null || top === null || top.kind !== MAPPING || text === '<<') {
      this.scalar(text, '', true, null, start, end, column);
      return;
    }
    try {
      this.budget.node(start);
      if (!top.hasKey) {
        top.hasKey = true;
        top.keyStart = start;
        top.cost += 1;
        this.setKey(top, resolvePlain(text));
        return;
      }
      if (top.keyKind === KEY_MERGE) throw mergeFailure(start);
      if (top.discard !== null && !this.buildDiscarded && this.slot(top)?.discard === true) {
        if (resolvesNonFinite(text)) throw COMPOSE_FULLY;
        this.discarded(top, start, end, column, 1);
        return;
      }
      const value = resolvePlain(text);
      const position = top.depth < this.recordDepth ? openPosition(start, end, column, undefined, false) : undefined;
      this.attach(top, value, SCALAR_NODE, end, 1, position, start);
    } catch (failure) {
      this.fail(failure);
    }
  }

  alias(name: string, start: number, end: number, column: number): void {
    const target = this.anchors.get(name);
    if (target === undefined) throw new YamlFailure('decode', `unknown anchor '${name}' referenced`, start);
    this.onAlias(target, start, end, column);
  }

  sequenceStart(anchor: string | null, start: number, column: number): void {
    this.onStart(SEQUENCE, anchor === null ? null : this.register(anchor, SEQUENCE), start, column);
  }

  mappingStart(anchor: string | null, start: number, column: number): void {
    this.onStart(MAPPING, anchor === null ? null : this.register(anchor, MAPPING), start, column);
  }

  /** `end`: the offset after a flow collection's closing bracket, or -1 for a block collection. */
  collectionEnd(end: number): void {
    this.onEnd(end);
  }

  private register(name: string, kind: number): Anchored {
    const anchored: Anchored = {
      name,
      kind,
      state: this.recording !== null ? LAZY : OPEN,
      value: undefined,
      cost: 1,
      position: undefined,
      text: '',
      tag: '',
      implicit: false,
      events: null,
      from: 0,
      to: 0,
      partial: false,
    };
    this.anchors.set(name, anchored);
    return anchored;
  }

  // ---------------------------------------------------------------- dispatch (recording or building)

  private onScalar(
    text: string,
    tag: string,
    implicit: boolean,
    anchored: Anchored | null,
    start: number,
    end: number,
    column: number,
  ): void {
    if (this.pending !== null) return;
    if (this.skipDepth > 0) {
      if (anchored !== null) anchored.state = DISCARDED;
      if (tag !== '') throw COMPOSE_FULLY;
      this.skipScalar(implicit ? text : null, false, start, end);
      return;
    }
    if (this.recording !== null) {
      const at = this.record(EVENT_SCALAR, anchored, text, tag, implicit, start, end, column);
      if (anchored !== null) this.lazy(anchored, at, at + 1);
      return;
    }
    try {
      this.buildScalar(text, tag, implicit, anchored, start, end, column);
    } catch (failure) {
      this.fail(failure);
    }
  }

  private onAlias(target: Anchored, start: number, end: number, column: number): void {
    if (this.pending !== null) return;
    if (this.skipDepth > 0) throw COMPOSE_FULLY;
    if (this.recording !== null) {
      this.record(EVENT_ALIAS, target, '', '', false, start, end, column);
      return;
    }
    try {
      this.buildAlias(target, start, end, column);
    } catch (failure) {
      this.fail(failure);
    }
  }

  private onStart(kind: number, anchored: Anchored | null, start: number, column: number): void {
    if (this.pending !== null) return;
    if (this.skipDepth > 0) {
      this.skipCollection(kind, anchored, start);
      return;
    }
    if (this.recording !== null) {
      const at = this.record(
        kind === SEQUENCE ? EVENT_SEQUENCE : EVENT_MAPPING,
        anchored,
        '',
        '',
        false,
        start,
        start,
        column,
      );
      if (anchored !== null) this.lazy(anchored, at, -1);
      this.recordingOpen.push(anchored ?? DUMMY_ANCHOR);
      this.recordingDepth++;
      return;
    }
    try {
      const top = this.top();
      if (kind === SEQUENCE && top !== null && top.hasKey && top.keyKind === KEY_MERGE) {
        // A list of mappings to merge: go-yaml decodes it backwards, so record it for now.
        this.recording = [];
        this.recordingDepth = 0;
        return;
      }
      this.buildStart(kind, anchored, start, column);
    } catch (failure) {
      this.fail(failure);
    }
  }

  private onEnd(end: number): void {
    if (this.pending !== null) return;
    if (this.skipDepth > 0) {
      this.skipCollectionEnd(end);
      return;
    }
    const recording = this.recording;
    if (recording !== null) {
      if (this.recordingDepth === 0) {
        this.recording = null;
        try {
          this.mergeList(recording);
        } catch (failure) {
          this.fail(failure);
        }
        return;
      }
      const at = this.record(EVENT_END, null, '', '', false, end, end, 0);
      const anchored = this.recordingOpen.pop()!;
      if (anchored !== DUMMY_ANCHOR) anchored.to = at + 1;
      this.recordingDepth--;
      return;
    }
    try {
      this.buildEnd(end);
    } catch (failure) {
      this.fail(failure);
    }
  }

  private record(
    type: number,
    anchored: Anchored | null,
    text: string,
    tag: string,
    implicit: boolean,
    start: number,
    end: number,
    column: number,
  ): number {
    const events = this.recording!;
    events.push({ type, anchored, text, tag, implicit, start, end, column });
    return events.length - 1;
  }

  private lazy(anchored: Anchored, from: number, to: number): void {
    anchored.state = LAZY;
    anchored.events = this.recording;
    anchored.from = from;
    anchored.to = to;
  }

  private replay(events: readonly Recorded[], from: number, to: number): void {
    for (let i = from; i < to && this.pending === null; i++) {
      const e = events[i]!;
      switch (e.type) {
        case EVENT_SCALAR:
          this.onScalar(e.text, e.tag, e.implicit, e.anchored, e.start, e.end, e.column);
          break;
        case EVENT_ALIAS:
          this.onAlias(e.anchored!, e.start, e.end, e.column);
          break;
        case EVENT_SEQUENCE:
        case EVENT_MAPPING:
          this.onStart(e.type === EVENT_SEQUENCE ? SEQUENCE : MAPPING, e.anchored, e.start, e.column);
          break;
        default:
          this.onEnd(e.end);
      }
    }
  }

  private fail(failure: unknown): void {
    if (!(failure instanceof YamlFailure) || failure.stage !== 'decode') throw failure;
    this.pending = failure;
    this.stack = [];
    this.recording = null;
    this.skipping(0);
  }

  private top(): Frame | null {
    const stack = this.stack;
    return stack.length > 0 ? stack[stack.length - 1]! : null;
  }

  // ---------------------------------------------------------------- discarding

  /** Where the node that comes next under `top` is on the discard paths, or null off them. */
  private slot(top: Frame | null): DiscardNode | null {
    if (top === null) return this.rootDiscard;
    const node = top.discard;
    if (node === null) return null;
    if (top.kind === SEQUENCE) return node.item;
    if (!top.hasKey || top.keyKind !== KEY_NORMAL || node.keys === null) return null;
    return node.keys.get(top.key) ?? null;
  }

  private startSkipping(kind: number, anchored: Anchored | null, start: number, column: number): void {
    if (anchored !== null) anchored.state = DISCARDED;
    this.budget.node(start);
    this.skipStart = start;
    this.skipColumn = column;
    this.skipEnd = start;
    this.skipNodes = 1;
    this.skipStates[0] = kind === SEQUENCE ? SKIP_ITEM : SKIP_KEY;
    this.skipping(1);
  }

  private skipping(depth: number): void {
    this.skipDepth = depth;
    if (this.scanner !== null) this.scanner.lazyText = depth > 0;
  }

  /**
   * A scalar inside a discarded collection: `plain` is a plain scalar's text, null for any other
   * style; `unmade` when the scanner did not make it (it is text[start, end)).
   */
  private skipScalar(plain: string | null, unmade: boolean, start: number, end: number): void {
    const depth = this.skipDepth - 1;
    const state = this.skipStates[depth];
    if (plain !== null) {
      const first = unmade ? this.scanner!.text.charCodeAt(start) : plain.charCodeAt(0);
      // A merge, or a key JSON cannot hold (nil, uint64): it fails the conversion unless overridden.
      // Most scalars are neither by their first character, and need no string.
      if (state === SKIP_KEY ? first === 0x3c /* < */ || plainKeyMayBeUnsupported(first) : plainMayBeNonFinite(first)) {
        const text = unmade ? this.scanner!.text.slice(start, end) : plain;
        if (state === SKIP_KEY ? text === '<<' || resolvesToUnsupportedKey(text) : resolvesNonFinite(text)) {
          throw COMPOSE_FULLY;
        }
      }
    }
    if (state === SKIP_KEY) {
      this.skipStates[depth] = SKIP_VALUE;
    } else {
      if (state === SKIP_VALUE) this.skipStates[depth] = SKIP_KEY;
      this.skipEnd = end;
    }
    this.skipNodes++;
    try {
      this.budget.node(start);
    } catch (failure) {
      this.fail(failure);
    }
  }

  private skipCollection(kind: number, anchored: Anchored | null, start: number): void {
    const depth = this.skipDepth - 1;
    const state = this.skipStates[depth];
    // A collection as a key fails with its value in the message.
    if (state === SKIP_KEY) throw COMPOSE_FULLY;
    if (state === SKIP_VALUE) this.skipStates[depth] = SKIP_KEY;
    if (anchored !== null) anchored.state = DISCARDED;
    this.skipStates[this.skipDepth++] = kind === SEQUENCE ? SKIP_ITEM : SKIP_KEY;
    this.skipNodes++;
    try {
      this.budget.node(start);
    } catch (failure) {
      this.fail(failure);
    }
  }

  private skipCollectionEnd(end: number): void {
    // A block collection ends with its last item; a flow one at its bracket.
    if (end >= 0) this.skipEnd = end;
    if (this.skipDepth > 1) {
      this.skipDepth--;
      return;
    }
    this.skipping(0);
    this.discarded(this.top()!, this.skipStart, this.skipEnd, this.skipColumn, this.skipNodes);
  }

  /** The value of the mapping's pending key was discarded: setEntry's bookkeeping, without the value. */
  private discarded(top: Frame, start: number, end: number, column: number, cost: number): void {
    top.cost += cost;
    top.lastEnd = end;
    top.hasKey = false;
    top.partial = true;
    const key = top.key;
    const type = top.keyType;
    const keys = (top.discardedKeys ??= new Map());
    const previous = keys.get(key);
    if (previous !== undefined) this.repeatedKey(top, key, type, previous);
    keys.set(key, type);
    if (top.depth < this.recordDepth && top.position?.children !== undefined) {
      top.position.children.set(key, openPosition(start, end, column, top.keyStart, false));
    }
  }

  // ---------------------------------------------------------------- building

  private buildScalar(
    text: string,
    tag: string,
    implicit: boolean,
    anchored: Anchored | null,
    start: number,
    end: number,
    column: number,
  ): void {
    const top = this.top();
    if (top !== null && top.kind === MAPPING) {
      if (!top.hasKey) {
        this.scalarKey(top, text, tag, implicit, anchored, start);
        return;
      }
      // go-yaml refuses a scalar to merge before decoding it.
      if (top.keyKind === KEY_MERGE) throw mergeFailure(start);
      if (top.discard !== null && !this.buildDiscarded && this.slot(top)?.discard === true) {
        if (anchored !== null) anchored.state = DISCARDED;
        if (tag !== '' || (implicit && resolvesNonFinite(text))) throw COMPOSE_FULLY;
        this.budget.node(start);
        this.discarded(top, start, end, column, 1);
        return;
      }
    }
    this.budget.node(start);
    const value = decodeScalar(text, tag, implicit, start);
    if (anchored !== null) this.done(anchored, value, 1, undefined);
    const depth = top === null ? 0 : top.depth + 1;
    const position = depth <= this.recordDepth ? openPosition(start, end, column, undefined, false) : undefined;
    this.attach(top, value, SCALAR_NODE, end, 1, position, start);
  }

  private scalarKey(
    top: Frame,
    text: string,
    tag: string,
    implicit: boolean,
    anchored: Anchored | null,
    start: number,
  ): void {
    top.hasKey = true;
    top.keyStart = start;
    if (text === '<<' && (implicit || tag === MERGE_TAG)) {
      // Merged keys could bring in a discarded value or one on the way to it.
      if (top.discard !== null && !this.buildDiscarded) throw COMPOSE_FULLY;
      // go-yaml merges without decoding the key node (nor counting it).
      top.keyKind = KEY_MERGE;
      if (anchored !== null) this.done(anchored, '<<', 1, undefined);
      return;
    }
    this.budget.node(start);
    top.cost += 1;
    const value = decodeScalar(text, tag, implicit, start);
    if (anchored !== null) this.done(anchored, value, 1, undefined);
    this.setKey(top, value);
  }

  /** Turns a decoded scalar key (its kind in `resolved`) into the mapping's pending key. */
  private setKey(top: Frame, value: unknown): void {
    top.keyKind = KEY_NORMAL;
    switch (resolved.kind) {
      case KIND_STRING:
        top.key = value as string;
        top.keyType = 'string';
        return;
      case KIND_INT:
        top.key = resolved.decimal === '' ? String(value) : resolved.decimal;
        top.keyType = 'int';
        return;
      case KIND_FLOAT:
        top.key = floatKey(value as number);
        top.keyType = 'float64';
        top.keyGo = { type: 'float64', text: top.key, float: value as number };
        return;
      case KIND_BOOL:
        top.key = value ? 'true' : 'false';
        top.keyType = 'bool';
        return;
      case KIND_UINT:
        top.keyKind = KEY_UNSUPPORTED;
        top.keyGo = { type: 'uint64', text: resolved.decimal === '' ? String(value) : resolved.decimal };
        return;
      case KIND_NULL:
        top.keyKind = KEY_UNSUPPORTED;
        top.keyGo = { type: 'nil', text: '' };
        return;
    }
  }

  private buildAlias(target: Anchored, start: number, end: number, column: number): void {
    if (target.state === OPEN) throw decodeFailure(`anchor '${target.name}' value contains itself`, start);
    const top = this.top();
    // A copy lacking a discarded value, or one that would have to be pruned.
    if (!this.buildDiscarded && (target.state === DISCARDED || target.partial || this.slot(top) !== null)) {
      throw COMPOSE_FULLY;
    }
    if (top !== null && top.kind === MAPPING && top.hasKey && top.keyKind === KEY_MERGE && target.kind !== MAPPING) {
      throw mergeFailure(start);
    }
    if (target.state === LAZY) this.composeLazily(target);
    this.budget.alias(target.cost, start);
    const cost = 1 + target.cost;
    if (top !== null && top.kind === MAPPING && !top.hasKey) {
      top.cost += cost;
      top.hasKey = true;
      top.keyStart = start;
      if (target.kind !== SCALAR_NODE) throw this.invalidKey(target.value, start);
      this.setKey(top, decodeScalar(target.text, target.tag, target.implicit, start));
      return;
    }
    const depth = top === null ? 0 : top.depth + 1;
    let position: OpenPosition | undefined;
    if (depth <= this.recordDepth) {
      position = openPosition(start, end, column, undefined, false);
      position.children = target.position?.children;
    }
    this.attach(top, this.info.copy(target.value), target.kind, end, cost, position, start);
  }

  /** Builds a recorded anchor's value on its own, for an alias met before the anchor's turn. */
  private composeLazily(target: Anchored): void {
    const saved = { stack: this.stack, root: this.root, rootStart: this.rootStart, position: this.rootPosition };
    const rootDiscard = this.rootDiscard;
    this.stack = [];
    this.rootDiscard = null;
    this.budget.counting = false;
    try {
      this.replay(target.events!, target.from, target.to);
      if (this.pending !== null) throw this.pending;
    } finally {
      this.budget.counting = true;
      this.rootDiscard = rootDiscard;
      this.stack = saved.stack;
      this.root = saved.root;
      this.rootStart = saved.rootStart;
      this.rootPosition = saved.position;
    }
  }

  private buildStart(kind: number, anchored: Anchored | null, start: number, column: number): void {
    const top = this.top();
    const slot = this.slot(top);
    if (slot !== null && slot.discard && !this.buildDiscarded) {
      this.startSkipping(kind, anchored, start, column);
      return;
    }
    this.budget.node(start);
    const depth = top === null ? 0 : top.depth + 1;
    const asKey = top !== null && top.kind === MAPPING && !top.hasKey;
    const position =
      depth <= this.recordDepth && !asKey
        ? openPosition(start, start, column, undefined, depth < this.recordDepth)
        : undefined;
    const value: unknown[] | JsonMap = kind === SEQUENCE ? [] : {};
    if (anchored !== null) {
      anchored.state = OPEN;
      anchored.value = value;
      anchored.position = position;
    }
    const frame = this.spareFrames.length > 0 ? this.spareFrames.pop()! : new Frame();
    const discarded = slot !== null && slot.discard;
    const muted = discarded || (top !== null && top.muted);
    this.stack.push(frame.open(kind, value, anchored, depth, position, start, discarded ? null : slot, muted));
  }

  private buildEnd(end: number): void {
    const frame = this.stack.pop()!;
    const nodeEnd = end >= 0 ? end : frame.lastEnd;
    if (frame.kind === MAPPING && frame.keyTypes !== null) this.info.setKeyTypes(frame.value, frame.keyTypes);
    if (frame.anchor !== null) {
      this.done(frame.anchor, frame.value, frame.cost, frame.position);
      frame.anchor.partial = frame.partial;
    }
    if (frame.position !== undefined) frame.position.end = nodeEnd;
    const start = frame.start;
    const parent = this.top();
    if (frame.partial && parent !== null) parent.partial = true;
    this.attach(parent, frame.value, frame.kind, nodeEnd, frame.cost, frame.position, start);
    frame.value = EMPTY_LIST;
    frame.anchor = null;
    frame.position = undefined;
    frame.keyTypes = null;
    frame.merged = null;
    frame.discard = null;
    frame.discardedKeys = null;
    this.spareFrames.push(frame);
  }

  private done(anchored: Anchored, value: unknown, cost: number, position: OpenPosition | undefined): void {
    anchored.state = DONE;
    anchored.value = value;
    anchored.cost = cost;
    anchored.position = position;
  }

  private attach(
    top: Frame | null,
    value: unknown,
    kind: number,
    end: number,
    cost: number,
    position: OpenPosition | undefined,
    start: number,
  ): void {
    if (top === null) {
      this.root = value;
      this.rootStart = start;
      this.rootPosition = position;
      return;
    }
    top.cost += cost;
    top.lastEnd = end;
    if (top.kind === SEQUENCE) {
      const list = top.value as unknown[];
      if (typeof value === 'number' && !Number.isFinite(value)) this.info.markNonFinite(list, list.length, start);
      if (position !== undefined && top.position?.children !== undefined)
        top.position.children.set(list.length, position);
      list.push(value);
      return;
    }
    if (!top.hasKey) throw this.invalidKey(value, start);
    top.hasKey = false;
    if (top.keyKind === KEY_NORMAL) {
      this.setEntry(top, value, position, start);
    } else if (top.keyKind === KEY_MERGE) {
      if (kind !== MAPPING) throw mergeFailure(start);
      this.mergeMapping(top, value as JsonMap, position);
    } else {
      const repeated = this.info.setUnsupported(top.value, { key: top.keyGo!, value, offset: top.keyStart });
      if (repeated && !top.muted) this.warnRepeated(top.keyStart, goKeySyntax(top.keyGo!));
    }
  }

  private setEntry(top: Frame, value: unknown, position: OpenPosition | undefined, start: number): void {
    const map = top.value as JsonMap;
    const key = top.key;
    const type = top.keyType;
    let existed: boolean;
    if (key === '__proto__') {
      existed = hasOwn.call(map, key);
      setOwn(map, key, value);
    } else {
      existed = hasOwn.call(map, key);
      map[key] = value;
    }
    if (existed) this.repeatedKey(top, key, type);
    if (type !== 'string' || top.keyTypes !== null) {
      (top.keyTypes ??= new Map()).set(key, type);
      if (type === 'float64') this.info.setFloatKey(map, key, top.keyGo!.float!);
    }
    if (typeof value === 'number' && !Number.isFinite(value)) this.info.markNonFinite(map, key, start);
    if (position !== undefined && top.position?.children !== undefined) {
      position.keyStart = top.keyStart;
      top.position.children.set(key, position);
    }
  }

  private repeatedKey(top: Frame, key: string, type: GoType, previous = top.keyTypes?.get(key) ?? 'string'): void {
    if (top.merged?.delete(key) || top.muted) return;
    if (previous === type && !(type === 'float64' && key === '.nan')) {
      this.warnRepeated(top.keyStart, goKeySyntax(type === 'float64' ? top.keyGo! : { type, text: key }));
      return;
    }
    this.warnings.push({
      offset: top.keyStart,
      message:
        `keys of different YAML types both become "${key}" in JSON (${previous} and ${type}); ` +
        'kubectl keeps one of them at random, this parser keeps the last',
    });
  }

  private warnRepeated(offset: number, shownKey: string): void {
    this.warnings.push({ offset, message: `key ${shownKey} already set in map, the last value is used` });
  }

  /** Copies a mapping's entries into the mapping being built (go-yaml decodes it into the same map). */
  private mergeMapping(top: Frame, source: JsonMap, position: OpenPosition | undefined): void {
    const target = top.value as JsonMap;
    const sourceTypes = this.info.keyTypes(source);
    const childPositions = position?.children;
    const info = this.info;
    for (const key of Object.keys(source)) {
      setOwn(target, key, source[key]);
      const type = sourceTypes?.get(key) ?? 'string';
      if (type !== 'string' || top.keyTypes !== null) {
        (top.keyTypes ??= new Map()).set(key, type);
        const float = info.floatKey(source, key);
        if (float !== undefined) info.setFloatKey(target, key, float);
      }
      (top.merged ??= new Set()).add(key);
      if (info.used) {
        const at = info.nonFiniteAt(source, key);
        if (at !== undefined) info.markNonFinite(target, key, at);
      }
      const child = childPositions?.get(key);
      if (child !== undefined && top.position?.children !== undefined) top.position.children.set(key, child);
    }
    for (const entry of info.unsupportedKeys(source) ?? []) info.setUnsupported(target, entry);
  }

  /**
   * A merge key's list, closed: go-yaml goes through it from the end, refusing anything that is not
   * a mapping (or an alias to one) before decoding it, and decoding each into the mapping.
   */
  private mergeList(events: Recorded[]): void {
    const top = this.top()!;
    top.hasKey = false;
    const items: number[] = [];
    for (let i = 0, depth = 0; i < events.length; i++) {
      const type = events[i]!.type;
      if (depth === 0) items.push(i);
      if (type === EVENT_SEQUENCE || type === EVENT_MAPPING) depth++;
      else if (type === EVENT_END) depth--;
    }
    items.push(events.length);
    for (let k = items.length - 2; k >= 0; k--) {
      const first = events[items[k]!]!;
      const mapping = first.type === EVENT_MAPPING || (first.type === EVENT_ALIAS && first.anchored!.kind === MAPPING);
      if (!mapping) throw mergeFailure(first.start);
      top.hasKey = true;
      top.keyKind = KEY_MERGE;
      this.replay(events, items[k]!, items[k + 1]!);
      if (this.pending !== null) return;
    }
  }

  private invalidKey(value: unknown, offset: number): YamlFailure {
    return decodeFailure(`invalid map key: ${goSyntax(value, this.info)}`, offset);
  }
}

const DUMMY_ANCHOR: Anchored = {
  name: '',
  kind: 0,
  state: DONE,
  value: null,
  cost: 0,
  position: undefined,
  text: '',
  tag: '',
  implicit: false,
  events: null,
  from: 0,
  to: 0,
  partial: false,
};

function mergeFailure(offset: number): YamlFailure {
  return decodeFailure('map merge requires map or sequence of maps as the value', offset);
}
