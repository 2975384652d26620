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
} from '../load/load.js';
import type { SourcedObject } from '../resources/source.js';

/** The objects a read took away and brought in, against the read before it. */
export interface ObjectChange {
  readonly removed: SourcedObject[];
  readonly added: SourcedObject[];
}

export interface CachedInputs extends Inputs {
  /** sha256 over each file's sha256, in file order: what `inputsDigest` gives for the same files. */
  readonly digest: string;
  /**
   * What the inputs hold that can be enforced: each file's objects that validate, and, for an object
   * that no longer validates, its last valid version; a file that stopped loading keeps its last good
   * objects. The objects of a cluster that would have refused every invalid write.
   */
  readonly objects: readonly SourcedObject[];
  /** How `objects` differ from the objects of the read before. */
  readonly change: ObjectChange;
  /** Paths, files and documents that could not be read or parsed: `load.problems`, and paths that are gone. */
  readonly failures: readonly LoadProblem[];
  /** Whether every file loaded and validated, without gathering anything. */
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
  /** What the file contributes to `objects`. */
  readonly objects: readonly SourcedObject[];
  /** Objects of an earlier read kept in `objects`, in place of what no longer loads or validates. */
  readonly kept: readonly SourcedObject[];
}

const isClean = (entry: CachedFile): boolean => entry.load.problems.length === 0 && entry.diagnostics.length === 0;

/** Which object a manifest describes, across versions of it: API group, kind, namespace and name. */
const identity = (o: SourcedObject): string =>
  `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}/${o.namespace ?? ''}/${o.name}`;

/**
 * Reads the same paths again and again, parsing and validating only the
 * files that changed. A long-running agent sees one small file change at a
 * time; parsing every manifest on every change would cost what the cluster
 * weighs, not what the change does. Objects of unchanged files are the same
 * objects as before, so everything derived from them by object can be
 * reused. Told which files changed, a read costs what they hold: the
 * objects, problems and digest of all the inputs are gathered only when
 * asked for, from the files as that read left them.
 *
 * The inputs stand for a cluster, and a cluster never holds what its API
 * server refuses: an object that does not validate is left out, or, if an
 * earlier version of it did, that version stays, as it would after a
 * refused update. A file that stops loading, a path that is gone and a file
 * that cannot be read keep what they held at their last good read.
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
    const present = paths.filter((path) => {
      if (exists(path)) return true;
      problems.push({ location: { file: path, line: 0 }, message: 'no such file or directory' });
      this.listings.set(path, this.listings.get(path) ?? []);
      return false;
    });
    // A change to an input path itself (a file given by name, replaced or back) walks the paths again.
    const incremental =
      changed !== undefined &&
      paths.length === this.listings.size &&
      paths.every((p) => this.listings.has(p) && !changed.has(p));
    if (incremental) this.update(present, changed, problems, change);
    else this.rescan(paths, present, changed, problems, change);

    const listings = paths.map((p) => this.listings.get(p)!);
    const gather = <T>(what: (inputs: Gathered) => T): (() => T) => {
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
    const objects = gather((g) => g.objects);
    // One update over the joined digests: the same hash as one update per file, for far less.
    const digest = gather((g) => createHash('sha256').update(g.digests.join('')).digest('hex'));
    for (const problem of problems)
      if (problem.message.startsWith('cannot read')) this.unreadable.add(problem.location.file);
    const valid = problems.length === 0 && this.unclean.size === 0;
    return {
      change,
      valid,
      get load(): LoadResult {
        return load();
      },
      get diagnostics(): readonly Diagnostic[] {
        return valid ? [] : diagnostics();
      },
      get failures(): readonly LoadProblem[] {
        return valid ? [] : load().problems;
      },
      get objects(): readonly SourcedObject[] {
        return objects();
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
      // A file under a path that is gone is not looked at: the path keeps what it held.
      if (!listed.has(file) && !paths.some((p) => isUnder(file, p))) continue;
      const before = this.files.get(file);
      const entry = listed.has(file) ? this.entry(file, undefined, problems) : undefined;
      this.replace(file, before, entry, change);
    }
  }

  /** Walks every path again, and looks at every file unless told which changed. */
  private rescan(
    paths: readonly string[],
    present: readonly string[],
    changed: ReadonlySet<string> | undefined,
    problems: LoadProblem[],
    change: ObjectChange,
  ): void {
    const previous = this.files;
    const previousListings = this.listings;
    this.files = new Map();
    this.listings = new Map();
    this.unclean = new Set();
    this.unreadable.clear();
    for (const path of paths) {
      const walked: LoadProblem[] = [];
      // A path that is gone, or a directory that cannot be read, keeps the files it listed.
      const files = present.includes(path)
        ? keepUnreadable(expandPath(path, walked, this.exclude), walked, previousListings.get(path) ?? [])
        : (previousListings.get(path) ?? []);
      pushAll(problems, walked);
      this.listings.set(path, files);
      for (const file of files) {
        if (this.files.has(file)) continue;
        const before = previous.get(file);
        previous.delete(file);
        const entry = present.includes(path) ? this.entry(file, changed, problems, before) : before;
        this.replace(file, before, entry, change);
      }
    }
    for (const before of previous.values()) pushAll(change.removed, before.objects);
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
    if (before?.objects === entry?.objects) return;
    const was = new Set(before?.objects ?? []);
    const is = new Set(entry?.objects ?? []);
    for (const o of was) if (!is.has(o)) change.removed.push(o);
    for (const o of is) if (!was.has(o)) change.added.push(o);
  }

  private gathered(listings: readonly (readonly string[])[], problems: readonly LoadProblem[]): Gathered {
    const load: LoadResult = { ...emptyLoadResult(), problems: [...problems] };
    const diagnostics: Diagnostic[] = [];
    const objects: SourcedObject[] = [];
    const digests: string[] = [];
    const seen = new Set<string>();
    for (const files of listings) {
      for (const file of files) {
        const entry = this.files.get(file);
        if (entry === undefined || seen.has(file)) continue;
        seen.add(file);
        appendResult(load, entry.load);
        pushAll(diagnostics, entry.diagnostics);
        pushAll(objects, entry.objects);
        digests.push(entry.digest);
      }
    }
    return { load, diagnostics, objects, digests };
  }

  /**
   * A file as it is now: the cached entry when its stamp says it has not changed; a fresh read
   * otherwise; the cached entry, with a problem, when it cannot be read; undefined when it is gone.
   */
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
      const diagnostics = validateObjects(load.objects);
      return { stamp, digest: digestOf(bytes), load, diagnostics, ...contribution(load, diagnostics, cached) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      problems.push({ location: { file, line: 0 }, message: `cannot read: ${(error as Error).message}` });
      return cached;
    }
  }
}

