import type { LabelSelector, Labels } from '../algebra/selector.js';
import type { FieldPath } from '../util/location.js';
import { type FieldError, forbidden, invalid, required } from '../resources/field-error.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** `ValidateLabelName`: a label key is a qualified name. */
export const validateLabelName = (key: string, path: FieldPath): FieldError[] =>
  isQualifiedName(key).map((message) => invalid(path, key, message));

/** `ValidateLabels`: errors carry the map's path, never the key's. Keys are visited sorted, for stable output. */
export function validateLabels(labels: Labels | undefined, path: FieldPath): FieldError[] {
  return Object.keys(labels ?? {})
    .sort()
    .flatMap((key) => [
      ...validateLabelName(key, path),
      ...isValidLabelValue(labels![key]!).map((message) => invalid(path, labels![key]!, message)),
    ]);
}

/** `ValidateLabelSelector` from apimachinery's meta/v1 validation. */
export function validateLabelSelector(selector: LabelSelector | undefined, path: FieldPath): FieldError[] {
  if (selector === undefined || selector === null) return [];
  return [
    ...validateLabels(selector.matchLabels, [...path, 'matchLabels']),
    ...(selector.matchExpressions ?? []).flatMap((requirement, index) =>
      validateRequirement(requirement, [...path, 'matchExpressions', index]),
    ),
  ];
}

function validateRequirement(
  requirement: { key?: string; operator?: string; values?: readonly string[] },
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        errors.push(required([...path, 'values'], "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) {
        errors.push(
          forbidden([...path, 'values'], "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        );
      }
      break;
    default:
      errors.push(invalid([...path, 'operator'], requirement.operator ?? '', 'not a valid selector operator'));
  }
  errors.push(...validateLabelName(requirement.key ?? '', [...path, 'key']));
  values.forEach((value, index) => {
    for (const message of isValidLabelValue(value)) errors.push(invalid([...path, 'values', index], value, message));
  });
  return errors;
}
