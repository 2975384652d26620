import type { ObjectMeta } from '../resources/types.js';
import { type FieldError, invalid, required } from '../resources/field-error.js';
import { isDNS1123Label, isDNS1123Subdomain } from './names.js';
import { validateLabels } from './selector.js';

export type NameRule = 'subdomain' | 'label';

/** `ValidateObjectMeta`: the name, the namespace of namespaced objects, and the labels. */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  namespaced: boolean,
  nameRule: NameRule,
): FieldError[] {
  const errors: FieldError[] = [];
  const name = meta?.name ?? '';
  if (name === '') {
    errors.push(required(['metadata', 'name'], 'name or generateName is required'));
  } else {
    const check = nameRule === 'label' ? isDNS1123Label : isDNS1123Subdomain;
    errors.push(...check(name).map((message) => invalid(['metadata', 'name'], name, message)));
  }
  if (namespaced && meta?.namespace !== undefined && meta.namespace !== null) {
    errors.push(
      ...isDNS1123Label(meta.namespace).map((message) => invalid(['metadata', 'namespace'], meta.namespace!, message)),
    );
  }
  errors.push(...validateLabels(meta?.labels, ['metadata', 'labels']));
  return errors;
}
