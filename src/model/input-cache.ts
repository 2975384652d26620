import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { type Diagnostic, validateObjects } from '../validate/validate.js';
import type { Inputs } from './inputs.js';
import { type LoadProblem, type LoadResult, appendResult, expandPath, loadText } from './load.js';

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

  /**
   * `changed` names the files known to have changed (from a watcher); the
   * others are trusted without a look. Without it, every file is checked.
   */
  read(paths: readonly string[], changed?: ReadonlySet<string>): Inputs & { readonly digest: string } {
    const load: LoadResult = { objects: [], problems: [], skipped: [] };
    const diagnostics: Diagnostic[] = [];
    const digest = createHash('sha256');
    const next = new Map<string, CachedFile>();
    for (const path of paths) {
      for (const file of expandPath(path, load.problems)) {
        const entry = this.entry(file, changed, load.problems);
        if (entry === undefined) continue;
        next.set(file, entry);
        appendResult(load, entry.load);
        for (const d of entry.diagnostics) diagnostics.push(d);
        digest.update(entry.digest);
      }
    }
    this.files = next;
    return { load, diagnostics, digest: digest.digest('hex') };
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
