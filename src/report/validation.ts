import type { LoadProblem } from '../model/load.js';
import type { Inputs } from '../model/inputs.js';
import { formatFieldPath } from '../model/source.js';

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
