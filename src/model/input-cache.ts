import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { type Diagnostic, validateObjects } from '../validate/validate.js';
import type { Inputs } from './inputs.js';
import { type LoadProblem, type LoadResult, appendResult, expandPath, isManifestName, loadText } from './load.js';
import type { SourcedObject } from './source.js';

/** The objects a read took away and brought in, against the read before it. */
export interface ObjectChange {
  readonly removed: SourcedObject[];
  readonly added: SourcedObject[];
}

export interface CachedInputs extends Inputs {
  /** sha256 over each file's sha256, in file order: what `inputsDigest` gives for the same files. */
  readonly digest: string;
  readonly change: ObjectChange;
}

const pushAll = <T>(into: T[], from: readonly T[]): void => {
  for (const item of from) into.push(item);
};

interface CachedFile {
  /** Modification time, size and inode: a file replaced by a rename gets a new inode. */
  readonly stamp: string;
  readonly digest: string;
  readonly load: LoadResult;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads the same paths again and again, parsing and validating only the
 * files that changed. A long-running agent sees one small file change at a
 * time; parsing every manifest on every change would cost what the cluster
 * weighs, not what the change does. Objects of unchanged files are the same
 * objects as before, so everything derived from them by object can be reused.
 */
export class InputCache {
  private files = new Map<string, CachedFile>();
  /** Each input path's files, in the order a directory walk gives them. */
  private listings = new Map<string, string[]>();

  /**
   * `changed` names the files known to have changed (from a watcher); the
   * others are trusted without a look. Without it, every file is checked.
   */
  read(paths: readonly string[], changed?: ReadonlySet<string>): CachedInputs {
    const load: LoadResult = { objects: [], problems: [], skipped: [] };
    const diagnostics: Diagnostic[] = [];
    const next = new Map<string, CachedFile>();
    const listings = new Map<string, string[]>();
    const change: ObjectChange = { removed: [], added: [] };
    for (const path of paths) {
      const previous = this.listings.get(path);
      const files = changed !== undefined && previous !== undefined ? relisted(path, previous, changed) : expandPath(path, load.problems);
      listings.set(path, files);
      for (const file of files) {
        const entry = this.entry(file, changed, load.problems);
        if (entry === undefined) continue;
        next.set(file, entry);
        const before = this.files.get(file);
        if (before !== entry) {
          if (before !== undefined) pushAll(change.removed, before.load.objects);
          pushAll(change.added, entry.load.objects);
        }
        appendResult(load, entry.load);
        pushAll(diagnostics, entry.diagnostics);
      }
    }
    for (const [file, before] of this.files) if (!next.has(file)) pushAll(change.removed, before.load.objects);
    const entries = [...next.values()];
    this.files = next;
    this.listings = listings;
    let digest: string | undefined;
    return {
      load,
      diagnostics,
      change,
      // One update over the joined digests: the same hash as one update per file, for far less; and only when asked.
      get digest(): string {
        return (digest ??= createHash('sha256').update(entries.map((e) => e.digest).join('')).digest('hex'));
      },
    };
  }

  private entry(file: string, changed: ReadonlySet<string> | undefined, problems: LoadProblem[]): CachedFile | undefined {
    const cached = this.files.get(file);
    if (cached !== undefined && changed !== undefined && !changed.has(file)) return cached;
    try {
      const stamp = stampOf(file);
      if (cached?.stamp === stamp) return cached;
      const bytes = readFileSync(file);
      const load = loadText(bytes.toString('utf8'), file);
      return { stamp, digest: digestOf(bytes), load, diagnostics: validateObjects(load.objects) };
    } catch (error) {
      problems.push({ location: { file, line: 0 }, message: `cannot read: ${(error as Error).message}` });
      return undefined;
    }
  }
}

/**
 * A directory's listing after some of its files changed, without walking it
 * again: changed manifests that exist are in it, the others are not.
 */
function relisted(path: string, files: readonly string[], changed: ReadonlySet<string>): string[] {
  const listing = [...files];
  const segmentsOf = (file: string): string[] => relative(path, file).split(sep);
  for (const file of changed) {
    const segments = segmentsOf(file);
    if (segments[0] === '' || segments[0] === '..') continue;
    const wanted = isFile(file) && segments.every((s) => !s.startsWith('.')) && isManifestName(segments.at(-1)!);
    // Binary search: the listing is in walk order.
    let low = 0;
    let high = listing.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareWalkOrder(segmentsOf(listing[middle]!), segments) < 0) low = middle + 1;
      else high = middle;
    }
    const present = listing[low] === file;
    if (wanted && !present) listing.splice(low, 0, file);
    if (!wanted && present) listing.splice(low, 1);
  }
  return listing;
}

/** The order of a directory walk that sorts each directory's entries by name. */
function compareWalkOrder(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The digest InputCache reports, for inputs read directly: what a watcher compares with an agent's status. */
export function inputsDigest(paths: readonly string[]): string {
  const digest = createHash('sha256');
  for (const path of paths) for (const file of expandPath(path, [])) digest.update(digestOf(readFileSync(file)));
  return digest.digest('hex');
}

const digestOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function stampOf(file: string): string {
  const stats = statSync(file);
  return `${stats.mtimeMs}/${stats.size}/${stats.ino}`;
}
