import { type Decoded, decode } from '../resources/decode.js';
import { knownKind } from '../resources/kinds.js';
import { customResourceSchemaFor, objectMeta, schemaFor } from './schemas.js';
import type { JSONObject } from '../util/json.js';
import type { SourcedObject } from '../resources/source.js';
import { type StructuralSchema, decodeCustomResource } from '../resources/structural.js';

const cache = new WeakMap<SourcedObject, Decoded>();

/** Decodes a known object once: its type errors, and its value as the apiserver would hold it. */
export function decodeObject(object: SourcedObject): Decoded {
  let decoded = cache.get(object);
  if (decoded === undefined) {
    const kind = knownKind(object.apiVersion, object.kind);
    const crd = kind === undefined ? undefined : customResourceSchemaFor(kind);
    if (kind === undefined) decoded = { errors: [], value: object.raw };
    else if (crd !== undefined) decoded = decodeCustomObject(object.raw, crd);
    else decoded = decode(object.raw, schemaFor(kind));
    cache.set(object, decoded);
  }
  return decoded;
}

/** A custom resource: its metadata as every object's, the rest as its CRD says. */
function decodeCustomObject(raw: JSONObject, schema: StructuralSchema): Decoded {
  const metadata = decode(raw['metadata'], objectMeta, ['metadata']);
  const body = decodeCustomResource(raw, schema);
  const value = metadata.value === undefined ? body.value : { ...(body.value as JSONObject), metadata: metadata.value };
  return { errors: [...metadata.errors, ...body.errors], value };
}

/**
 * The typed view of an object that decoded cleanly. The caller names the
 * resource type; decoding has checked the fields that type declares.
 */
export function typedView<T>(object: SourcedObject): T {
  return ((decodeObject(object).value as JSONObject | undefined) ?? {}) as unknown as T;
}
