/**
 * Where the nodes of a parsed document are, for error messages that point at a field. Offsets are
 * UTF-16 indexes into the text given to parseYaml (not into the parsed range).
 */
export interface PositionNode {
  /** Offset of the node: its first property (anchor, tag) or, without one, its content. */
  readonly start: number;
  /** Offset just after the node's last character (a block scalar ends with its last content line). */
  readonly end: number;
  /** go-yaml's column of `start`: code points since the line start, 0-based. */
  readonly column: number;
  /** For mapping values: where the key starts (error messages point at keys). */
  readonly keyStart?: number;
  /** Children by mapping key (as in the JSON value) or sequence index; absent below the recorded depth. */
  readonly children?: ReadonlyMap<string | number, PositionNode>;
}

/** The composer fills `end` when a collection closes, hence mutable here. */
export interface OpenPosition {
  start: number;
  end: number;
  column: number;
  keyStart: number | undefined;
  children: Map<string | number, PositionNode> | undefined;
}

export function openPosition(
  start: number,
  end: number,
  column: number,
  keyStart: number | undefined,
  withChildren: boolean,
): OpenPosition {
  return { start, end, column, keyStart, children: withChildren ? new Map() : undefined };
}

/** How deep positions are recorded: 'shallow' is the root and two levels below it. */
export function recordedDepth(mode: 'shallow' | 'full'): number {
  return mode === 'full' ? Infinity : 2;
}
