/**
 * Values a reader does not want, named by path, for parseYaml's `discard` option: the composer
 * reads them as go-yaml would (every syntax error, every node counted) but builds nothing for them.
 * netpol's loader discards server-side apply's `metadata.managedFields`, often a third of a dump.
 *
 * A path is mapping keys joined by dots, `*` standing for every item of a sequence:
 * `metadata.managedFields`, `items.*.metadata.managedFields`. A path ends with a key (an item
 * left out would shift the others). Keys are matched by their JSON spelling (YAML `1` and `"1"`
 * both are "1"). A key that contains a dot, or is `*`, cannot be named.
 */

export interface DiscardNode {
  /** Where each key of a mapping here leads. */
  readonly keys: ReadonlyMap<string, DiscardNode> | null;
  /** Where every item of a sequence here leads. */
  readonly item: DiscardNode | null;
  /** This value is discarded (what is below it no longer matters). */
  readonly discard: boolean;
}

/** Paths compiled once into a tree walked along with the document. */
export class DiscardPaths {
  readonly root: DiscardNode;

  constructor(readonly paths: readonly string[]) {
    const root = new Builder();
    for (const path of paths) {
      const segments = path.split('.');
      if (segments.some((s) => s === '') || segments[segments.length - 1] === ANY_ITEM) {
        throw new Error(`discard path ${JSON.stringify(path)}: keys joined by dots, ending with a key`);
      }
      let node = root;
      for (const segment of segments) node = node.child(segment);
      node.discard = true;
    }
    this.root = root.freeze();
  }
}

export function discardPaths(...paths: string[]): DiscardPaths {
  return new DiscardPaths(paths);
}

const ANY_ITEM = '*';

class Builder {
  readonly keys = new Map<string, Builder>();
  item: Builder | null = null;
  discard = false;

  child(segment: string): Builder {
    if (segment === ANY_ITEM) return (this.item ??= new Builder());
    let next = this.keys.get(segment);
    if (next === undefined) this.keys.set(segment, (next = new Builder()));
    return next;
  }

  freeze(): DiscardNode {
    if (this.discard) return DISCARDED;
    const keys = new Map([...this.keys].map(([key, child]) => [key, child.freeze()]));
    return { keys: keys.size === 0 ? null : keys, item: this.item?.freeze() ?? null, discard: false };
  }
}

const DISCARDED: DiscardNode = { keys: null, item: null, discard: true };

/**
 * Deletes the discarded values from a fully built value (for documents the composer cannot skip
 * through, see compose.ts). Iterative: values may nest deeper than the JS stack.
 */
export function pruneDiscarded(value: unknown, root: DiscardNode): void {
  const work: [unknown, DiscardNode][] = [[value, root]];
  while (work.length > 0) {
    const [here, node] = work.pop()!;
    if (here === null || typeof here !== 'object') continue;
    if (Array.isArray(here)) {
      if (node.item !== null) for (const item of here) work.push([item, node.item]);
      continue;
    }
    if (node.keys === null) continue;
    const map = here as Record<string, unknown>;
    for (const [key, child] of node.keys) {
      if (!Object.hasOwn(map, key)) continue;
      if (child.discard) delete map[key];
      else work.push([map[key], child]);
    }
  }
}
