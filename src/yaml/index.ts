// TEMPORARY stand-in with the interface of the go-yaml v2 parser being written on another branch;
// it is replaced on merge. It uses the `yaml` library (slow, YAML 1.1 values).
import { type Node, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { JSONValue } from '../model/source.js';

export interface YamlProblem {
  readonly offset: number;
  readonly message: string;
}
export interface ParseOptions {
  readonly start?: number;
  readonly end?: number;
  readonly column?: number;
  readonly positions?: 'shallow' | 'full';
}
export interface PositionNode {
  readonly start: number;
  readonly end: number;
  readonly column: number;
  readonly keyStart?: number;
  readonly children?: ReadonlyMap<string | number, PositionNode>;
}
export interface ParsedYaml {
  readonly value: JSONValue | undefined;
  readonly error?: YamlProblem;
  readonly warnings: readonly YamlProblem[];
  readonly positions: PositionNode | undefined;
}

export function parseYaml(text: string, options: ParseOptions = {}): ParsedYaml {
  const start = options.start ?? 0;
  const end = options.end ?? text.length;
  const column = options.column ?? 0;
  const shift = start - column;
  const source = ' '.repeat(column) + text.slice(start, end);
  const document = parseDocument(source, { version: '1.1', uniqueKeys: false, prettyErrors: false });
  const error = document.errors[0];
  if (error !== undefined) {
    return {
      value: undefined,
      error: { offset: error.pos[0] + shift, message: error.message.split('\n')[0]! },
      warnings: [],
      positions: undefined,
    };
  }
  const lineStart = (offset: number): number => source.lastIndexOf('\n', offset - 1) + 1;
  const position = (node: unknown, keyStart?: number): PositionNode | undefined => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range === undefined) return undefined;
    const children = new Map<string | number, PositionNode>();
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const child = position(pair.value, (pair.key as Node).range?.[0]);
        if (child !== undefined) children.set(String(pair.key.value), child);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const child = position(item);
        if (child !== undefined) children.set(i, child);
      });
    }
    return {
      start: range[0] + shift,
      end: range[1] + shift,
      column: range[0] - lineStart(range[0]),
      ...(keyStart !== undefined ? { keyStart: keyStart + shift } : {}),
      ...(children.size > 0 ? { children } : {}),
    };
  };
  const contents = document.contents;
  const empty =
    contents === null || (isScalar(contents) && contents.value === null && contents.range?.[0] === contents.range?.[1]);
  let value: JSONValue | undefined;
  try {
    value = empty ? undefined : toJSONValue(document.toJS({ maxAliasCount: 1000 }));
  } catch (e) {
    return { value: undefined, error: { offset: start, message: String(e) }, warnings: [], positions: undefined };
  }
  return { value, warnings: [], positions: position(contents) };
}

function toJSONValue(value: unknown): JSONValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJSONValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJSONValue(v)]));
  if (value instanceof Set) return [...value].map(toJSONValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJSONValue(v)]));
  return String(value);
}
