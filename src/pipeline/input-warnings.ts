import type { LoadResult, ReplacedObject, SkippedDocument } from '../load/load.js';
import { isUnreadPolicy, qualifiedKind } from '../resources/kinds.js';
import { compareStrings } from '../util/order.js';
import { plural } from '../util/plural.js';
import { objectKey } from '../resources/source.js';
import { type Location, formatLocation, printable } from '../util/location.js';

/** Something in the input that the results do not show as it is written, said even with `-q`. */
export interface InputWarning {
  /** Where it applies: for an object given twice, the later one, which the results read. */
  readonly location: Location;
  readonly message: string;
}

/** The warnings a read of the inputs gives: policies the results ignore, and each object given twice. */
export function inputWarnings(load: Pick<LoadResult, 'replaced' | 'skipped'>): InputWarning[] {
  return [...unreadPolicies(load.skipped), ...givenTwice(load.replaced)];
}

/**
 * One warning for the skipped objects that are policies a cluster may enforce (Cilium's, Calico's, Antrea's, a
 * tier kind in a version netpol does not read): what the results say allowed, they may deny.
 */
function unreadPolicies(skipped: readonly SkippedDocument[]): InputWarning[] {
  const counts = new Map<string, number>();
  let first: SkippedDocument | undefined;
  for (const s of skipped) {
    if (s.kind === undefined || s.apiVersion === undefined || !isUnreadPolicy(s.apiVersion, s.kind)) continue;
    first ??= s;
    const kind = printable(qualifiedKind(s.apiVersion, s.kind));
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  if (first === undefined) return [];
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const kinds = [...counts]
    .sort(([a, m], [b, n]) => n - m || compareStrings(a, b))
    .map(([kind, n]) => `${kind} (${n})`);
  return [
    {
      location: first.location,
      message:
        `the results ignore ${plural(total, 'policy', 'policies')} that netpol does not read ` +
        `but a cluster may enforce: ${kinds.join(', ')}`,
    },
  ];
}

function givenTwice(replaced: readonly ReplacedObject[]): InputWarning[] {
  return replaced.map(({ object, by }) => ({
    location: by.origin,
    message:
      `${printable(by.kind)} ${objectKey(by)} is defined twice, at ${formatLocation(object.origin)} and ` +
      `${formatLocation(by.origin)}: the results read the later, as kubectl apply leaves it`,
  }));
}

/** A warning as JSON outputs carry it. */
export const warningToJSON = (w: InputWarning): { file: string; line: number; message: string } => ({
  file: w.location.file,
  line: w.location.line,
  message: w.message,
});
