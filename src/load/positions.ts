import type { PositionNode } from '../yaml/index.js';
import type { FieldPath, Location } from '../util/location.js';

/**
 * Where the nodes of one document are, as offsets into its text. A reader
 * records only the top levels while it reads (enough to place every item of
 * a `List`); a deeper field is found by reading its enclosing node again
 * with every position kept, once, when a message first needs it.
 */
export type { PositionNode } from '../yaml/index.js';

/** Reads `text[node.start, node.end)` again with every position kept. */
export type Reread = (node: PositionNode) => PositionNode | undefined;

/** Finds field offsets in one document, reading nodes again lazily and at most once each. */
export class DocumentPositions {
  private root: PositionNode | undefined;
  private readonly full = new WeakMap<PositionNode, PositionNode | undefined>();

  constructor(
    private readonly shallow: () => PositionNode | undefined,
    private readonly reread: Reread,
  ) {}

  /** The offset of a field's key (or list item), or of its nearest ancestor present in the text. */
  offsetOf(path: FieldPath): number | undefined {
    this.root ??= this.shallow();
    if (this.root === undefined) return undefined;
    let node: PositionNode = this.root;
    let offset = node.start;
    for (const segment of path) {
      // Children not recorded: read this node again, whole; a node read whole has all of them.
      if (node.children === undefined) node = this.expanded(node);
      const child: PositionNode | undefined = node.children?.get(segment);
      if (child === undefined) break;
      node = child;
      offset = child.keyStart ?? child.start;
    }
    return offset;
  }

  private expanded(node: PositionNode): PositionNode {
    if (!this.full.has(node)) this.full.set(node, this.reread(node));
    return this.full.get(node) ?? node;
  }
}

/** Line starts of a text, found once, for turning offsets into lines and columns. */
export class LineIndex {
  private starts: Uint32Array | undefined;

  constructor(private readonly text: string) {}

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const starts = (this.starts ??= lineStarts(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }
}

function lineStarts(text: string): Uint32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Uint32Array(count);
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[line++] = i + 1;
  return starts;
}

/**
 * A location whose line is worked out only when read: most objects of a
 * large dump are never named in a message, and finding a position costs
 * more than reading the value.
 */
export class LazyLocation implements Location {
  private resolved: { line: number; column: number } | undefined;

  constructor(
    readonly file: string,
    private readonly offset: () => number | undefined,
    private readonly lines: LineIndex,
  ) {}

  get line(): number {
    return this.resolve().line;
  }

  get column(): number {
    return this.resolve().column;
  }

  private resolve(): { line: number; column: number } {
    if (this.resolved === undefined) {
      const offset = this.offset();
      this.resolved = offset === undefined ? { line: 1, column: 1 } : this.lines.position(offset);
    }
    return this.resolved;
  }

  toJSON(): Location {
    return { file: this.file, line: this.line, column: this.column };
  }
}