interface Gathered {
  load: LoadResult;
  diagnostics: Diagnostic[];
  objects: SourcedObject[];
  digests: string[];
}

/** What a freshly read file contributes, given what it contributed before. */
function contribution(
  load: LoadResult,
  diagnostics: readonly Diagnostic[],
  before: CachedFile | undefined,
): Pick<CachedFile, 'objects' | 'kept'> {
  // A file that does not load says nothing reliable about what it holds: a syntax error loses the rest of it.
  if (load.problems.length > 0 && before !== undefined) return { objects: before.objects, kept: before.objects };
  if (diagnostics.length === 0) return { objects: load.objects, kept: [] };
  const invalid = new Set(diagnostics.map((d) => d.object));
  const earlier = new Map((before?.objects ?? []).map((o) => [identity(o), o]));
  const objects: SourcedObject[] = [];
  const kept: SourcedObject[] = [];
  for (const object of load.objects) {
    if (!invalid.has(object)) objects.push(object);
    else {
      const last = earlier.get(identity(object));
      if (last !== undefined) {
        objects.push(last);
        kept.push(last);
      }
    }
  }
  return { objects, kept };
}

/** A walk's listing, with the files an earlier listing had under the directories this walk could not read. */
function keepUnreadable(listing: string[], walked: readonly LoadProblem[], earlier: readonly string[]): string[] {
  if (walked.length === 0) return listing;
  const unreadable = walked.map((p) => p.location.file);
  const kept = earlier.filter((file) => unreadable.some((dir) => isUnder(file, dir)));
  if (kept.length === 0) return listing;
  return [...new Set([...listing, ...kept])].sort((a, b) => compareWalkOrder(a.split(sep), b.split(sep)));
}

const isUnder = (file: string, dir: string): boolean =>
  file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep);

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

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
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
