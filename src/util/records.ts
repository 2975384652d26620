/**
 * Records built from input keys. A key is data: `__proto__` or `constructor`
 * must neither find Object's properties nor set a prototype.
 */

/** The record's own value for a key, never an inherited one. */
export const ownValue = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** Sets a key as an own property, `__proto__` included. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true });
  else record[key] = value;
}
