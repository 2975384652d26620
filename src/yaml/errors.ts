/**
 * Failures as go-yaml v2 and sigs.k8s.io/yaml report them. Internally a failure is thrown (the
 * stages are deeply nested and the first failure ends everything, as go-yaml's panics do) and
 * parseYaml catches it; nothing escapes to the caller.
 */

/**
 * Which part of the Go pipeline reports the failure; it decides how the Go error text is built.
 * - reader: go-yaml's input decoder (control characters, invalid Unicode); no line.
 * - scanner: go-yaml's tokenizer; the line printed is the mark's line + 1 (when not the first line).
 * - parser: go-yaml's event parser; the line printed is the mark's 0-based line (go-yaml's own
 *   off-by-one), and none on the first line.
 * - decode: go-yaml's decoder into interface{} (anchors, merges, tags); no line.
 * - convert: sigs.k8s.io/yaml's conversion to JSON-compatible values (map keys); no "yaml:" prefix.
 * - json: encoding/json's marshalling (NaN, infinities); no "yaml:" prefix.
 */
export type FailureStage = 'reader' | 'scanner' | 'parser' | 'decode' | 'convert' | 'json';

export class YamlFailure {
  constructor(
    readonly stage: FailureStage,
    readonly message: string,
    /** UTF-16 index into the text where the problem is. */
    readonly offset: number,
    /** go-yaml's 0-based line of the mark, counted from the start of the parsed range. */
    readonly markLine: number = 0,
  ) {}

  /** The line number go-yaml prints in "yaml: line N: ...", or undefined when it prints none. */
  get printedLine(): number | undefined {
    if (this.markLine === 0) return undefined;
    if (this.stage === 'scanner') return this.markLine + 1;
    if (this.stage === 'parser') return this.markLine;
    return undefined;
  }

  /** The complete error text sigs.k8s.io/yaml's YAMLToJSON returns, as kubectl prints it. */
  get goError(): string {
    if (this.stage === 'convert' || this.stage === 'json') return this.message;
    const line = this.printedLine;
    return line === undefined ? `yaml: ${this.message}` : `yaml: line ${line}: ${this.message}`;
  }
}

export function scannerFailure(message: string, offset: number, line: number): YamlFailure {
  return new YamlFailure('scanner', message, offset, line);
}

export function parserFailure(message: string, offset: number, line: number): YamlFailure {
  return new YamlFailure('parser', message, offset, line);
}

export function decodeFailure(message: string, offset: number): YamlFailure {
  return new YamlFailure('decode', message, offset);
}
