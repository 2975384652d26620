import type { Inputs } from '../pipeline/inputs.js';
import type { SkippedDocument } from '../load/load.js';
import { formatLocation, printable } from '../util/location.js';
import { objectKey } from '../resources/source.js';
import { compareStrings } from '../util/order.js';
import { plural } from '../util/plural.js';

/** `skipped 7 objects: Service (5), ConfigMap (2); -v lists them`: the most skipped kinds first. */
export function skipSummary(skipped: readonly SkippedDocument[], listed: boolean): string {
  const counts = new Map<string, number>();
  for (const s of skipped) {
    const kind = s.kind === undefined ? 'not Kubernetes objects' : printable(s.kind);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const kinds = [...counts]
    .sort(([a, m], [b, n]) => n - m || compareStrings(a, b))
    .map(([kind, n]) => `${kind} (${n})`);
  const more = listed ? '' : `; -v lists ${skipped.length === 1 ? 'it' : 'them'}`;
  return `skipped ${plural(skipped.length, 'object')}: ${kinds.join(', ')}${more}`;
}

/** What `--skip-invalid` leaves out of the results: each invalid object and each document that could not be read. */
export function leftOutNotice(inputs: Inputs, limit = 10): string | undefined {
  const invalid = [...new Set(inputs.diagnostics.map((d) => d.object))];
  const unreadable = inputs.load.problems;
  if (invalid.length === 0 && unreadable.length === 0) return undefined;
  const what = [
    invalid.length > 0 ? plural(invalid.length, 'invalid object') : '',
    unreadable.length > 0 ? `${plural(unreadable.length, 'document')} that could not be read` : '',
  ].filter(Boolean);
  const items = [
    ...invalid.map((o) => `${o.kind} ${objectKey(o)} (${formatLocation(o.origin)})`),
    ...unreadable.map((p) => formatLocation(p.location)),
  ];
  const shown = items.slice(0, limit).join(', ') + (items.length > limit ? `, and ${items.length - limit} more` : '');
  return `--skip-invalid: the results leave out ${what.join(' and ')}: ${shown}`;
}

/** Said when the paths hold nothing to work on, so an empty answer is not taken for a verdict. */
export function emptyInputNotice(paths: readonly string[], inputs: Inputs): string | undefined {
  if (inputs.load.objects.length > 0 || inputs.load.problems.length > 0) return undefined;
  if (inputs.load.skipped.length > 0) return 'the input holds no object netpol reads';
  const named = paths.map((p) => (p === '-' ? 'standard input' : printable(p))).join(', ');
  return `the input is empty: no Kubernetes object in ${named}`;
}
