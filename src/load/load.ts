import { type Dirent, closeSync, fstatSync, openSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { type TextDocument, readDocuments } from './documents.js';
import { knownKind, versionNetpolReads } from '../resources/kinds.js';
import { LazyLocation, LineIndex } from './positions.js';
import { type FieldPath, type Location } from '../util/location.js';
import { type JSONObject, isJSONObject } from '../util/json.js';
import { type SourcedObject, objectKey } from '../resources/source.js';

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
  /** One entry per object of a kind netpol does not use, and per document that is not a Kubernetes object. */
  readonly skipped: SkippedDocument[];
  /** Accepted, as kubectl accepts it, but worth a word: a key given twice. */
  readonly warnings: LoadProblem[];
}

export interface LoadOptions {
  /** Reads standard input for the path `-`. */
  readonly readStdin?: () => string;
  /** Globs of files and directories to leave out of directory walks: a pattern without `/` matches a name anywhere. */
  readonly exclude?: readonly string[];
  /** Inputs larger than this are refused rather than read. */
  readonly maxInputBytes?: number;
}

/** The default for `maxInputBytes`; above it a reader should ask for the flag. */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 2 ** 20;
/** The longest text a JavaScript string holds; no flag can raise a limit past it. */
export const LARGEST_INPUT_BYTES = 0x1fffffe8;

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Whether a directory walk reads this file name: a manifest extension, and not hidden. */
export const isManifestName = (name: string): boolean =>
  !name.startsWith('.') && MANIFEST_EXTENSIONS.has(extname(name).toLowerCase());

export const emptyLoadResult = (): LoadResult => ({ objects: [], problems: [], skipped: [], warnings: [] });

/** Loads files, directories (recursively: .yaml, .yml, .json) and `-` for standard input. */
export function loadPaths(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const result = emptyLoadResult();
  for (const path of paths) {
    for (const file of expandPath(path, result.problems, options.exclude)) {
      const text = readSource(file, options, result.problems);
      if (text !== undefined) appendResult(result, loadText(text, file === '-' ? '<stdin>' : file));
    }
  }
  return result;
}

/** Reads one YAML or JSON text that holds any number of documents, as kubectl reads it. Never throws. */
export function loadText(text: string, file: string): LoadResult {
  const result = emptyLoadResult();
  const lines = new LineIndex(text);
  const at = (offset: number): Location => new LazyLocation(file, () => offset, lines);
  const read = readDocuments(text);
  for (const problem of read.problems) {
    const into = problem.severity === 'error' ? result.problems : result.warnings;
    into.push({ location: at(problem.offset), message: problem.message });
  }
  for (const document of read.documents) readDocument(document, file, lines, result);
  return result;
}

function readDocument(document: TextDocument, file: string, lines: LineIndex, result: LoadResult): void {
  const locate = (path: FieldPath): Location => new LazyLocation(file, () => document.positions.offsetOf(path), lines);
  if (!isJSONObject(document.value)) {
    const what = Array.isArray(document.value) ? 'a list' : `a ${typeof document.value}`;
    result.skipped.push({
      location: locate([]),
      message: `skipped a document that is ${what}, not a Kubernetes object`,
    });
    return;
  }
  readObject(document.value, [], locate, result, undefined);
}

/** Reads one object, expanding `List` and `*List` kinds into their items. */
function readObject(
  raw: JSONObject,
  prefix: FieldPath,
  locate: (path: FieldPath) => Location,
  result: LoadResult,
  list: { apiVersion: string; itemKind: string | undefined } | undefined,
): void {
  const here = (path: FieldPath): Location => locate(prefix.length === 0 ? path : [...prefix, ...path]);
  const apiVersion = stringField(raw, 'apiVersion') ?? list?.apiVersion;
  const kind = stringField(raw, 'kind') ?? list?.itemKind;
  if (apiVersion === undefined && kind === undefined) {
    const message = 'skipped a document with neither apiVersion nor kind: not a Kubernetes object';
    result.skipped.push({ location: here([]), message });
    return;
  }
  if (apiVersion === undefined || kind === undefined) {
    const missing = apiVersion === undefined ? 'apiVersion' : 'kind';
    result.problems.push({
      location: here([]),
      message: `${kind ?? apiVersion} object without ${missing}: set ${missing}`,
    });
    return;
  }
  const items = Object.hasOwn(raw, 'items') ? raw['items'] : undefined;
  if (kind.endsWith('List') && Array.isArray(items)) {
    // Typed lists such as NetworkPolicyList omit kind and apiVersion on their items.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    items.forEach((item, index) => {
      const itemPath = [...prefix, 'items', index];
      if (isJSONObject(item)) readObject(item, itemPath, locate, result, { apiVersion, itemKind });
      else result.problems.push({ location: locate(itemPath), message: `${kind} item ${index} is not an object` });
    });
    return;
  }
  const metadata = Object.hasOwn(raw, 'metadata') && isJSONObject(raw['metadata']) ? raw['metadata'] : {};
  // Server-side apply's bookkeeping: often most of a dump's bytes, and nothing netpol reads.
  if (Object.hasOwn(metadata, 'managedFields')) delete metadata['managedFields'];
  const object: SourcedObject = {
    apiVersion,
    kind,
    name: stringField(metadata, 'name') ?? '',
    namespace: stringField(metadata, 'namespace'),
    raw: raw['apiVersion'] === apiVersion && raw['kind'] === kind ? raw : { ...raw, apiVersion, kind },
    origin: here([]),
    locate: here,
  };
  if (knownKind(apiVersion, kind) === undefined) {
    const readsAs = versionNetpolReads(apiVersion, kind);
    const why = readsAs === undefined ? 'not a kind netpol uses' : `netpol reads ${kind} as ${readsAs}`;
    result.skipped.push({
      location: object.origin,
      message: `skipped ${apiVersion} ${kind} ${objectKey(object)}: ${why}`,
      kind,
    });
  } else {
    result.objects.push(object);
  }
}

