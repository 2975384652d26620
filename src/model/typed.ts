import { type Decoded, decode } from './decode.js';
import { knownKind } from './kinds.js';
import { schemaFor } from './schemas.js';
import type { JSONObject, SourcedObject } from './source.js';

const cache = new WeakMap<SourcedObject, Decoded>();

/** Decodes a known object once: its type errors, and its value as the apiserver would hold it. */
export function decodeObject(object: SourcedObject): Decoded {
  let decoded = cache.get(object);
  if (decoded === undefined) {
    const kind = knownKind(object.apiVersion, object.kind);
    decoded = kind === undefined ? { errors: [], value: object.raw } : decode(object.raw, schemaFor(kind));
    cache.set(object, decoded);
  }
  return decoded;
}

/**
 * The typed view of an object that decoded cleanly. The caller names the
 * resource type; decoding has checked the fields that type declares.
 */
export function typedView<T>(object: SourcedObject): T {
  return ((decodeObject(object).value as JSONObject | undefined) ?? {}) as unknown as T;
}
