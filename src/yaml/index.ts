/**
 * YAML as kubectl reads it: go-yaml v2.4 (gopkg.in/yaml.v2) through sigs.k8s.io/yaml's YAMLToJSON.
 * Same accepted inputs, same values, same refusals with the same messages. The rules live with
 * the code that applies them: input.ts (characters), scanner.ts and scan-*.ts (tokens), parser.ts
 * (structure), compose.ts (values, keys, merges, aliases), resolve.ts (scalars), tojson.ts (the
 * JSON conversion). fast-lane.ts reads the commonest lines faster, with the same result.
 *
 * parseYaml reads the first document of text[start, end), as yaml.Unmarshal does with its input.
 * It never throws: problems come back in `error`.
 *
 * Things to know:
 * - The value's objects have their keys in document order (JSON-decoding YAMLToJSON's output would
 *   sort them); integers past 2^53 lose digits exactly as JSON.parse of that output would.
 * - Strings in the value may be slices of `text` and keep it in memory while they live.
 * - A range parsed alone must not use an alias whose anchor is outside it (go-yaml would not know
 *   the anchor either), and a block scalar with an indentation indicator reads differently alone
 *   than inside its parent; ranges of whole collections (a List's items) parse as in place.
 */

import type { JSONValue } from '../util/json.js';
import { COMPOSE_FULLY, Composer } from './compose.js';
import { type DiscardNode, type DiscardPaths, pruneDiscarded } from './discard.js';
import { YamlFailure } from './errors.js';
import { checkInput, skipByteOrderMark } from './input.js';
import { conversionFailure } from './tojson.js';
import { Parser } from './parser.js';
import { type PositionNode, recordedDepth } from './positions.js';
import { Scanner } from './scanner.js';

export type { PositionNode } from './positions.js';
export { type DiscardPaths, discardPaths } from './discard.js';

export interface YamlProblem {
  /** Where go-yaml's mark points (the problem's position), as a UTF-16 index into `text`. */
  readonly offset: number;
  /** go-yaml's problem text, e.g. "mapping values are not allowed in this context" (no "yaml: line N:"). */
  readonly message: string;
  /**
   * For errors: the complete text YAMLToJSON returns for the parsed range, as kubectl prints it after
   * "error converting YAML to JSON: ", e.g. "yaml: line 3: mapping values are not allowed in this
   * context". Its line number is go-yaml's, counted from `start` (go-yaml prints the 0-based line for
   * parser errors and the 1-based one for scanner errors, and none on the first line).
   */
  readonly goError?: string;
}

export interface ParseOptions {
  /** Parse text[start, end) only; default the whole text. */
  readonly start?: number;
  readonly end?: number;
  /** The column `start` is at (0-based, in code points), so indentation counts as in the full text. */
  readonly column?: number;
  /** 'shallow' (default): the root and two levels below it; 'full': every node. */
  readonly positions?: 'shallow' | 'full';
  /**
   * Values to leave out (discardPaths('metadata.managedFields')), read but never built. The
   * result is that of the full read with those keys deleted afterwards: the same errors (a
   * syntax error, a tag that fails to decode, a NaN inside a discarded value), the same values
   * elsewhere (an alias to an anchor inside a discarded value included), the same positions. A
   * discarded key keeps its position, without children; warnings about keys inside a discarded
   * value are not given.
   */
  readonly discard?: DiscardPaths;
}

export interface ParsedYaml {
  /** The first document's value as YAMLToJSON gives it: undefined if there is no document or an error. */
  readonly value: JSONValue | undefined;
  /** The first error, as go-yaml (or sigs.k8s.io/yaml) reports it. */
  readonly error?: YamlProblem;
  /** Accepted but suspicious: repeated keys (the last value is used), keys that collide in JSON. */
  readonly warnings: readonly YamlProblem[];
  /** Where the nodes are; undefined without a value. */
  readonly positions: PositionNode | undefined;
}

export function parseYaml(text: string, options: ParseOptions = {}): ParsedYaml {
  const start = clamp(options.start ?? 0, 0, text.length);
  const end = clamp(options.end ?? text.length, start, text.length);
  const discard = options.discard?.root ?? null;
  return parseRange(text, start, end, options, discard, false) ?? parseRange(text, start, end, options, discard, true)!;
}

/**
 * One read of the range; with `buildDiscarded`, discarded values are built, then deleted. Undefined
 * when the composer finds it cannot skip a discarded value (compose.ts): the full read is needed.
 */
function parseRange(
  text: string,
  start: number,
  end: number,
  options: ParseOptions,
  discard: DiscardNode | null,
  buildDiscarded: boolean,
): ParsedYaml | undefined {
  let composer: Composer | undefined;
  try {
    const input = checkInput(text, start, end);
    const from = skipByteOrderMark(text, start, end);
    const scanner = new Scanner(text, from, input, options.column ?? 0);
    composer = new Composer(recordedDepth(options.positions ?? 'shallow'), discard, buildDiscarded, scanner);
    const found = new Parser(scanner, composer).parseFirstDocument();
    if (composer.pending !== null) throw composer.pending;
    if (!found) return { value: undefined, warnings: composer.warnings, positions: undefined };
    const conversion = conversionFailure(composer.value, composer.info, composer.valueStart);
    if (conversion !== null) throw conversion;
    if (buildDiscarded && discard !== null) pruneDiscarded(composer.value, discard);
    return { value: composer.value as JSONValue, warnings: composer.warnings, positions: composer.rootPosition };
  } catch (failure) {
    if (failure === COMPOSE_FULLY) return undefined;
    const warnings = composer?.warnings ?? [];
    if (failure instanceof YamlFailure) {
      const offset = failure.offset >= start ? failure.offset : start;
      const error = { offset, message: failure.message, goError: failure.goError };
      return { value: undefined, error, warnings, positions: undefined };
    }
    // Not a YAML problem: a bug here, or the engine ran out of stack or memory. Still no throw.
    const error = { offset: start, message: `internal error: ${String(failure)}` };
    return { value: undefined, error, warnings, positions: undefined };
  }
}

function clamp(n: number, low: number, high: number): number {
  return Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), low), high) : low;
}
