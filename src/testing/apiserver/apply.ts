import type { JSONObject } from '../../util/json.js';
import {
  type FieldPath,
  difference,
  formatPath,
  fromLeaves,
  hasLeaf,
  isEmpty,
  leaves,
  mergeApplied,
  sameAt,
  withoutField,
} from './field-set.js';
import {
  type ManagedFieldsEntry,
  type Writer,
  makeEntry,
  sameEntry,
  trackedFields,
  trackedPart,
} from './managed-fields.js';
import type { ResourceType } from './resources.js';
import { ApiError } from './status.js';

export interface ApplyRequest {
  readonly resource: ResourceType;
  /** The stored object; undefined when the apply creates it. */
  readonly live: JSONObject | undefined;
  readonly entries: readonly ManagedFieldsEntry[];
  /** The applied configuration, already checked for apiVersion, kind and name. */
  readonly config: JSONObject;
  readonly writer: Writer;
  readonly force: boolean;
}

export interface ApplyResult {
  readonly object: JSONObject;
  readonly entries: ManagedFieldsEntry[];
}

interface Conflict {
  readonly entry: ManagedFieldsEntry;
  readonly path: FieldPath;
}

/**
 * Server-side apply: the applier owns exactly the fields of its configuration. A field the applier owned
 * before and no longer sets is removed unless another manager owns it too. The configuration is then merged
 * in; a field of another manager whose value that changes is a conflict (409) unless forced, when the other
 * manager loses it. A field set to the value it has is shared.
 */
export function serverSideApply(request: ApplyRequest): ApplyResult {
  const { resource, writer, config } = request;
  const configPart = trackedPart(config, resource, writer.subresource);
  const configFields = trackedFields(config, resource, writer.subresource);
  const live = request.live ?? {};
  const livePart = trackedPart(live, resource, writer.subresource);

  let previous: ManagedFieldsEntry | undefined;
  const others: ManagedFieldsEntry[] = [];
  for (const entry of request.entries) {
    if (sameEntry(entry, writer.manager, 'Apply', writer.subresource)) previous = entry;
    else others.push(entry);
  }

  let object = live;
  for (const path of leaves(difference(previous?.fieldsV1 ?? {}, configFields))) {
    if (!others.some((e) => ownsAtOrAbove(e, path))) object = withoutField(object, path);
  }
  object = mergeApplied(object, configPart) as JSONObject;

  const merged = trackedPart(object, resource, writer.subresource);
  const conflicts = others.flatMap((entry) =>
    leaves(entry.fieldsV1)
      .filter((path) => !sameAt(livePart, merged, path))
      .map((path) => ({ entry, path })),
  );
  if (conflicts.length > 0 && !request.force) throw conflictError(conflicts);
  const forced = new Map<ManagedFieldsEntry, FieldPath[]>();
  for (const c of conflicts) forced.set(c.entry, [...(forced.get(c.entry) ?? []), c.path]);
  const remaining = others
    .map((e) => (forced.has(e) ? { ...e, fieldsV1: difference(e.fieldsV1, fromLeaves(forced.get(e)!)) } : e))
    .filter((e) => !isEmpty(e.fieldsV1));
  return { object, entries: [...remaining, makeEntry(writer, 'Apply', configFields)] };
}

const ownsAtOrAbove = (entry: ManagedFieldsEntry, path: FieldPath): boolean =>
  path.some((_, i) => hasLeaf(entry.fieldsV1, path.slice(0, i + 1)));

/** The 409 of structured-merge-diff's conflicts, worded as `NewConflictError` words it. */
function conflictError(conflicts: readonly Conflict[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.entry)}`,
    field: formatPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const { entry, path } = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${printManager(entry)}: ${formatPath(path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const manager = printManager(c.entry);
      byManager.set(manager, [...(byManager.get(manager) ?? []), `- ${formatPath(c.path)}`]);
    }
    const sorted = [...byManager.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const lines = sorted.flatMap(([manager, paths]) => [`conflicts with ${manager}:`, ...paths]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** `"kubectl"`, or for an Update manager `"kubectl-edit" using v1 at 2024-01-02T03:04:05Z`. */
function printManager(entry: ManagedFieldsEntry): string {
  const name = JSON.stringify(entry.manager);
  const withSubresource =
    entry.subresource !== undefined && entry.subresource !== ''
      ? `${name} with subresource ${JSON.stringify(entry.subresource)}`
      : name;
  if (entry.operation !== 'Update') return withSubresource;
  return `${withSubresource} using ${entry.apiVersion}${entry.time !== '' ? ` at ${entry.time}` : ''}`;
}
