/**
 * Builds the value from the parser's events, the way go-yaml v2 decodes a document into
 * interface{} and sigs.k8s.io/yaml then makes it JSON-compatible:
 *
 * - mappings become plain objects; keys are resolved like values and spelled as YAMLToJSON spells
 *   them (1 -> "1", 1.5 -> "1.5" via float32, true -> "true"); nil and uint64 keys are errors, as
 *   are collections as keys ("invalid map key");
 * - a repeated key keeps the last value (go-yaml's non-strict Unmarshal) and yields a warning;
 * - merge keys (<<) copy a mapping's (or a sequence of mappings') entries into the mapping at the
 *   point where they appear, later entries overriding earlier ones, earlier list items winning;
 * - an alias is a deep copy of its anchor's value (go-yaml decodes the anchored node again), with
 *   go-yaml's limits: an anchor containing itself and "excessive aliasing" are errors.
 *
 * go-yaml parses the whole document before decoding it, so a syntax error anywhere wins over a
 * decoding error. Decoding failures are therefore kept pending while parsing goes on; after one,
 * only anchor names are still tracked (an unknown alias is a parse-time error in go-yaml).
 *
 * __proto__ and constructor keys become own data properties; nothing touches a prototype.
 */

import { YamlFailure, decodeFailure } from './errors.js';
import { type GoKey, type GoType, type MapInfo, formatFloatG, goKeySyntax, goSyntax } from './gofmt.js';
import { type OpenPosition, type PositionNode, openPosition } from './positions.js';
import {
  KIND_BOOL,
  KIND_FLOAT,
  KIND_INT,
  KIND_NULL,
  KIND_STRING,
  KIND_UINT,
  MERGE_TAG,
  decodeScalar,
  resolved,
} from './resolve.js';

export interface Problem {
  readonly offset: number;
  readonly message: string;
}

const SEQUENCE = 1;
const MAPPING = 2;
const SCALAR_NODE = 3;

const KEY_NORMAL = 0;
const KEY_MERGE = 1;
/** A key JSON cannot hold (nil, uint64): kept aside, it fails the conversion if it stays in the tree. */
const KEY_UNSUPPORTED = 2;

type JsonMap = Record<string, unknown>;

interface Anchored {
  complete: boolean;
  kind: number;
  value: unknown;
  /** go-yaml's decode count for the node: what expanding an alias to it costs. */
  cost: number;
  position: OpenPosition | undefined;
  /** For scalars (an alias may be a map key): the text, tag and implicit flag. */
  text: string;
  tag: string;
  implicit: boolean;
}

const DEAD_ANCHOR: Anchored = {
  complete: true,
  kind: SCALAR_NODE,
  value: null,
  cost: 1,
  position: undefined,
  text: '',
  tag: '',
  implicit: true,
};

class Frame {
  /** go-yaml's decode count of this node so far. */
  cost: number;
  lastEnd: number;
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

