import type { LoadProblem } from '../load/load.js';
import type { Inputs } from '../pipeline/inputs.js';
import { isNamespaced, knownKind } from '../resources/kinds.js';
import { type SourcedObject, objectKey } from '../resources/source.js';
import { formatFieldPath, formatLocation, printable } from '../util/location.js';
import { plural } from '../util/plural.js';
import type { Diagnostic } from '../validate/validate.js';

/** A load problem or skip line; its message quotes the input (kinds, parser text), so it is made printable too. */
export const formatProblem = (p: LoadProblem): string => `${formatLocation(p.location)}: ${printable(p.message)}`;

export const formatDiagnostic = (d: Diagnostic): string => {
  const name = objectKey({ name: d.object.name, namespace: shownNamespace(d.object) });
  return `${formatLocation(d.location)}: ${d.object.kind} ${name}: ${d.message}`;
};

/** A cluster-scoped object is named without the namespace its manifest may carry: the API server ignores it. */
function shownNamespace(o: SourcedObject): string | undefined {
  const kind = knownKind(o.apiVersion, o.kind);
  return kind !== undefined && !isNamespaced(kind) ? undefined : o.namespace;
}

/** What was read and what is wrong with it, as the API server would say: one line per problem, then a summary. */
export interface ValidationReport {
  readonly problems: readonly LoadProblem[];
  readonly diagnostics: readonly Diagnostic[];
  /** Objects read (valid or not). */
  readonly objects: number;
  readonly skipped: number;
}

/** validate's report as text. */
export function formatValidation(report: ValidationReport): string {
  const lines = [...report.problems.map(formatProblem), ...report.diagnostics.map(formatDiagnostic)];
  const skipped = report.skipped > 0 ? `, ${report.skipped} skipped` : '';
  if (lines.length === 0) return `${plural(report.objects, 'object')} valid${skipped}\n`;
  const invalid = new Set(report.diagnostics.map((d) => d.object)).size;
  const problems = plural(lines.length, 'problem');
  const summary = `${invalid} of ${plural(report.objects, 'object')} invalid, ${problems}${skipped}`;
  return `${[...lines, summary].join('\n')}\n`;
}

/** validate's report as JSON: what was read, each problem with its place (and object and field when it has one). */
export function validationToJSON(inputs: Inputs): string {
  const place = (p: LoadProblem) => ({ file: p.location.file, line: p.location.line });
  const problems = [
    ...inputs.load.problems.map((p) => ({ ...place(p), message: p.message })),
    ...inputs.diagnostics.map((d) => ({
      file: d.location.file,
      line: d.location.line,
      kind: d.object.kind,
      ...(d.object.namespace === undefined ? {} : { namespace: d.object.namespace }),
      name: d.object.name,
      field: formatFieldPath(d.error.path),
      message: d.message,
    })),
  ];
  const report = {
    valid: problems.length === 0,
    objects: inputs.load.objects.length,
    invalidObjects: new Set(inputs.diagnostics.map((d) => d.object)).size,
    problems,
    skipped: inputs.load.skipped.map((s) => ({ ...place(s), message: s.message })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
