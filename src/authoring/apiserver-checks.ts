import { type JSONObject, type JSONValue } from '../util/json.js';
import { objectFromData } from '../resources/source.js';
import { formatFieldError } from '../resources/field-error.js';
import { validateObject } from '../validate/validate.js';

/**
 * The API server's objections to one fragment of a NetworkPolicy, checked while
 * the user's code runs so the stack points at the call that made it. The
 * fragment is placed in a policy and validated by netpol's validator (the
 * apiserver's rules and words); field paths are given relative to the fragment.
 */
function fragmentErrors(at: readonly (string | number)[], spec: JSONObject): string[] {
  const policy = objectFromData({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'fragment' },
    spec: { podSelector: {}, ...spec },
  });
  return validateObject(policy)
    .filter((d) => at.every((segment, i) => d.error.path[i] === segment))
    .map((d) => formatFieldError({ ...d.error, path: d.error.path.slice(at.length) }));
}

/** `port: Invalid value: 0: must be between 1 and 65535, inclusive`, and the rest of the port rules. */
export const portErrors = (port: JSONObject): string[] =>
  fragmentErrors(['spec', 'ingress', 0, 'ports', 0], { ingress: [{ ports: [port] }] });

/** `cidr: Invalid value: ...`, `except[0]: Invalid value: ...: must be a strict subset of \`cidr\``. */
export const ipBlockErrors = (ipBlock: JSONObject): string[] =>
  fragmentErrors(['spec', 'ingress', 0, 'from', 0, 'ipBlock'], { ingress: [{ from: [{ ipBlock }] }] });

/** Drops undefined members, which are absent fields to the API but not valid JSON values. */
export const definedFields = (fields: Record<string, JSONValue | undefined>): JSONObject =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as JSONObject;

/** What the API server would say of a whole object, `kind name: field: message` each. */
export const objectRefusals = (raw: JSONObject): string[] =>
  validateObject(objectFromData(raw)).map((d) => `${d.object.kind} ${d.object.name}: ${d.message}`);
