import { type FSWatcher, type Stats, readdirSync, statSync, watch } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { isManifestName } from '../load/load.js';
import { InputCache } from '../pipeline/input-cache.js';
import type { PolicySource, SourceHealth, SourceSnapshot } from './source.js';

export interface FileSourceOptions {
  /** Files and directories (walked recursively), as the CLI takes them. */
  readonly paths: readonly string[];
  /** Globs of files and directories under `paths` to leave out, as `--exclude` takes them. */
  readonly exclude?: readonly string[];
  /**
   * How long the watched paths must be quiet before a change that removes files is read (100 ms):
   * `rm -rf` of a directory deletes its files one by one before the directory, and the directory
   * must be seen gone, not empty.
   */
  readonly settleMs?: number;
  /** Every this often, every file is looked at again, in case a watch missed an event; 0: never. */
  readonly rescanMs?: number;
  /** How often a path that is gone is looked for, beside the watch on the directory that would hold it. */
  readonly pollMs?: number;
  /** What the source does on its own (watches lost and made again); problems in the inputs go out in snapshots. */
  readonly log?: (message: string) => void;
}

interface Watched {
  readonly watcher: FSWatcher;
  /**
   * Which directory was watched: its inode and birth time. A directory deleted and made again is
   * another one, whose watch must be made again, and it often gets the same inode number back.
   */
  readonly identity: string;
}

const identityOf = (stats: Stats): string => `${stats.ino}/${stats.birthtimeMs}`;

/**
 * The cluster as a directory of manifests says it (files today; the Kubernetes API is KubeSource):
 * one watch per directory of each tree, a file watched through its directory (editors and the lab
 * replace files by renaming), and an InputCache that reads again only the files a watch named.
 *
 * No event can stop it: a file or directory that is gone by the time an event is looked at, a watch
 * that fails, a directory made and removed in a loop, all end in reading the paths again. A path
 * that is gone keeps what it held (the snapshot says so in `failures`) and is followed again as soon
 * as it comes back. Changes that remove files wait until the paths have been quiet for `settleMs`,
 * so that a directory being deleted is seen gone rather than emptied.
 */
export class FileSource implements PolicySource {
  private readonly cache: InputCache;
  private readonly settleMs: number;
  private readonly watched = new Map<string, Watched>();
  /** The paths that were gone when last looked at. */
  private readonly missing = new Set<string>();
  /** Whether the first read is done: watches made from then on are followed by reading everything. */
  private reading = false;
  /** Watches on the directories that would hold a path that is gone, by that directory. */
  private readonly lookouts = new Map<string, FSWatcher>();
  private readonly listeners: (() => void)[] = [];
  /** Files named by events since the last read. */
  private pending = new Set<string>();
  /** Those of them that were gone when their event came. */
  private gone = new Set<string>();
  /** Whether everything must be looked at again (a directory came or went, a watch failed, a rescan). */
  private pendingAll = true;
  private lastEventAt: number | undefined;
  /** No event since the last settle timer fired: removals and full reads may be taken. */
  private quiet = true;
  private oldestPendingAt: number | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private rewatchTimer: NodeJS.Timeout | undefined;
  private lastWatchError: string | undefined;
  private notifyQueued = false;
  /** Resolves start() once every path exists. */
  private whenAllExist: (() => void) | undefined;
  private started = false;
  private stopped = false;
  private errors = 0;

  constructor(private readonly options: FileSourceOptions) {
    this.cache = new InputCache(options.exclude);
    this.settleMs = options.settleMs ?? 100;
  }

