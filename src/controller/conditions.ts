import { isDeepStrictEqual } from 'node:util';
import { type JSONObject, isJSONObject } from '../util/json.js';

/** The conditions an object's status holds now. */
export function conditionsOf(raw: JSONObject): JSONObject[] {
  const status = raw['status'];
  const conditions = isJSONObject(status) ? status['conditions'] : undefined;
  return Array.isArray(conditions) ? conditions.filter(isJSONObject) : [];
}

/**
 * The conditions to write, with their `lastTransitionTime` as apimachinery's meta.SetStatusCondition keeps it:
 * the time of the last change of `status`, so a condition that stays True keeps the time it turned True.
 */
export function withTransitionTimes(
  previous: readonly JSONObject[],
  next: readonly JSONObject[],
  now: Date,
): JSONObject[] {
  return next.map((condition) => {
    const before = previous.find((p) => p['type'] === condition['type']);
    const unchanged = before !== undefined && before['status'] === condition['status'];
    const time =
      unchanged && typeof before['lastTransitionTime'] === 'string' ? before['lastTransitionTime'] : rfc3339(now);
    return { ...condition, lastTransitionTime: time };
  });
}

/** Whether writing `next` would change nothing (the order of conditions counts, as the list is written whole). */
export const sameConditions = (current: readonly JSONObject[], next: readonly JSONObject[]): boolean =>
  isDeepStrictEqual(current, next);

/** metav1.Time's wire form: RFC 3339 in UTC, whole seconds. */
const rfc3339 = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;
