import { type JSONObject, isJSONObject } from '../util/json.js';
import { type FieldPath, type Location, printable } from '../util/location.js';

/** One Kubernetes object as read from its source, able to say where each of its fields is. */
export interface SourcedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  readonly raw: JSONObject;
  readonly origin: Location;
  /** The location of a field, or of its nearest ancestor present in the source. */
  locate(path: FieldPath): Location;
}

/** Builds a SourcedObject for data made in code (tests, the authoring API, deltas). */
export function objectFromData(raw: JSONObject, origin: Location = { file: '<memory>', line: 0 }): SourcedObject {
  const metadata = isJSONObject(raw['metadata']) ? raw['metadata'] : {};
  return {
    apiVersion: typeof raw['apiVersion'] === 'string' ? raw['apiVersion'] : '',
    kind: typeof raw['kind'] === 'string' ? raw['kind'] : '',
    name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
    namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined,
    raw,
    origin,
    locate: () => origin,
  };
}

/** `x/name` for namespaced objects, `name` otherwise; printable, as every name netpol prints goes through here. */
export const objectKey = (o: { readonly namespace?: string | undefined; readonly name: string }): string =>
  printable(o.namespace === undefined ? o.name : `${o.namespace}/${o.name}`);
