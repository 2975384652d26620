/**
 * Test support for parseYaml's `discard` option, written apart from discard.ts and compose.ts so
 * that each checks the other: what a value, its positions and its warnings must be once the
 * values at some paths are deleted from the full read.
 */

import type { Composer } from '../compose.js';
import type { PositionNode } from '../index.js';
import { checkInput, skipByteOrderMark } from '../input.js';
import { Parser } from '../parser.js';
import { KIND_BOOL, KIND_FLOAT, KIND_INT, KIND_STRING, MERGE_TAG, decodeScalar, resolved } from '../resolve.js';
import { Scanner } from '../scanner.js';
import { floatKey } from '../tojson.js';

/** A path as keys, '*' standing for every item of a sequence. */
export type Path = readonly string[];

export const splitPath = (path: string): Path => path.split('.');

/** A JSON value without the mapping values at the paths (copied where they are left out, shared elsewhere). */
export function withoutPaths(value: unknown, paths: readonly Path[]): unknown {
  return paths.reduce((out, path) => without(out, path, 0), value);
}

function without(node: unknown, path: Path, i: number): unknown {
  if (node === null || typeof node !== 'object') return node;
  const segment = path[i]!;
  if (segment === '*') return Array.isArray(node) ? node.map((item) => without(item, path, i + 1)) : node;
  if (Array.isArray(node) || !Object.hasOwn(node, segment)) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    if (key === segment && i === path.length - 1) continue;
    const value = key === segment ? without(child, path, i + 1) : child;
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** Whether a child key matches a path segment: '*' takes sequence indexes, any other segment a mapping key. */
const matches = (segment: string, key: string | number): boolean =>
  segment === '*' ? typeof key === 'number' : segment === key;

/**
 * A position tree as plain data, with the children of discarded nodes left out (they may or may
 * not be recorded); aliases share their anchor's children, which are copied.
 */
export function positionsWithoutDiscarded(root: PositionNode | undefined, paths: readonly Path[]): unknown {
  const walk = (node: PositionNode, states: readonly [Path, number][]): unknown => {
    const discarded = states.some(([path, i]) => i === path.length);
    const children =
      discarded || node.children === undefined
        ? undefined
        : [...node.children].map(([key, child]) => {
            const next = states.filter(([p, i]) => i < p.length && matches(p[i]!, key)).map(([p, i]) => [p, i + 1]);
            return [key, walk(child, next as [Path, number][])];
          });
    return { start: node.start, end: node.end, column: node.column, keyStart: node.keyStart, discarded, children };
  };
  return root === undefined
    ? undefined
    : walk(
        root,
        paths.map((p) => [p, 0]),
      );
}

/**
 * The text ranges of the discarded values, every one of them (a repeated key's earlier values
 * too), found from the parser's events alone. For texts that parse; keys are matched by their
 * JSON spelling, aliases and collections as keys match nothing.
 */
export function discardedRanges(text: string, paths: readonly Path[]): [number, number][] {
  const recorder = new RangeRecorder(paths);
  const scanner = new Scanner(text, skipByteOrderMark(text, 0, text.length), checkInput(text, 0, text.length), 0);
  new Parser(scanner, recorder as unknown as Composer).parseFirstDocument();
  return recorder.ranges;
}

type States = readonly (readonly [Path, number])[];

interface RecordedFrame {
  readonly sequence: boolean;
  readonly states: States;
  readonly start: number;
  readonly discarded: boolean;
  /** Mappings: whether the next node is a key, and the key's spelling (null: matches nothing). */
  expectingKey: boolean;
  key: string | null;
  /** The frame is a mapping's key. */
  readonly isKey: boolean;
  lastEnd: number;
}

class RangeRecorder {
  readonly ranges: [number, number][] = [];
  private readonly stack: RecordedFrame[] = [];

  constructor(private readonly paths: readonly Path[]) {}

  scalar(text: string, tag: string, implicit: boolean, _anchor: string | null, start: number, end: number): void {
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined && !top.sequence && top.expectingKey) {
      top.key = spelling(text, tag, implicit);
      top.expectingKey = false;
      return;
    }
    this.leaf(start, end);
  }

  plainScalar(text: string, start: number, end: number): void {
    this.scalar(text, '', true, null, start, end);
  }

  alias(_name: string, start: number, end: number): void {
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined && !top.sequence && top.expectingKey) {
      top.key = null;
      top.expectingKey = false;
      return;
    }
    this.leaf(start, end);
  }

  sequenceStart(_anchor: string | null, start: number): void {
    this.open(true, start);
  }

  mappingStart(_anchor: string | null, start: number): void {
    this.open(false, start);
  }

  collectionEnd(end: number): void {
    const frame = this.stack.pop()!;
    const nodeEnd = end >= 0 ? end : frame.lastEnd;
    const top = this.stack[this.stack.length - 1];
    if (frame.isKey) {
      top!.key = null;
      top!.expectingKey = false;
      return;
    }
    if (frame.discarded) this.ranges.push([frame.start, nodeEnd]);
    this.valueDone(top, nodeEnd);
  }

  private open(sequence: boolean, start: number): void {
    const top = this.stack[this.stack.length - 1];
    const isKey = top !== undefined && !top.sequence && top.expectingKey;
    const states = isKey ? [] : this.childStates(top);
    const discarded = states.some(([path, i]) => i === path.length);
    this.stack.push({ sequence, states, start, discarded, expectingKey: true, key: null, isKey, lastEnd: start });
  }

  private leaf(start: number, end: number): void {
    const top = this.stack[this.stack.length - 1];
    if (this.childStates(top).some(([path, i]) => i === path.length)) this.ranges.push([start, end]);
    this.valueDone(top, end);
  }

  private valueDone(top: RecordedFrame | undefined, end: number): void {
    if (top === undefined) return;
    top.lastEnd = end;
    if (!top.sequence) top.expectingKey = true;
  }

  private childStates(top: RecordedFrame | undefined): States {
    if (top === undefined) return this.paths.map((p) => [p, 0] as const);
    if (top.discarded) return [];
    const key: string | number | null = top.sequence ? 0 : top.key;
    if (key === null) return [];
    return top.states.filter(([p, i]) => i < p.length && matches(p[i]!, key)).map(([p, i]) => [p, i + 1] as const);
  }
}

/** A scalar key's JSON spelling (sigs.k8s.io/yaml's), or null for keys JSON cannot hold and merges. */
function spelling(text: string, tag: string, implicit: boolean): string | null {
  if (text === '<<' && (implicit || tag === MERGE_TAG)) return null;
  const value = decodeScalar(text, tag, implicit, 0);
  switch (resolved.kind) {
    case KIND_STRING:
      return value as string;
    case KIND_INT:
      return resolved.decimal === '' ? String(value) : resolved.decimal;
    case KIND_FLOAT:
      return floatKey(value as number);
    case KIND_BOOL:
      return value ? 'true' : 'false';
    default:
      return null;
  }
}

/** Every key path of a value, indexes written as '*': the paths that name something in it. */
export function keyPaths(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown, prefix: string, depth: number): void => {
    if (node === null || typeof node !== 'object' || depth > 6) return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, prefix === '' ? '*' : `${prefix}.*`, depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === '' || key === '*' || key.includes('.')) continue;
      const path = prefix === '' ? key : `${prefix}.${key}`;
      found.add(path);
      walk(child, path, depth + 1);
    }
  };
  walk(value, '', 0);
  return [...found];
}
