/** Where something came from, for messages a person can act on. */
export interface Location {
  readonly file: string;
  /** 1-based; 0 when the object did not come from text (built in code). */
  readonly line: number;
  readonly column?: number;
}

export type FieldPath = readonly (string | number)[];

export const formatLocation = (loc: Location): string => (loc.line > 0 ? `${loc.file}:${loc.line}` : loc.file);

/** `spec.ingress[0].from[1]` */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };
export type JSONObject = { [key: string]: JSONValue };

export const isJSONObject = (value: unknown): value is JSONObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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

/** `x/name` for namespaced objects, `name` otherwise. */
export const objectKey = (o: Pick<SourcedObject, 'namespace' | 'name'>): string =>
  o.namespace === undefined ? o.name : `${o.namespace}/${o.name}`;