  constructor(
    readonly kind: number,
    readonly value: unknown[] | JsonMap,
    readonly anchor: Anchored | null,
    readonly depth: number,
    readonly position: OpenPosition | undefined,
    /** A sequence that is the value of a merge key: go-yaml does not decode it as a node. */
    readonly mergeList: boolean,
    start: number,
  ) {
    this.cost = mergeList ? 0 : 1;
    this.lastEnd = start;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

export class Composer implements MapInfo {
  private readonly stack: Frame[] = [];
  private readonly anchors = new Map<string, Anchored>();
  private root: unknown = undefined;
  rootPosition: OpenPosition | undefined = undefined;
  hasRoot = false;
  /** The first decoding failure, reported if parsing succeeds. */
  pending: YamlFailure | null = null;
  readonly warnings: Problem[] = [];

  private decodeCount = 1; // go-yaml counts the document node
  private aliasCount = 0;

  // Side tables for the rare things a plain JSON value cannot carry.
  private readonly goKeyTypes = new WeakMap<object, Map<string, GoType>>();
  private readonly unsupported = new WeakMap<object, { key: GoKey; value: unknown; offset: number }[]>();
  private readonly nonFiniteAt = new WeakMap<object, Map<string | number, number>>();
  private rootNonFiniteOffset = -1;
  private sideTables = false;

  constructor(private readonly recordDepth: number) {}

  get value(): unknown {
    return this.root;
  }

  // ---------------------------------------------------------------- events

  scalar(
    text: string,
    tag: string,
    implicit: boolean,
    anchor: string | null,
    start: number,
    end: number,
    column: number,
  ): void {
    if (this.pending !== null) {
      if (anchor !== null) this.anchors.set(anchor, DEAD_ANCHOR);
      return;
    }
    try {
      const top = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : null;
      if (top !== null && top.kind === MAPPING && !top.hasKey) {
        this.scalarKey(top, text, tag, implicit, anchor, start);
        return;
      }
      this.countNode(start);
      // go-yaml knows the anchor once parsed, even if decoding its node fails.
      if (anchor !== null) this.anchors.set(anchor, DEAD_ANCHOR);
      const value = decodeScalar(text, tag, implicit, start);
      if (anchor !== null) this.anchors.set(anchor, scalarAnchor(value, text, tag, implicit));
      const depth = top === null ? 0 : top.depth + 1;
      const position =
        depth <= this.recordDepth
          ? openPosition(start, end, column, top?.hasKey ? top.keyStart : undefined, false)
          : undefined;
      this.attach(top, value, SCALAR_NODE, end, 1, position, false, start);
    } catch (failure) {
      this.fail(failure);
    }
  }

  alias(name: string, start: number, end: number, column: number): void {
    const target = this.anchors.get(name);
    if (target === undefined) throw decodeFailureAt(`unknown anchor '${name}' referenced`, start);
    if (this.pending !== null) return;
    try {
      if (!target.complete) throw decodeFailure(`anchor '${name}' value contains itself`, start);
      this.countAlias(target.cost, start);
      const top = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : null;
      const cost = 1 + target.cost;
      if (top !== null && top.kind === MAPPING && !top.hasKey) {
        top.cost += cost;
        if (target.kind !== SCALAR_NODE) throw this.invalidKey(target.value, start);
        this.setKey(top, decodeScalar(target.text, target.tag, target.implicit, start), start);
        return;
      }
      const depth = top === null ? 0 : top.depth + 1;
      let position: OpenPosition | undefined;
      if (depth <= this.recordDepth) {
        position = openPosition(start, end, column, top?.hasKey ? top.keyStart : undefined, false);
        position.children = target.position?.children;
      }
      this.attach(top, this.copy(target.value), target.kind, end, cost, position, true, start);
    } catch (failure) {
      this.fail(failure);
    }
  }

  sequenceStart(anchor: string | null, start: number, column: number): void {
    this.openCollection(SEQUENCE, [], anchor, start, column);
  }

  mappingStart(anchor: string | null, start: number, column: number): void {
    this.openCollection(MAPPING, {}, anchor, start, column);
  }

  /** `end` is the offset after a flow collection's closing bracket, or -1 for a block collection. */
  collectionEnd(end: number): void {
    if (this.pending !== null) return;
    try {
      const frame = this.stack.pop()!;
      const nodeEnd = end >= 0 ? end : frame.lastEnd;
      if (frame.kind === MAPPING && frame.keyTypes !== null) this.goKeyTypes.set(frame.value, frame.keyTypes);
      if (frame.anchor !== null) {
        frame.anchor.complete = true;
        frame.anchor.cost = frame.cost;
      }
      if (frame.position !== undefined) frame.position.end = nodeEnd;
      const top = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : null;
      this.attach(top, frame.value, frame.kind, nodeEnd, frame.cost, frame.position, false, frame.position?.start ?? 0);
    } catch (failure) {
      this.fail(failure);
    }
  }

  private openCollection(
    kind: number,
    value: unknown[] | JsonMap,
    anchor: string | null,
    start: number,
    column: number,
  ): void {
    if (this.pending !== null) {
      if (anchor !== null) this.anchors.set(anchor, DEAD_ANCHOR);
      return;
    }
    try {
      const top = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : null;
      const mergeList = kind === SEQUENCE && top !== null && top.hasKey && top.keyKind === KEY_MERGE;
      if (!mergeList) this.countNode(start);
      const depth = top === null ? 0 : top.depth + 1;
      const asKey = top !== null && top.kind === MAPPING && !top.hasKey;
      const position =
        depth <= this.recordDepth && !asKey
          ? openPosition(start, start, column, top?.hasKey ? top.keyStart : undefined, depth < this.recordDepth)
          : undefined;
      let anchored: Anchored | null = null;
      if (anchor !== null) {
        anchored = { complete: false, kind, value, cost: 0, position, text: '', tag: '', implicit: false };
        this.anchors.set(anchor, anchored);
      }
      this.stack.push(new Frame(kind, value, anchored, depth, position, mergeList, start));
    } catch (failure) {
      this.fail(failure);
    }
  }

  // ---------------------------------------------------------------- building

  private scalarKey(
    top: Frame,
    text: string,
    tag: string,
    implicit: boolean,
    anchor: string | null,
    start: number,
  ): void {
    if (text === '<<' && (implicit || tag === MERGE_TAG)) {
      // go-yaml merges without decoding the key node (it is not counted either).
      if (anchor !== null) this.anchors.set(anchor, scalarAnchor(text, text, tag, implicit));
      top.hasKey = true;
      top.keyKind = KEY_MERGE;
      top.keyStart = start;
      return;
    }
    this.countNode(start);
    top.cost += 1;
    if (anchor !== null) this.anchors.set(anchor, DEAD_ANCHOR);
    const value = decodeScalar(text, tag, implicit, start);
    if (anchor !== null) this.anchors.set(anchor, scalarAnchor(value, text, tag, implicit));
    this.setKey(top, value, start);
  }

  /** Turns a decoded scalar key (its kind in `resolved`) into the mapping's pending key. */
  private setKey(top: Frame, value: unknown, start: number): void {
    top.hasKey = true;
    top.keyStart = start;
    top.keyKind = KEY_NORMAL;
    switch (resolved.kind) {
      case KIND_STRING:
        top.key = value as string;
        top.keyType = 'string';
        return;
      case KIND_INT:
        top.key = resolved.decimal;
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
        top.keyGo = { type: 'uint64', text: resolved.decimal };
        return;
      case KIND_NULL:
        top.keyKind = KEY_UNSUPPORTED;
        top.keyGo = { type: 'nil', text: '' };
        return;
    }
  }

  private attach(
    top: Frame | null,
    value: unknown,
    kind: number,
    end: number,
    cost: number,
    position: OpenPosition | undefined,
    viaAlias: boolean,
    start: number,
  ): void {
    if (top === null) {
      this.root = value;
      this.hasRoot = true;
      this.rootPosition = position;
      if (typeof value === 'number' && !Number.isFinite(value)) this.rootNonFiniteOffset = start;
      return;
    }
    top.cost += cost;
    top.lastEnd = end;
    if (top.kind === SEQUENCE) {
      const list = top.value as unknown[];
      if (typeof value === 'number' && !Number.isFinite(value)) this.markNonFinite(list, list.length, start);
      if (position !== undefined && top.position?.children !== undefined)
        top.position.children.set(list.length, position);
      list.push(value);
      return;
    }
    if (!top.hasKey) throw this.invalidKey(value, start);
    top.hasKey = false;
    if (top.keyKind === KEY_NORMAL) {
      this.setEntry(top, top.key, top.keyType, value, position, start);
    } else if (top.keyKind === KEY_MERGE) {
      this.merge(top, value, kind, viaAlias, position, start);
    } else {
      this.setUnsupported(top, top.keyGo!, value, top.keyStart);
    }
  }

  private setEntry(
    top: Frame,
    key: string,
    type: GoType,
    value: unknown,
    position: OpenPosition | undefined,
    start: number,
  ): void {
    const map = top.value as JsonMap;
    let existed: boolean;
    if (key === '__proto__') {
      existed = hasOwn.call(map, key);
      Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
    } else {
      existed = map[key] !== undefined && hasOwn.call(map, key);
      map[key] = value;
    }
    if (existed) this.repeatedKey(top, key, type);
    if (type !== 'string' || top.keyTypes !== null) {
      top.keyTypes ??= new Map();
      top.keyTypes.set(key, type);
    }
    if (typeof value === 'number' && !Number.isFinite(value)) this.markNonFinite(map, key, start);
    if (position !== undefined && top.position?.children !== undefined) {
      position.keyStart = top.keyStart;
      top.position.children.set(key, position);
    }
  }

  private repeatedKey(top: Frame, key: string, type: GoType): void {
    if (top.merged?.delete(key)) return;
    const previous = top.keyTypes?.get(key) ?? 'string';
    const offset = top.keyStart;
    if (previous === type && !(type === 'float64' && key === '.nan')) {
      const shown = goKeySyntax(type === 'float64' ? top.keyGo! : { type, text: key });
      this.warnings.push({ offset, message: `key ${shown} already set in map, the last value is used` });
    } else {
      this.warnings.push({
        offset,
        message:
          `keys of different YAML types both become "${key}" in JSON (${previous} and ${type}); ` +
          'kubectl keeps one of them at random, this parser keeps the last',
      });
    }
  }

  private setUnsupported(top: Frame, key: GoKey, value: unknown, offset: number): void {
    const map = top.value as JsonMap;
    let entries = this.unsupported.get(map);
    if (entries === undefined) this.unsupported.set(map, (entries = []));
    this.sideTables = true;
    const same = entries.findIndex((e) => e.key.type === key.type && e.key.text === key.text);
    if (same >= 0) {
      this.warnings.push({
        offset: top.keyStart,
        message: `key ${goKeySyntax(key)} already set in map, the last value is used`,
      });
      entries.splice(same, 1);
    }
    entries.push({ key, value, offset });
  }

  /** go-yaml's decoder.merge: the value must be a mapping, or a sequence of mappings. */
  private merge(
    top: Frame,
    value: unknown,
    kind: number,
    viaAlias: boolean,
    position: OpenPosition | undefined,
    start: number,
  ): void {
    if (kind === MAPPING) {
      this.mergeMapping(top, value as JsonMap, position);
      return;
    }
    if (kind === SEQUENCE && !viaAlias) {
      const list = value as unknown[];
      for (let i = list.length - 1; i >= 0; i--) {
        const item = list[i];
        if (!isMapping(item)) throw mergeFailure(start);
        this.mergeMapping(top, item, position?.children?.get(i) as OpenPosition | undefined);
      }
      return;
    }
    throw mergeFailure(start);
  }

  private mergeMapping(top: Frame, source: JsonMap, position: OpenPosition | undefined): void {
    const target = top.value as JsonMap;
    const sourceTypes = this.goKeyTypes.get(source);
    const childPositions = position?.children;
    for (const key of Object.keys(source)) {
      const value = source[key];
      if (key === '__proto__') {
        Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
      } else {
        target[key] = value;
      }
      const type = sourceTypes?.get(key) ?? 'string';
      if (type !== 'string' || top.keyTypes !== null) {
        top.keyTypes ??= new Map();
        top.keyTypes.set(key, type);
      }
      (top.merged ??= new Set()).add(key);
      const at = this.nonFiniteAt.get(source)?.get(key);
      if (at !== undefined) this.markNonFinite(target, key, at);
      const child = childPositions?.get(key);
      if (child !== undefined && top.position?.children !== undefined) top.position.children.set(key, child);
    }
    const extra = this.unsupported.get(source);
    if (extra !== undefined) {
      for (const entry of extra) this.setUnsupported(top, entry.key, entry.value, entry.offset);
    }
  }

  private markNonFinite(container: object, key: string | number, offset: number): void {
    let offsets = this.nonFiniteAt.get(container);
    if (offsets === undefined) this.nonFiniteAt.set(container, (offsets = new Map()));
    offsets.set(key, offset);
    this.sideTables = true;
  }

  private invalidKey(value: unknown, offset: number): YamlFailure {
    return decodeFailure(`invalid map key: ${goSyntax(value, this)}`, offset);
  }

  // ---------------------------------------------------------------- aliases

  /** A deep copy of an anchored value, carrying the side tables along. */
  private copy(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    const rootCopy: unknown = Array.isArray(value) ? new Array(value.length) : {};
    const work: [unknown, unknown][] = [[value, rootCopy]];
    while (work.length > 0) {
      const [source, target] = work.pop()!;
      if (Array.isArray(source)) {
        const list = target as unknown[];
        for (let i = 0; i < source.length; i++) list[i] = this.copyChild(source[i], work);
      } else {
        const from = source as JsonMap;
        const to = target as JsonMap;
        for (const key of Object.keys(from)) {
          const child = this.copyChild(from[key], work);
          if (key === '__proto__') {
            Object.defineProperty(to, key, { value: child, writable: true, enumerable: true, configurable: true });
          } else {
            to[key] = child;
          }
        }
        const types = this.goKeyTypes.get(from);
        if (types !== undefined) this.goKeyTypes.set(to, types);
      }
      if (this.sideTables) this.copySideTables(source as object, target as object, work);
    }
    return rootCopy;
  }

  private copyChild(child: unknown, work: [unknown, unknown][]): unknown {
    if (child === null || typeof child !== 'object') return child;
    const copy: unknown = Array.isArray(child) ? new Array(child.length) : {};
    work.push([child, copy]);
    return copy;
  }

  private copySideTables(source: object, target: object, work: [unknown, unknown][]): void {
    const offsets = this.nonFiniteAt.get(source);
    if (offsets !== undefined) this.nonFiniteAt.set(target, new Map(offsets));
    const entries = this.unsupported.get(source);
    if (entries !== undefined) {
      this.unsupported.set(
        target,
        entries.map((e) => ({ ...e, value: this.copyChild(e.value, work) })),
      );
    }
  }

  // ---------------------------------------------------------------- go-yaml's alias budget

  private countNode(offset: number): void {
    this.decodeCount++;
    if (this.aliasCount > 100) this.checkAliasing(offset);
  }

  /** An alias node, then the anchored node decoded again under it (all of it counts as aliasing). */
  private countAlias(targetCost: number, offset: number): void {
    this.countNode(offset);
    this.aliasCount += targetCost;
    this.decodeCount += targetCost;
    // Within an expansion the ratio only grows, so checking at its end finds any excess.
    this.checkAliasing(offset);
  }

  private checkAliasing(offset: number): void {
    const { aliasCount, decodeCount } = this;
    if (aliasCount > 100 && decodeCount > 1000 && aliasCount / decodeCount > allowedAliasRatio(decodeCount)) {
      throw decodeFailure('document contains excessive aliasing', offset);
    }
  }

  private fail(failure: unknown): void {
    if (!(failure instanceof YamlFailure) || failure.stage !== 'decode') throw failure;
    this.pending = failure;
    this.stack.length = 0;
  }

  // ---------------------------------------------------------------- after parsing

  /**
   * The failure sigs.k8s.io/yaml reports after go-yaml decoded the document: a key JSON cannot
   * hold, then (encoding/json) a NaN or infinite number.
   */
  conversionFailure(): YamlFailure | null {
    if (!this.sideTables && this.rootNonFiniteOffset < 0) return null;
    return this.unsupportedKeyFailure() ?? this.nonFiniteFailure();
  }

  private unsupportedKeyFailure(): YamlFailure | null {
    const work: unknown[] = [this.root];
    while (work.length > 0) {
      const value = work.pop();
      if (value === null || typeof value !== 'object') continue;
      const entries = Array.isArray(value) ? undefined : this.unsupported.get(value);
      if (entries !== undefined && entries.length > 0) {
        const { key, value: v, offset } = entries[0]!;
        const type = key.type === 'nil' ? '%!s(<nil>)' : key.type;
        const message = `Unsupported map key of type: ${type}, key: ${goKeySyntax(key, false)}, value: ${goSyntax(v, this)}`;
        return new YamlFailure('convert', message, offset);
      }
      const children = Array.isArray(value) ? value : Object.values(value);
      for (let i = children.length - 1; i >= 0; i--) work.push(children[i]);
    }
    return null;
  }

  /** encoding/json walks maps in sorted key order and stops at the first NaN or infinity. */
  private nonFiniteFailure(): YamlFailure | null {
    const work: { value: unknown; offset: number }[] = [{ value: this.root, offset: this.rootNonFiniteOffset }];
    while (work.length > 0) {
      const { value, offset } = work.pop()!;
      if (typeof value === 'number') {
        if (!Number.isFinite(value))
          return new YamlFailure('json', `json: unsupported value: ${formatFloatG(value, 64)}`, offset);
        continue;
      }
      if (value === null || typeof value !== 'object') continue;
      const offsets = this.nonFiniteAt.get(value);
      const keys: (string | number)[] = Array.isArray(value)
        ? value.map((_, i) => i)
        : Object.keys(value).sort(compareBytes);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        work.push({ value: (value as Record<string | number, unknown>)[key], offset: offsets?.get(key) ?? -1 });
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- MapInfo, for Go's %#v

  keyTypes(map: object): ReadonlyMap<string, GoType> | undefined {
    return this.goKeyTypes.get(map);
  }

  unsupportedKeys(map: object): readonly { key: GoKey; value: unknown }[] | undefined {
    return this.unsupported.get(map);
  }

  get position(): PositionNode | undefined {
    return this.rootPosition;
  }
}

function scalarAnchor(value: unknown, text: string, tag: string, implicit: boolean): Anchored {
  return { complete: true, kind: SCALAR_NODE, value, cost: 1, position: undefined, text, tag, implicit };
}

function isMapping(value: unknown): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeFailure(offset: number): YamlFailure {
  return decodeFailure('map merge requires map or sequence of maps as the value', offset);
}

/** An error go-yaml raises while building its node tree, so before any decoding failure. */
function decodeFailureAt(message: string, offset: number): YamlFailure {
  return new YamlFailure('decode', message, offset);
}

/** sigs.k8s.io/yaml's float keys: strconv.FormatFloat(f, 'g', -1, 32), infinities and NaN YAML-style. */
function floatKey(f: number): string {
  const text = formatFloatG(f, 32);
  if (text === '+Inf') return '.inf';
  if (text === '-Inf') return '-.inf';
  if (text === 'NaN') return '.nan';
  return text;
}

/** Go sorts map[string] keys by their UTF-8 bytes. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** go-yaml v2.4's allowedAliasRatio. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}
