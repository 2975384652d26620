import type { JSONObject, JSONValue } from '../../util/json.js';

/** How a field selector reads one field of an object; a missing field reads as "". */
export type FieldReader = (object: JSONObject) => string;

/** One resource the test server serves, with what its discovery document says about it. */
export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The resource name in paths: `pods`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  /** Served with a `/status` subresource: the main resource ignores `status`, `/status` changes only it. */
  readonly hasStatus: boolean;
  /**
   * A custom resource: served only while its CRD is installed, items of its lists carry apiVersion and kind,
   * and strategic merge patch is refused, as the apiextensions-apiserver does.
   */
  readonly custom: boolean;
  /**
   * Served only while installed (a CRD, or an aggregated API such as Ironcore's): tests choose whether it exists.
   */
  readonly optional: boolean;
  /** DELETE answers with the object rather than a Success Status (`ReturnDeletedObject` in the registry). */
  readonly returnDeletedObject: boolean;
  /** Field selectors beyond `metadata.name` and `metadata.namespace`. */
  readonly fields: Readonly<Record<string, FieldReader>>;
}

const read =
  (...path: string[]): FieldReader =>
  (object) => {
    let value: JSONValue | undefined = object;
    for (const key of path) {
      value = value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
    }
    return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  };

/** `spec.hostNetwork` reads "false" when absent, as the pod field set does. */
const readBoolean =
  (...path: string[]): FieldReader =>
  (object) =>
    read(...path)(object) === 'true' ? 'true' : 'false';

interface Definition {
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly hasStatus?: boolean;
  readonly returnDeletedObject?: boolean;
  readonly fields?: Readonly<Record<string, FieldReader>>;
}

function define(
  group: string,
  version: string,
  kinds: { custom: boolean; optional: boolean },
  definitions: readonly Definition[],
): ResourceType[] {
  return definitions.map((d) => ({
    group,
    version,
    kind: d.kind,
    plural: d.plural,
    singular: d.kind.toLowerCase(),
    namespaced: d.namespaced,
    shortNames: d.shortNames ?? [],
    hasStatus: d.hasStatus ?? false,
    custom: kinds.custom,
    optional: kinds.optional,
    // The apiextensions-apiserver returns deleted custom objects.
    returnDeletedObject: d.returnDeletedObject ?? kinds.custom,
    fields: d.fields ?? {},
  }));
}

const builtIn = { custom: false, optional: false };
const crd = { custom: true, optional: true };
/** Ironcore's groups come from its own aggregated API servers: typed, but present only where installed. */
const aggregated = { custom: false, optional: true };

/** Everything the test server can serve. */
export const RESOURCES: readonly ResourceType[] = [
  ...define('', 'v1', builtIn, [
    {
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      hasStatus: true,
      returnDeletedObject: true,
      fields: { 'status.phase': read('status', 'phase') },
    },
    {
      kind: 'Pod',
      plural: 'pods',
      namespaced: true,
      shortNames: ['po'],
      hasStatus: true,
      returnDeletedObject: true,
      fields: {
        'spec.nodeName': read('spec', 'nodeName'),
        'spec.restartPolicy': read('spec', 'restartPolicy'),
        'spec.schedulerName': read('spec', 'schedulerName'),
        'spec.serviceAccountName': read('spec', 'serviceAccountName'),
        'spec.hostNetwork': readBoolean('spec', 'hostNetwork'),
        'status.phase': read('status', 'phase'),
        'status.podIP': read('status', 'podIP'),
        'status.nominatedNodeName': read('status', 'nominatedNodeName'),
      },
    },
    {
      kind: 'Node',
      plural: 'nodes',
      namespaced: false,
      shortNames: ['no'],
      hasStatus: true,
      fields: { 'spec.unschedulable': readBoolean('spec', 'unschedulable') },
    },
  ]),
  ...define('networking.k8s.io', 'v1', builtIn, [
    { kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'] },
  ]),
  ...define('policy.networking.k8s.io', 'v1alpha2', crd, [
    { kind: 'ClusterNetworkPolicy', plural: 'clusternetworkpolicies', namespaced: false, shortNames: ['cnp'] },
  ]),
  ...define('policy.networking.k8s.io', 'v1alpha1', crd, [
    { kind: 'AdminNetworkPolicy', plural: 'adminnetworkpolicies', namespaced: false, shortNames: ['anp'] },
    {
      kind: 'BaselineAdminNetworkPolicy',
      plural: 'baselineadminnetworkpolicies',
      namespaced: false,
      shortNames: ['banp'],
    },
  ]),
  ...define('networking.ironcore.dev', 'v1alpha1', aggregated, [
    { kind: 'Network', plural: 'networks', namespaced: true, hasStatus: true },
    { kind: 'NetworkInterface', plural: 'networkinterfaces', namespaced: true, hasStatus: true },
    { kind: 'LoadBalancer', plural: 'loadbalancers', namespaced: true, hasStatus: true },
    { kind: 'VirtualIP', plural: 'virtualips', namespaced: true, hasStatus: true },
    { kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, hasStatus: true },
  ]),
  ...define('compute.ironcore.dev', 'v1alpha1', aggregated, [
    { kind: 'Machine', plural: 'machines', namespaced: true, hasStatus: true },
  ]),
  // ironcore-net's apinet objects, which the Ironcore controller writes: neither has a status.
  ...define('core.apinet.ironcore.dev', 'v1alpha1', aggregated, [
    { kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
    { kind: 'NetworkPolicyRule', plural: 'networkpolicyrules', namespaced: true },
  ]),
];

export const apiVersionOf = (r: Pick<ResourceType, 'group' | 'version'>): string =>
  r.group === '' ? r.version : `${r.group}/${r.version}`;

/** `pods`, `networkpolicies.networking.k8s.io`: the qualified resource of messages, and a CRD's name. */
export const qualifiedResource = (r: Pick<ResourceType, 'group' | 'plural'>): string =>
  r.group === '' ? r.plural : `${r.plural}.${r.group}`;

/** `Pod`, `NetworkPolicy.networking.k8s.io`: the qualified kind of `is invalid` messages. */
export const qualifiedKind = (r: Pick<ResourceType, 'group' | 'kind'>): string =>
  r.group === '' ? r.kind : `${r.kind}.${r.group}`;

/** The optional resources, by qualified name, for tests that choose what is installed. */
export const OPTIONAL_RESOURCES: readonly string[] = RESOURCES.filter((r) => r.optional).map(qualifiedResource);
