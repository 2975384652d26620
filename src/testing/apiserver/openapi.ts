import type { JSONObject } from '../../util/json.js';
import { type ResourceType, apiVersionOf } from './resources.js';

/**
 * Just enough OpenAPI v3 for kubectl: the index of group versions, and per group version the PATCH operation
 * of each resource with its `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter. kubectl
 * reads that to decide that validation is the server's (`--validate=strict` sends `fieldValidation=Strict`)
 * instead of downloading schemas. There are no schemas: `kubectl explain` has nothing to show.
 */

const pathOf = (group: string, version: string): string =>
  group === '' ? `api/${version}` : `apis/${group}/${version}`;

/** `/openapi/v3` */
export function openAPIIndex(resources: readonly ResourceType[]): JSONObject {
  const paths: JSONObject = {};
  for (const r of resources) {
    const path = pathOf(r.group, r.version);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}` };
  }
  return { paths };
}

/** `/openapi/v3/apis/<group>/<version>`, or undefined when that version is not served. */
export function openAPIDocument(resources: readonly ResourceType[], path: string): JSONObject | undefined {
  const served = resources.filter((r) => pathOf(r.group, r.version) === path);
  if (served.length === 0) return undefined;
  const paths: JSONObject = {};
  for (const r of served) {
    const prefix = `/${path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`;
    paths[prefix] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
          name,
          in: 'query',
          schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
        })),
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'netpol test API server', version: apiVersionOf(served[0]!) },
    paths,
  };
}
