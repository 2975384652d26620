import { knownKind } from '../resources/kinds.js';
import type { NetworkPolicy } from '../resources/types.js';
import type { JSONObject } from '../util/json.js';
import type { Location } from '../util/location.js';
import type { SourcedObject } from '../resources/source.js';
import { typedView } from '../validate/typed.js';
import { type LegacyPolicies, legacyPolicies } from './legacy.js';
import { plural } from '../util/plural.js';
import { normaliseNetworkPolicy } from './networkpolicy.js';
import { namespaceOrDefault } from '../resources/defaults.js';

export interface MigrationWarning {
  readonly origin: Location;
  readonly message: string;
}

export interface Migration {
  /** networking.k8s.io/v1 NetworkPolicies that enforce under v1 what the input enforced under the legacy model. */
  readonly policies: readonly JSONObject[];
  readonly warnings: readonly MigrationWarning[];
  /** Why nothing was migrated, when the input holds nothing of the legacy model (annotation, extensions/v1beta1). */
  readonly nothingToMigrate?: string;
}

const V1 = 'networking.k8s.io/v1';

/**
 * The v1 equivalent of a legacy cluster, as the 1.7 release notes told
 * operators to write it: a default-deny ingress policy in each namespace
 * the annotation isolated, and the policies there as v1 ingress policies.
 * Policies in other namespaces had no effect and would take effect under
 * v1, so they are left out, each with a warning.
 */
export function migrateLegacy(objects: readonly SourcedObject[]): Migration {
  const policyObjects = objects.filter((o) => knownKind(o.apiVersion, o.kind) === 'NetworkPolicy');
  const legacy = legacyPolicies(objects, policyObjects.map(normaliseNetworkPolicy));
  const nothingToMigrate = alreadyV1(policyObjects, legacy);
  if (nothingToMigrate !== undefined) return { policies: [], warnings: [], nothingToMigrate };
  const isolated = new Set(legacy.isolatedNamespaces);
  const warnings: MigrationWarning[] = legacy.problems.map((p) => ({
    origin: p.origin,
    message: `Namespace ${p.namespace}: ${p.message}`,
  }));
  const policies: JSONObject[] = [];
  for (const namespace of legacy.isolatedNamespaces) {
    const taken = new Set(policyObjects.filter((o) => namespaceOf(o) === namespace).map((o) => o.name));
    policies.push({
      apiVersion: V1,
      kind: 'NetworkPolicy',
      metadata: { name: freeName('default-deny', taken), namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
  }
  for (const o of policyObjects) {
    const namespace = namespaceOf(o);
    const where = `NetworkPolicy ${namespace}/${o.name}`;
    if (!isolated.has(namespace)) {
      warnings.push({
        origin: o.origin,
        message:
          `${where} had no effect: namespace ${namespace} is not isolated by the annotation; ` +
          'under v1 it would isolate the pods it selects, so it is left out ' +
          '(delete it, or isolate the namespace first)',
      });
      continue;
    }
    const spec = typedView<NetworkPolicy>(o).spec ?? {};
    if ((spec.egress ?? []).length > 0 || (spec.policyTypes ?? []).includes('Egress')) {
      warnings.push({
        origin: o.locate(['spec']),
        message: `${where}: egress did not exist before 1.7 and had no effect; it is left out`,
      });
    }
    policies.push({
      apiVersion: V1,
      kind: 'NetworkPolicy',
      metadata: keptMetadata(o.raw['metadata'] as JSONObject, namespace),
      spec: {
        podSelector: (o.raw['spec'] as JSONObject | undefined)?.['podSelector'] ?? {},
        policyTypes: ['Ingress'],
        ingress: rawIngress(o),
      },
    });
  }
  return { policies, warnings };
}

const namespaceOf = (o: SourcedObject): string => namespaceOrDefault(o.namespace);

/**
 * An input that no annotation isolates and whose policies are all networking.k8s.io/v1 (a group
 * that came with 1.7, and with v1 semantics) is already v1: leaving its policies out as "without
 * effect" would throw away a working cluster's policies.
 */
function alreadyV1(policies: readonly SourcedObject[], legacy: LegacyPolicies): string | undefined {
  if (legacy.isolatedNamespaces.length > 0 || legacy.problems.length > 0) return undefined;
  if (policies.some((o) => o.apiVersion !== V1)) return undefined;
  const unisolated = 'no namespace is isolated by the annotation net.beta.kubernetes.io/network-policy';
  if (policies.length === 0) return `${unisolated} and the input holds no NetworkPolicy`;
  const counted = plural(policies.length, `${V1} NetworkPolicy`, `${V1} NetworkPolicies`);
  return (
    `${unisolated} and no NetworkPolicy is extensions/v1beta1; the ${counted} mean under v1 what they say ` +
    '(migrate is for clusters before Kubernetes 1.7)'
  );
}

function freeName(wanted: string, taken: ReadonlySet<string>): string {
  let name = wanted;
  for (let i = 2; taken.has(name); i++) name = `${wanted}-${i}`;
  return name;
}

/** Name, namespace, labels and annotations: what a user wrote, not what a server added. */
function keptMetadata(metadata: JSONObject, namespace: string): JSONObject {
  return Object.fromEntries(
    Object.entries({
      name: metadata['name'],
      namespace,
      labels: metadata['labels'],
      annotations: metadata['annotations'],
    }).filter(([, v]) => v !== undefined && v !== null),
  ) as JSONObject;
}

/** The ingress rules as written, so that the output reads like the input. */
const rawIngress = (o: SourcedObject): JSONObject[] => {
  const ingress = (o.raw['spec'] as JSONObject | undefined)?.['ingress'];
  return Array.isArray(ingress) ? (ingress.map((r) => r ?? {}) as JSONObject[]) : [];
};