/**
 * The manifest files a path names: itself, or a directory's .yaml, .yml and
 * .json files, recursively, in name order, leaving out hidden names and what
 * `exclude` matches. A directory that cannot be read is reported and passed over.
 */
export function expandPath(path: string, problems: LoadProblem[], exclude: readonly string[] = []): string[] {
  if (path === '-') return ['-'];
  let stats;
  try {
    stats = statSync(path);
  } catch {
    problems.push({ location: { file: path, line: 0 }, message: 'no such file or directory' });
    return [];
  }
  if (!stats.isDirectory()) return [path];
  const excluded = exclusionTest(path, exclude);
  // Symbolic links are followed, so a link back up the tree (or two links to one directory) would read a
  // directory again and again: each directory is walked once, by its real path.
  const walked = new Set<string>();
  const walk = (dir: string): string[] => {
    if (!firstVisit(walked, dir)) return [];
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problems.push({ location: { file: dir, line: 0 }, message: `cannot read directory: ${reason(error)}` });
      return [];
    }
    return entries
      .filter((entry) => !entry.name.startsWith('.') && !excluded(join(dir, entry.name)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .flatMap((entry) => {
        const child = join(dir, entry.name);
        if (isDirectory(entry, child)) return walk(child);
        return isManifestName(entry.name) ? [child] : [];
      });
  };
  return walk(path);
}

/** Whether `dir` is not yet in `walked` (by real path), adding it; a path that cannot be resolved counts as new. */
function firstVisit(walked: Set<string>, dir: string): boolean {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return true;
  }
  if (walked.has(real)) return false;
  walked.add(real);
  return true;
}

/** A test for the paths under `root` that some pattern names: by name anywhere, or by path from the root. */
export function exclusionTest(root: string, patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  const byName = picomatch(
    patterns.filter((p) => !p.includes('/')),
    { dot: true },
  );
  const byPath = picomatch(
    patterns.filter((p) => p.includes('/')),
    { dot: true },
  );
  return (path) => byName(basename(path)) || byPath(relative(root, path).split(sep).join('/')) || byPath(path);
}

/** Symbolic links are followed, as a directory walk by kubectl follows them. */
function isDirectory(entry: Dirent, path: string): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readSource(file: string, options: LoadOptions, problems: LoadProblem[]): string | undefined {
  const limit = Math.min(options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES, LARGEST_INPUT_BYTES);
  const location = { file: file === '-' ? '<stdin>' : file, line: 0 };
  try {
    if (file === '-' && options.readStdin !== undefined) return options.readStdin();
    const bytes = readLimited(file === '-' ? 0 : file, limit);
    if (bytes === undefined) {
      problems.push({ location, message: tooLarge(limit) });
      return undefined;
    }
    return bytes.toString('utf8');
  } catch (error) {
    problems.push({ location, message: `cannot read: ${reason(error)}` });
    return undefined;
  }
}

export const tooLarge = (limit: number): string =>
  `larger than ${formatBytes(limit)}: refused, to keep memory in bounds` +
  (limit < LARGEST_INPUT_BYTES ? '; raise --max-input-bytes to read it' : '');

const formatBytes = (bytes: number): string =>
  bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : `${bytes.toLocaleString('en-US')} bytes`;

/**
 * A file's bytes, or undefined if it holds more than `limit`; reads a pipe in pieces, so its size is known only
 * at its end.
 */
function readLimited(source: string | number, limit: number): Buffer | undefined {
  const fd = typeof source === 'number' ? source : openSync(source, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > limit) return undefined;
    const pieces: Buffer[] = [];
    let total = 0;
    for (;;) {
      const piece = Buffer.allocUnsafe(Math.max(size - total + 1, 1 << 20));
      let count: number;
      try {
        count = readSync(fd, piece, 0, piece.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        if ((error as NodeJS.ErrnoException).code === 'EOF') break;
        throw error;
      }
      if (count === 0) break;
      total += count;
      if (total > limit) return undefined;
      pieces.push(count === piece.length ? piece : piece.subarray(0, count));
    }
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, total);
  } finally {
    if (typeof source !== 'number') closeSync(fd);
  }
}

export function appendResult(into: LoadResult, from: LoadResult): void {
  // Loops rather than spread: one file may hold more objects than a call may take arguments.
  for (const o of from.objects) into.objects.push(o);
  for (const p of from.problems) into.problems.push(p);
  for (const s of from.skipped) into.skipped.push(s);
  for (const w of from.warnings) into.warnings.push(w);
}

const stringField = (object: JSONObject, key: string): string | undefined => {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  return typeof value === 'string' ? value : undefined;
};

const reason = (error: unknown): string => {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOENT') return 'no such file or directory';
  return message;
};
