import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Diagnostic, validateObjects } from '../validate/validate.js';
import type { Inputs } from './inputs.js';
import {
  type LoadProblem,
  type LoadResult,
  appendResult,
  emptyLoadResult,
  exclusionTest,
  expandPath,
  isManifestName,
  loadText,
} from './load.js';
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
  /** Whether every file loaded and validated: `inputsAreValid`, without gathering the objects. */
  readonly valid: boolean;
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

const isClean = (entry: CachedFile): boolean => entry.load.problems.length === 0 && entry.diagnostics.length === 0;

/**
 * Reads the same paths again and again, parsing and validating only the
 * files that changed. A long-running agent sees one small file change at a
 * time; parsing every manifest on every change would cost what the cluster
 * weighs, not what the change does. Objects of unchanged files are the same
 * objects as before, so everything derived from them by object can be
 * reused. Told which files changed, a read costs what they hold: the
 * objects, problems and digest of all the inputs are gathered only when
 * asked for, from the files as that read left them.
 */
export class InputCache {
  private files = new Map<string, CachedFile>();
  /** Each input path's files, in the order a directory walk gives them. */
  private listings = new Map<string, string[]>();
  /** Files with a load problem or a validation error. */
  private unclean = new Set<string>();
  /** Listed files that could not be read: tried again on every read, as they may be readable now. */
  private unreadable = new Set<string>();
  /** Bumped by every read: what a read returns can be gathered until the next one. */
  private generation = 0;

  /** `exclude`: globs of files and directories to leave out, as `loadPaths` takes them. */
  constructor(private readonly exclude: readonly string[] = []) {}

  /**
   * `changed` names the files known to have changed (from a watcher); the
   * others are trusted without a look. Without it, every file is checked.
   */
  read(paths: readonly string[], changed?: ReadonlySet<string>): CachedInputs {
    const generation = ++this.generation;
    const problems: LoadProblem[] = [];
    const change: ObjectChange = { removed: [], added: [] };
    const incremental =
      changed !== undefined && paths.length === this.listings.size && paths.every((p) => this.listings.has(p));
    if (incremental) this.update(paths, changed, problems, change);
    else this.rescan(paths, changed, problems, change);

    const listings = paths.map((p) => this.listings.get(p)!);
    const gather = <T>(
      what: (inputs: { load: LoadResult; diagnostics: Diagnostic[]; digests: string[] }) => T,
    ): (() => T) => {
      let value: T | undefined;
      return () => {
        if (value !== undefined) return value;
        if (generation !== this.generation)
          throw new Error('these inputs were read over since: gather them before the next read');
        return (value = what(this.gathered(listings, problems)));
      };
    };
    const load = gather((g) => g.load);
    const diagnostics = gather((g) => g.diagnostics);
    // One update over the joined digests: the same hash as one update per file, for far less.
    const digest = gather((g) => createHash('sha256').update(g.digests.join('')).digest('hex'));
    for (const problem of problems) this.unreadable.add(problem.location.file);
    const valid = problems.length === 0 && this.unclean.size === 0;
    return {
      change,
      valid,
      get load(): LoadResult {
        return load();
      },
      get diagnostics(): readonly Diagnostic[] {
        return diagnostics();
      },
      get digest(): string {
        return digest();
      },
    };
  }

  /** Reads only the changed files, and moves them in and out of the listings. */
  private update(
    paths: readonly string[],
    changed: ReadonlySet<string>,
    problems: LoadProblem[],
    change: ObjectChange,
  ): void {
    for (const path of paths) relist(path, this.listings.get(path)!, changed, exclusionTest(path, this.exclude));
    const listed = new Set<string>();
    const looked = new Set([...changed, ...this.unreadable]);
    for (const file of looked) if (paths.some((p) => this.listings.get(p)!.includes(file))) listed.add(file);
    this.unreadable.clear();
    for (const file of looked) {
      const before = this.files.get(file);
      const entry = listed.has(file) ? this.entry(file, undefined, problems) : undefined;
      this.replace(file, before, entry, change);
    }
  }

  /** Walks every path again, and looks at every file unless told which changed. */
  private rescan(
    paths: readonly string[],
    changed: ReadonlySet<string> | undefined,
    problems: LoadProblem[],
    change: ObjectChange,
  ): void {
    const previous = this.files;
    this.files = new Map();
    this.listings = new Map();
    this.unclean = new Set();
    this.unreadable.clear();
    for (const path of paths) {
      const files = expandPath(path, problems, this.exclude);
      this.listings.set(path, files);
      for (const file of files) {
        if (this.files.has(file)) continue;
        const before = previous.get(file);
        previous.delete(file);
        this.replace(file, before, this.entry(file, changed, problems, before), change);
      }
    }
    for (const before of previous.values()) pushAll(change.removed, before.load.objects);
  }

  private replace(
    file: string,
    before: CachedFile | undefined,
    entry: CachedFile | undefined,
    change: ObjectChange,
  ): void {
    if (entry === undefined) {
      this.files.delete(file);
      this.unclean.delete(file);
    } else {
      this.files.set(file, entry);
      if (isClean(entry)) this.unclean.delete(file);
      else this.unclean.add(file);
    }
    if (before === entry) return;
    if (before !== undefined) pushAll(change.removed, before.load.objects);
    if (entry !== undefined) pushAll(change.added, entry.load.objects);
  }

  private gathered(
    listings: readonly (readonly string[])[],
    problems: readonly LoadProblem[],
  ): { load: LoadResult; diagnostics: Diagnostic[]; digests: string[] } {
    const load: LoadResult = { ...emptyLoadResult(), problems: [...problems] };
    const diagnostics: Diagnostic[] = [];
    const digests: string[] = [];
    const seen = new Set<string>();
    for (const files of listings) {
      for (const file of files) {
        const entry = this.files.get(file);
        if (entry === undefined || seen.has(file)) continue;
        seen.add(file);
        appendResult(load, entry.load);
        pushAll(diagnostics, entry.diagnostics);
        digests.push(entry.digest);
      }
    }
    return { load, diagnostics, digests };
  }

  private entry(
    file: string,
    changed: ReadonlySet<string> | undefined,
    problems: LoadProblem[],
    cached = this.files.get(file),
  ): CachedFile | undefined {
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
function relist(
  path: string,
  listing: string[],
  changed: ReadonlySet<string>,
  excluded: (path: string) => boolean,
): void {
  const segmentsOf = (file: string): string[] => relative(path, file).split(sep);
  for (const file of changed) {
    const segments = segmentsOf(file);
    if (segments[0] === '' || segments[0] === '..') continue;
    const walked = segments.every((s, i) => !s.startsWith('.') && !excluded(join(path, ...segments.slice(0, i + 1))));
    const wanted = isFile(file) && walked && isManifestName(segments.at(-1)!);
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
export function inputsDigest(paths: readonly string[], exclude: readonly string[] = []): string {
  const digest = createHash('sha256');
  for (const path of paths) {
    for (const file of expandPath(path, [], exclude)) digest.update(digestOf(readFileSync(file)));
  }
  return digest.digest('hex');
}

const digestOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function stampOf(file: string): string {
  const stats = statSync(file);
  return `${stats.mtimeMs}/${stats.size}/${stats.ino}`;
}