  /**
   * Watches before the first read, so that nothing written meanwhile is missed, and resolves once
   * every path exists: a source that has never been read has no last good state to keep, and what
   * the kernel holds (a previous run's rules) stays until it can be read.
   */
  async start(): Promise<void> {
    this.started = true;
    this.followPaths();
    const every = this.options.rescanMs ?? 0;
    if (every > 0) this.rescanTimer = setInterval(() => this.rescan(), every);
    const missing = this.options.paths.filter((p) => !exists(p));
    if (missing.length === 0) return;
    this.options.log?.(`waiting for ${missing.join(', ')} to exist: nothing is read or applied until then`);
    await new Promise<void>((resolve) => (this.whenAllExist = resolve));
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Everything is looked at again, once the paths are quiet; listeners hear of it if anything changed. */
  rescan(): void {
    this.pendingAll = true;
    this.heard();
  }

  read(): SourceSnapshot {
    const settled = this.quiet;
    const first = !this.reading;
    let changed: Set<string> | undefined;
    if (first || (this.pendingAll && settled)) {
      changed = undefined;
      this.pendingAll = false;
      this.pending = new Set();
      this.gone = new Set();
      this.pruneWatches();
    } else if (settled) {
      changed = this.pending;
      this.pending = new Set();
      this.gone = new Set();
    } else {
      // What is gone waits for the quiet; what is there is read now.
      changed = new Set([...this.pending].filter((file) => !this.gone.has(file)));
      for (const file of changed) this.pending.delete(file);
    }
    if (this.pending.size === 0 && !this.pendingAll) this.oldestPendingAt = undefined;
    // What waits for the quiet is read when it comes, whoever asked for this read.
    if ((this.pendingAll || this.pending.size > 0) && this.settleTimer === undefined) this.settleSoon();
    const inputs = this.cache.read(this.options.paths, changed);
    this.reading = true;
    if (inputs.failures.length > 0) this.errors++;
    return {
      get objects() {
        return inputs.objects;
      },
      get problems() {
        return inputs.diagnostics;
      },
      get failures() {
        return inputs.failures;
      },
      get version() {
        return inputs.digest;
      },
      change: inputs.change,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.whenAllExist?.();
    this.whenAllExist = undefined;
    clearTimeout(this.settleTimer);
    clearTimeout(this.rewatchTimer);
    clearInterval(this.rescanTimer);
    clearInterval(this.pollTimer);
    for (const { watcher } of this.watched.values()) watcher.close();
    for (const watcher of this.lookouts.values()) watcher.close();
    this.watched.clear();
    this.lookouts.clear();
  }

  health(): SourceHealth {
    const now = Date.now();
    return {
      synced: this.started && this.options.paths.every(exists),
      ...(this.lastEventAt !== undefined ? { lastEventAgeMs: now - this.lastEventAt } : {}),
      errors: this.errors,
      ...(this.oldestPendingAt !== undefined ? { watchLagMs: now - this.oldestPendingAt } : {}),
      resources: [...this.options.paths],
    };
  }

  /**
   * Watches every path that exists, and the directory that would hold each one that does not. A
   * watch made after the start may have missed what was written before it: everything is read again.
   */
  private followPaths(): void {
    let made = false;
    const back: string[] = [];
    for (const path of this.options.paths) {
      const stats = statOrUndefined(path);
      if (stats === undefined) {
        this.missing.add(path);
        this.forget(path);
        this.lookFor(path);
        continue;
      }
      if (this.missing.delete(path)) back.push(path);
      made = (stats.isDirectory() ? this.watchTree(path) : this.watchDirectory(dirname(path))) || made;
    }
    if (this.missing.size > 0 && this.pollTimer === undefined && !this.stopped) {
      this.pollTimer = setInterval(() => this.poll(), this.options.pollMs ?? 1000);
    } else if (this.missing.size === 0 && this.pollTimer !== undefined) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
      for (const watcher of this.lookouts.values()) watcher.close();
      this.lookouts.clear();
    }
    if (back.length > 0) this.options.log?.(`${back.join(', ')} is back: reading everything again`);
    if (made && this.reading) this.rescan();
  }

  /** One watch per directory of the tree, made before this returns: Node's recursive watch on Linux walks later. */
  private watchTree(directory: string): boolean {
    const stats = statOrUndefined(directory);
    if (stats === undefined || !stats.isDirectory()) return false;
    let made = this.watchDirectory(directory, stats);
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return made; // gone already, or unreadable: the read reports it
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.'))
        made = this.watchTree(join(directory, entry.name)) || made;
    }
    return made;
  }

  /** Watches a directory unless the same directory is watched already; true when a watch was made. */
  private watchDirectory(directory: string, stats = statOrUndefined(directory)): boolean {
    const known = this.watched.get(directory);
    if (stats === undefined) return false;
    const identity = identityOf(stats);
    if (known !== undefined && known.identity === identity) return false;
    known?.watcher.close();
    this.watched.delete(directory);
    try {
      const watcher = watch(directory, (_event, name) => this.event(directory, name));
      watcher.on('error', (error) => this.lost(directory, error));
      this.watched.set(directory, { watcher, identity });
      return true;
    } catch (error) {
      this.lost(directory, error as Error);
      return false;
    }
  }

  /** Watches the nearest directory that exists on the way to a path that does not, to see it come back. */
  private lookFor(path: string): void {
    let directory = dirname(path);
    while (statOrUndefined(directory) === undefined && dirname(directory) !== directory) directory = dirname(directory);
    if (this.lookouts.has(directory)) return;
    try {
      const watcher = watch(directory, (_event, name) => {
        if (name === null || isOnTheWay(join(directory, name), path)) this.poll();
      });
      watcher.on('error', () => {
        watcher.close();
        this.lookouts.delete(directory);
      });
      this.lookouts.set(directory, watcher);
    } catch {
      // The poll looks for it all the same.
    }
  }

  /** Whether any path that was gone has come back: then its watches are made again and everything read. */
  private poll(): void {
    if (this.stopped) return;
    try {
      if (this.whenAllExist !== undefined && this.options.paths.every(exists)) {
        this.whenAllExist();
        this.whenAllExist = undefined;
      }
      if ([...this.missing].some(exists)) return this.followPaths();
      // A directory on the way may have come: the watch moves down to it.
      for (const path of this.missing) this.lookFor(path);
    } catch (error) {
      this.options.log?.(`looking for the watched paths failed: ${(error as Error).message}`);
    }
  }

  /** Closes the watches of a path that is gone, and of every directory under it. */
  private forget(path: string): void {
    for (const [directory, { watcher }] of this.watched) {
      if (isOnTheWay(path, directory)) {
        watcher.close();
        this.watched.delete(directory);
      }
    }
  }

