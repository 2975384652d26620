import { discardPaths, parseYaml } from '../yaml/index.js';
import { jsonPositions, jsonValueEnd } from './json-positions.js';
import { DocumentPositions, type PositionNode } from './positions.js';
import { type JSONValue, isJSONObject } from '../util/json.js';

/** One document of a manifest text, with a way to find where its fields are. */
export interface TextDocument {
  readonly value: JSONValue;
  readonly positions: DocumentPositions;
}

/** Something wrong at an offset of the text: an error stops the text there, a warning does not. */
export interface TextProblem {
  readonly offset: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export interface ReadText {
  readonly documents: TextDocument[];
  readonly problems: TextProblem[];
}

/**
 * Reads a manifest text as kubectl does (apimachinery's YAMLOrJSONDecoder):
 * a text whose first non-space character is `{` is a stream of JSON values;
 * any other text is YAML, cut into documents at every line that starts with
 * `---`, each document read by go-yaml v2's rules. Documents that hold
 * nothing are left out. Reading stops at the first syntax error, as
 * kubectl's does.
 */
export function readDocuments(text: string): ReadText {
  const first = firstNonSpace(text);
  if (first < text.length && text.charCodeAt(first) === 0x7b) return readJSONStream(text, first);
  return readYamlStream(text);
}

function readJSONStream(text: string, first: number): ReadText {
  const documents: TextDocument[] = [];
  const problems: TextProblem[] = [];
  // Nearly every JSON manifest holds one value: parse it whole, the fastest way there is.
  const whole = tryJSON(text, 0);
  if (whole.ok) {
    documents.push(jsonDocument(text, first, whole.value));
    return { documents, problems };
  }
  for (let start = first; start < text.length; start = firstNonSpace(text, start)) {
    const end = jsonValueEnd(text, start) ?? text.length;
    const parsed = tryJSON(text.slice(start, end), start);
    if (!parsed.ok) {
      problems.push({ offset: parsed.offset, message: `JSON syntax error: ${parsed.message}`, severity: 'error' });
      break;
    }
    documents.push(jsonDocument(text, start, parsed.value));
    start = end;
  }
  return { documents, problems };
}

function jsonDocument(text: string, start: number, value: JSONValue): TextDocument {
  const reread = (node: PositionNode): PositionNode | undefined => jsonPositions(text, node.start, Infinity);
  return { value, positions: new DocumentPositions(() => jsonPositions(text, start, SHALLOW_DEPTH), reread) };
}

/** The levels recorded while reading: the document, its fields, and their items (a `List`'s objects). */
const SHALLOW_DEPTH = 2;

type JSONAttempt = { ok: true; value: JSONValue } | { ok: false; offset: number; message: string };

function tryJSON(text: string, base: number): JSONAttempt {
  try {
    return { ok: true, value: JSON.parse(text) as JSONValue };
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at === null ? text.length : Number(at[1]);
    return { ok: false, offset: base + offset, message: message.replace(/ in JSON at position \d+.*$/, '') };
  }
}

/**
 * Server-side apply's bookkeeping, often a third of a dump and nothing netpol reads (the loader
 * deletes it): left unbuilt while parsing, of the document's object and of a List's items.
 */
const MANAGED_FIELDS = discardPaths('metadata.managedFields', 'items.*.metadata.managedFields');
const OWN_MANAGED_FIELDS = discardPaths('metadata.managedFields');

function readYamlStream(text: string): ReadText {
  const documents: TextDocument[] = [];
  const problems: TextProblem[] = [];
  for (const chunk of yamlChunks(text)) {
    if (chunk.separatorError !== undefined) {
      problems.push({ offset: chunk.start, message: chunk.separatorError, severity: 'error' });
      break;
    }
    let parsed = parseYaml(text, { start: chunk.start, end: chunk.end, discard: MANAGED_FIELDS });
    if (hasItemsOfNoList(parsed.value)) {
      // Its items are a field of the object, kept whole; its kind came too late to know before.
      parsed = parseYaml(text, { start: chunk.start, end: chunk.end, discard: OWN_MANAGED_FIELDS });
    }
    for (const w of parsed.warnings) problems.push({ ...w, severity: 'warning' });
    if (parsed.error !== undefined) {
      problems.push({
        offset: parsed.error.offset,
        message: `YAML syntax error: ${parsed.error.message}`,
        severity: 'error',
      });
      break;
    }
    if (parsed.value === undefined || parsed.value === null) continue;
    const shallow = parsed.positions;
    const reread = (node: PositionNode): PositionNode | undefined =>
      parseYaml(text, { start: node.start, end: node.end, column: node.column, positions: 'full' }).positions;
    documents.push({ value: parsed.value, positions: new DocumentPositions(() => shallow, reread) });
  }
  return { documents, problems };
}

/** An object with an `items` field that the loader will not expand as a List (see readObject in load.ts). */
function hasItemsOfNoList(value: JSONValue | undefined): boolean {
  if (!isJSONObject(value) || !Object.hasOwn(value, 'items')) return false;
  const { apiVersion, kind, items } = value;
  return !(typeof apiVersion === 'string' && typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items));
}

interface Chunk {
  readonly start: number;
  readonly end: number;
  /** Set when the line that ends the chunk is `---` followed by something other than a comment. */
  readonly separatorError?: string;
}

/**
 * apimachinery's YAMLReader: a line starting with `---` ends a document; only a comment may follow it.
 * Only the places where `---` occurs are looked at (a native search), not every line.
 */
function* yamlChunks(text: string): Generator<Chunk> {
  let start = 0;
  for (let at = text.indexOf('---'); at !== -1; at = text.indexOf('---', at + 3)) {
    if (at > 0 && text.charCodeAt(at - 1) !== 0x0a) continue;
    const newline = text.indexOf('\n', at + 3);
    const next = newline === -1 ? text.length : newline + 1;
    const rest = text.slice(at + 3, next).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      yield { start: at, end: next, separatorError: `invalid YAML document separator: ${rest}` };
      return;
    }
    if (at > start) yield { start, end: at };
    start = next;
    // Go on after this line.
    at = next - 3;
  }
  if (text.length > start) yield { start, end: text.length };
}

function firstNonSpace(text: string, from = 0): number {
  let at = from;
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}
