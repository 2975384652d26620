import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type Document, LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { knownKind } from './kinds.js';
import {
  type FieldPath,
  type JSONObject,
  type JSONValue,
  type Location,
  type SourcedObject,
  isJSONObject,
  objectKey,
} from './source.js';

/** Something in the input that could not be read as objects. */
export interface LoadProblem {
  readonly location: Location;
  readonly message: string;
}

/** A document left out, with its kind when it is an object (the CLI counts what it skipped by kind). */
export interface SkippedDocument extends LoadProblem {
  readonly kind?: string;
}

export interface LoadResult {
  readonly objects: SourcedObject[];
  readonly problems: LoadProblem[];
  /** One line per object of a kind netpol does not use. */
  readonly skipped: SkippedDocument[];
}

export interface LoadOptions {
  /** Reads standard input for the path `-`. */
  readonly readStdin?: () => string;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Whether a directory walk reads this file name: a manifest extension, and not hidden. */
export const isManifestName = (name: string): boolean =>
  !name.startsWith('.') && MANIFEST_EXTENSIONS.has(extname(name).toLowerCase());

/** Loads files, directories (recursively: .yaml, .yml, .json) and `-` for standard input. */
export function loadPaths(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const result: LoadResult = { objects: [], problems: [], skipped: [] };
  for (const path of paths) {
    for (const file of expandPath(path, result.problems)) {
      const text = readSource(file, options, result.problems);
      if (text !== undefined) appendResult(result, loadText(text, file === '-' ? '<stdin>' : file));
    }
  }
  return result;
}

/** Parses one YAML or JSON text that holds any number of documents. Never throws. */
export function loadText(text: string, file: string): LoadResult {
  const result: LoadResult = { objects: [], problems: [], skipped: [] };
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined): Location => {
    if (offset === undefined) return { file, line: 1 };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  let documents: Document.Parsed[];
  try {
    documents = [...parseAllDocuments(text, { lineCounter, version: '1.1', uniqueKeys: true, prettyErrors: false })];
  } catch (error) {
    result.problems.push({ location: { file, line: 1 }, message: `cannot parse: ${String(error)}` });
    return result;
  }
  for (const document of documents) {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        result.problems.push({ location: at(error.pos[0]), message: `YAML syntax error: ${firstLine(error.message)}` });
      }
      continue;
    }
    readDocument(document, at, result);
  }
  return result;
}

function readDocument(
  document: Document.Parsed,
  at: (offset: number | undefined) => Location,
  result: LoadResult,
): void {
  if (document.contents === null || (isScalar(document.contents) && document.contents.value === null)) return;
  let value: JSONValue;
  try {
    value = toJSONValue(document.toJS({ maxAliasCount: 1000 }));
  } catch (error) {
    result.problems.push({
      location: at(document.contents.range?.[0]),
      message: `cannot read document: ${String(error)}`,
    });
    return;
  }
  const locate = (path: FieldPath): Location => at(offsetOf(document, path));
  if (!isJSONObject(value)) {
    result.problems.push({ location: locate([]), message: 'document is not an object' });
    return;
  }
  readObject(value, [], locate, result, undefined);
}

/** Reads one object, expanding `List` and `*List` kinds into their items. */
function readObject(
  raw: JSONObject,
  prefix: FieldPath,
  locate: (path: FieldPath) => Location,
  result: LoadResult,
  list: { apiVersion: string; itemKind: string | undefined } | undefined,
): void {
  const here = (path: FieldPath): Location => locate([...prefix, ...path]);
  const apiVersion = stringField(raw['apiVersion']) ?? list?.apiVersion;
  const kind = stringField(raw['kind']) ?? list?.itemKind;
  if (apiVersion === undefined || kind === undefined) {
    const missing = [apiVersion === undefined ? 'apiVersion not set' : '', kind === undefined ? 'kind not set' : ''];
    result.problems.push({
      location: here([]),
      message: `not a Kubernetes object: ${missing.filter(Boolean).join(', ')}`,
    });
    return;
  }
  if (kind.endsWith('List') && Array.isArray(raw['items'])) {
    // Typed lists such as NetworkPolicyList omit kind and apiVersion on their items.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    raw['items'].forEach((item, index) => {
      const itemPath = [...prefix, 'items', index];
      if (isJSONObject(item)) readObject(item, itemPath, locate, result, { apiVersion, itemKind });
      else result.problems.push({ location: locate(itemPath), message: `${kind} item ${index} is not an object` });
    });
    return;
  }
  const metadata = isJSONObject(raw['metadata']) ? raw['metadata'] : {};
  const object: SourcedObject = {
    apiVersion,
    kind,
    name: stringField(metadata['name']) ?? '',
    namespace: stringField(metadata['namespace']),
    raw: { ...raw, apiVersion, kind },
    origin: here([]),
    locate: here,
  };
  if (knownKind(apiVersion, kind) === undefined) {
    result.skipped.push({
      location: object.origin,
      message: `skipped ${apiVersion} ${kind} ${objectKey(object)}: not a kind netpol uses`,
      kind,
    });
  } else {
    result.objects.push(object);
  }
}

/** The offset of a field's key (or list item) in the text, or of its nearest present ancestor. */
function offsetOf(document: Document.Parsed, path: FieldPath): number | undefined {
  let node: unknown = document.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) break;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

const rangeStart = (node: unknown): number | undefined =>
  (node as { range?: [number, number, number] } | null | undefined)?.range?.[0];

/** Keeps the data JSON-shaped: YAML 1.1 timestamps and binaries become strings. */
function toJSONValue(value: unknown): JSONValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJSONValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJSONValue(v)]));
  if (value instanceof Set) return [...value].map(toJSONValue);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer).toString('base64');
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJSONValue(v)]));
  }
  return String(value);
}

/** The manifest files a path names: itself, or a directory's .yaml, .yml and .json files, recursively, in name order. */
export function expandPath(path: string, problems: LoadProblem[]): string[] {
  if (path === '-') return ['-'];
  let stats;
  try {
    stats = statSync(path);
  } catch {
    problems.push({ location: { file: path, line: 0 }, message: 'no such file or directory' });
    return [];
  }
  if (!stats.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return expandPath(child, problems);
      return isManifestName(entry.name) ? [child] : [];
    });
}

function readSource(file: string, options: LoadOptions, problems: LoadProblem[]): string | undefined {
  try {
    if (file === '-') return (options.readStdin ?? (() => readFileSync(0, 'utf8')))();
    return readFileSync(file, 'utf8');
  } catch (error) {
    problems.push({ location: { file, line: 0 }, message: `cannot read: ${(error as Error).message}` });
    return undefined;
  }
}

export function appendResult(into: LoadResult, from: LoadResult): void {
  // Loops rather than spread: one file may hold more objects than a call may take arguments.
  for (const o of from.objects) into.objects.push(o);
  for (const p of from.problems) into.problems.push(p);
  for (const s of from.skipped) into.skipped.push(s);
}

const stringField = (value: JSONValue | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;
const firstLine = (message: string): string => message.split('\n')[0] ?? message;