  private event(directory: string, name: string | Buffer | null): void {
    if (this.stopped) return;
    try {
      const here = statOrUndefined(directory);
      if (here === undefined || identityOf(here) !== this.watched.get(directory)?.identity) {
        // The watched directory itself is gone, or is another one now: its watches go, and the paths are
        // followed again (a path that is gone is looked out for; one made again is watched and read).
        this.forget(directory);
        this.pendingAll = true;
        this.followPaths();
      } else if (name === null) {
        this.pendingAll = true;
      } else {
        const path = join(directory, name.toString());
        if (!this.concerns(path)) return;
        this.pending.add(path);
        const stats = statOrUndefined(path);
        if (stats === undefined) this.gone.add(path);
        else this.gone.delete(path);
        // A directory that came or went: watched (or forgotten), and everything read again.
        if (stats?.isDirectory() === true || this.watched.has(path)) {
          this.pendingAll = true;
          if (stats?.isDirectory() === true && this.isUnderAPath(path)) this.watchTree(path);
          else this.forget(path);
        }
        // A file given by name that went (moved away, deleted): looked out for.
        if (this.options.paths.includes(path) && stats === undefined) this.followPaths();
      }
    } catch (error) {
      // Nothing an event brings may stop the source: read everything again instead.
      this.options.log?.(`a watch event could not be handled (${(error as Error).message}): reading everything`);
      this.pendingAll = true;
    }
    this.heard();
  }

  /** A watch that failed (its directory deleted under it, or no watches left): read everything, watch again. */
  private lost(directory: string, error: Error): void {
    const known = this.watched.get(directory);
    known?.watcher.close();
    this.watched.delete(directory);
    const message = `the watch on ${directory} failed: ${error.message}`;
    // Said once: a watch that cannot be made (no inotify watches left) fails again on every try.
    if (!this.stopped && (error as NodeJS.ErrnoException).code !== 'ENOENT' && message !== this.lastWatchError)
      this.options.log?.(`${message}; reading everything, and watching again in a moment`);
    this.lastWatchError = message;
    this.pendingAll = true;
    this.watchAgainSoon();
    this.heard();
  }

  /** Watches are made again from a timer, never from inside a failure: a watch that keeps failing must not recurse. */
  private watchAgainSoon(): void {
    if (this.rewatchTimer !== undefined || this.stopped) return;
    this.rewatchTimer = setTimeout(() => {
      this.rewatchTimer = undefined;
      if (this.stopped) return;
      try {
        this.followPaths();
      } catch (error) {
        this.options.log?.(`watching the paths again failed: ${(error as Error).message}`);
      }
    }, this.options.pollMs ?? 1000);
  }

  /** Whether an event about this path can change what is read: a watched path, or a manifest or directory under one. */
  private concerns(path: string): boolean {
    if (this.options.paths.includes(path) || this.watched.has(path)) return true;
    if (!this.isUnderAPath(path)) return false;
    return isManifestName(basename(path)) || statOrUndefined(path)?.isDirectory() === true;
  }

  private isUnderAPath(path: string): boolean {
    return this.options.paths.some((p) => {
      const rel = relative(p, path);
      return rel !== '' && !rel.startsWith('..') && !rel.split(sep).some((s) => s.startsWith('.'));
    });
  }

  /** Watches on directories that are gone, or are another directory by now, are closed. */
  private pruneWatches(): void {
    for (const [directory, { watcher, identity }] of this.watched) {
      const stats = statOrUndefined(directory);
      if (stats === undefined || identityOf(stats) !== identity) {
        watcher.close();
        this.watched.delete(directory);
      }
    }
    this.followPaths();
  }

  /**
   * Tells the listeners, coalescing bursts: at once (on the next turn) when a file an event named is
   * there, and again after `settleMs` of quiet when something is gone or everything is to be read.
   */
  private heard(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.lastEventAt = now;
    this.oldestPendingAt ??= now;
    this.quiet = false;
    if (this.pendingAll || this.gone.size > 0) this.settleSoon();
    // Files that are there are read at once; what is gone waits.
    if (this.pending.size > this.gone.size) this.notify();
  }

  /**
   * (Again) `settleMs` from now, the paths are quiet: said by the timer itself, not by comparing clocks,
   * as a timer may fire a little before its delay has passed by the wall clock.
   */
  private settleSoon(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.quiet = true;
      this.notify();
    }, this.settleMs);
  }

  private notify(): void {
    if (this.notifyQueued || this.stopped) return;
    this.notifyQueued = true;
    setImmediate(() => {
      this.notifyQueued = false;
      if (this.stopped) return;
      for (const listener of this.listeners) listener();
    });
  }
}

/** Whether `candidate` is `path` or a directory on the way to it. */
const isOnTheWay = (candidate: string, path: string): boolean =>
  candidate === path || path.startsWith(candidate.endsWith(sep) ? candidate : candidate + sep);

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

const exists = (path: string): boolean => statOrUndefined(path) !== undefined;
