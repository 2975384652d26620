import type { Finding } from '../engine/lint.js';
import { formatLocation } from '../util/location.js';
import { plural } from '../util/plural.js';

export const LINT_FORMATS = ['txt', 'json'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export function formatFindings(findings: readonly Finding[], format: LintFormat): string {
  if (format === 'json') {
    return `${JSON.stringify(
      findings.map((f) => ({ ...f, location: { file: f.location.file, line: f.location.line } })),
      null,
      2,
    )}\n`;
  }
  const body = findings
    .map((f) => `${formatLocation(f.location)}: ${f.severity}[${f.code}]: ${f.message}\n    fix: ${f.fix}\n`)
    .join('');
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const counts = [plural(count('error'), 'error'), plural(count('warning'), 'warning'), plural(count('info'), 'note')];
  return `${body}${counts.join(', ')}\n`;
}
