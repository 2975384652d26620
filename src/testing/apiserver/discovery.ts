import type { JSONObject } from '../../util/json.js';
import { type ResourceType, apiVersionOf } from './resources.js';

/** The verbs the test server serves on every resource; `deletecollection` is not one of them. */
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** The named groups in catalogue order, each with its versions by priority. */
function groupsOf(resources: readonly ResourceType[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of resources) {
    if (r.group === '') continue;
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions.sort(byVersionPriority));
  }
  return groups;
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
function byVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) return [-1, 0, 0];
    const stage = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
  return a < b ? -1 : 1;
}

const versionEntry = (group: string, version: string): JSONObject => ({
  groupVersion: `${group}/${version}`,
  version,
});

/** `/api`: APIVersions. */
export function coreVersions(serverAddress: string): JSONObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string, versions: readonly string[]): JSONObject {
  return {
    name,
    versions: versions.map((v) => versionEntry(name, v)),
    preferredVersion: versionEntry(name, versions[0]!),
  };
}

/** `/apis`: APIGroupList of the installed groups. */
export function groupList(resources: readonly ResourceType[]): JSONObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groupsOf(resources)].map(([name, versions]) => apiGroup(name, versions)),
  };
}

/** `/apis/<group>`: APIGroup, or undefined when nothing of it is installed. */
export function groupDocument(resources: readonly ResourceType[], group: string): JSONObject | undefined {
  const versions = groupsOf(resources).get(group);
  return versions === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
}

/** `/api/v1`, `/apis/<group>/<version>`: APIResourceList, or undefined when that version is not served. */
export function resourceList(
  resources: readonly ResourceType[],
  group: string,
  version: string,
): JSONObject | undefined {
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const entries = served.flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames.length > 0 ? { shortNames: [...r.shortNames] } : {}),
      ...(r.plural === 'pods' ? { categories: ['all'] } : {}),
    },
    ...(r.hasStatus
      ? [
          {
            name: `${r.plural}/status`,
            singularName: '',
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: SUBRESOURCE_VERBS,
          },
        ]
      : []),
  ]);
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  // The core group's list has no apiVersion: the API server writes it that way.
  return {
    kind: 'APIResourceList',
    ...(group === '' ? {} : { apiVersion: 'v1' }),
    groupVersion: apiVersionOf({ group, version }),
    resources: entries,
  };
}

/** `/version`. */
export const VERSION_INFO: JSONObject = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-netpol-test',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};
