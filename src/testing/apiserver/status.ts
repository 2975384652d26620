import type { JSONObject } from '../../util/json.js';
import { type ResourceType, qualifiedKind, qualifiedResource } from './resources.js';

/** metav1.StatusReason values the test server answers with. */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Expired'
  | 'Gone'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Forbidden'
  | 'TooManyRequests'
  | 'InternalError';

export interface StatusCause {
  readonly reason?: string;
  readonly type?: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** An error the server answers with a `Status` body, as the API server's `StatusError`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    /** Extra list metadata, such as the inconsistent `continue` token of an expired continuation. */
    readonly listMeta?: JSONObject,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }

  /** The `Status` object, field order as the API server writes it. */
  toStatus(): JSONObject {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: { ...this.listMeta },
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details !== undefined ? { details: stripUndefined(this.details) } : {}),
      code: this.code,
    };
  }
}

const stripUndefined = (details: StatusDetails): JSONObject => JSON.parse(JSON.stringify(details)) as JSONObject;

/** `group` is left out for the core group, as the API server omits empty strings. */
const resourceDetails = (r: ResourceType, name: string): StatusDetails => ({
  name,
  ...(r.group !== '' ? { group: r.group } : {}),
  kind: r.plural,
});

export const notFound = (r: ResourceType, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualifiedResource(r)} ${JSON.stringify(name)} not found`, resourceDetails(r, name));

/** A path the server has no handler for. */
export const noSuchResource = (): ApiError =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export const alreadyExists = (r: ResourceType, name: string): ApiError =>
  new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(r)} ${JSON.stringify(name)} already exists`,
    resourceDetails(r, name),
  );

export const modifiedConflict = (r: ResourceType, name: string): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(r)} ${JSON.stringify(name)}: ` +
      'the object has been modified; please apply your changes to the latest version and try again',
    resourceDetails(r, name),
  );

export interface FieldProblem {
  /** `metadata.name` */
  readonly field: string;
  /** The apiserver's rendering: `metadata.name: Required value: name or generateName is required`. */
  readonly message: string;
  readonly reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueForbidden';
}

export function invalid(r: ResourceType, name: string, problems: readonly FieldProblem[]): ApiError {
  const messages = problems.map((p) => p.message);
  const body = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind(r)} ${JSON.stringify(name)} is invalid: ${body}`, {
    name,
    ...(r.group !== '' ? { group: r.group } : {}),
    kind: r.kind,
    causes: problems.map((p) => ({ reason: p.reason, message: p.message, field: p.field })),
  });
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

export const methodNotSupported = (r: ResourceType, action: string): ApiError =>
  new ApiError(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind ${JSON.stringify(qualifiedResource(r))}`,
    { ...(r.group !== '' ? { group: r.group } : {}), kind: r.plural },
  );

export const unsupportedMediaType = (contentType: string, accepted: readonly string[]): ApiError =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { causes: [{ reason: 'UnexpectedServerResponse', message: contentType }] },
  );

export const forbidden = (r: ResourceType, name: string, reason: string): ApiError =>
  new ApiError(
    403,
    'Forbidden',
    `${qualifiedResource(r)} ${JSON.stringify(name)} is forbidden: ${reason}`,
    resourceDetails(r, name),
  );

/** A resourceVersion older than the retained history (the watch cache's wording). */
export const tooOldResourceVersion = (requested: number, oldest: number): ApiError =>
  new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);

export const tooManyRequests = (retryAfterSeconds: number): ApiError =>
  new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }, undefined, {
    'Retry-After': String(retryAfterSeconds),
  });

export const internalError = (cause: string): ApiError =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${cause}`, { causes: [{ message: cause }] });

/** The Success Status of a DELETE whose resource does not return the deleted object. */
export const deleteSuccess = (r: ResourceType, name: string, uid: string): JSONObject => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details: { name, ...(r.group !== '' ? { group: r.group } : {}), kind: r.plural, uid },
});
