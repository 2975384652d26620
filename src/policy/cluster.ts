import { compareStrings } from '../util/order.js';
import type { HostNetworkPods } from '../model/host-network.js';
import { type ClusterModel, buildClusterModel } from '../model/cluster.js';
import { knownKind } from '../resources/kinds.js';
import type { SourcedObject } from '../resources/source.js';
import type { Policy } from './ir.js';
import { normaliseIroncorePolicy } from './ironcore.js';
import { type LegacyPolicies, type Semantics, legacyPolicies } from './legacy.js';
import { normaliseNetworkPolicy } from './networkpolicy.js';
import { normaliseTierPolicy } from './tiers.js';

/** Every policy of the input in the IR, indexed the way the evaluator walks them. */
export interface CompiledPolicies {
  readonly policies: readonly Policy[];
  /** The namespaced policies, by their namespace. */
  readonly policiesByNamespace: ReadonlyMap<string, readonly Policy[]>;
  /** The cluster-wide policies of the admin and baseline tiers, each tier in the order it is walked. */
  readonly tiers: { readonly admin: readonly Policy[]; readonly baseline: readonly Policy[] };
  readonly semantics: Semantics;
  /** Under legacy semantics: which namespaces isolate, which policies have no effect, and unreadable annotations. */
  readonly legacy?: LegacyPolicies;
}

/** An immutable snapshot of everything policy analysis needs: the model, and its policies compiled to the IR. */
export interface Cluster extends ClusterModel, CompiledPolicies {}

export interface ClusterOptions {
  /** `legacy`: the pre-1.7 model of namespace isolation by annotation. Default `v1`, as every cluster since 1.7. */
  readonly semantics?: Semantics;
  /** Whether hostNetwork pods are node traffic (default) or pods like any other; see model/host-network.ts. */
  readonly hostNetworkPods?: HostNetworkPods;
}

/** Builds a cluster from objects that passed validation: the model, then the compile step into the IR. */
export function buildCluster(objects: readonly SourcedObject[], options: ClusterOptions = {}): Cluster {
  const compiled = compilePolicies(objects, options.semantics ?? 'v1');
  const policyNamespaces = compiled.policies.flatMap((p) => (p.namespace === undefined ? [] : [p.namespace]));
  const model = buildClusterModel(objects, options.hostNetworkPods, policyNamespaces);
  return { ...model, ...compiled };
}

/** Every policy kind of the objects, normalised into the IR. */
export function compilePolicies(objects: readonly SourcedObject[], semantics: Semantics): CompiledPolicies {
  const networkPolicies = objects
    .filter((o) => knownKind(o.apiVersion, o.kind) === 'NetworkPolicy')
    .map(normaliseNetworkPolicy);
  const legacy = semantics === 'legacy' ? legacyPolicies(objects, networkPolicies) : undefined;
  const ironcorePolicies = objects
    .filter((o) => knownKind(o.apiVersion, o.kind) === 'IroncoreNetworkPolicy')
    .map(normaliseIroncorePolicy);
  const tierPolicies = objects.flatMap((o) => normaliseTierPolicy(o) ?? []);
  const policies = [...(legacy?.policies ?? networkPolicies), ...ironcorePolicies, ...tierPolicies];
  const policiesByNamespace = new Map<string, Policy[]>();
  for (const p of policies) {
    if (p.namespace === undefined) continue;
    const inNamespace = policiesByNamespace.get(p.namespace);
    if (inNamespace === undefined) policiesByNamespace.set(p.namespace, [p]);
    else inNamespace.push(p);
  }
  return { policies, policiesByNamespace, tiers: tiersOf(policies), semantics, ...(legacy ? { legacy } : {}) };
}

/** The admin and baseline tiers in the order they are walked: lower priority first, then by name. */
export function tiersOf(policies: readonly Policy[]): Cluster['tiers'] {
  const inOrder = (tier: Policy['tier']): Policy[] =>
    policies
      .filter((p) => p.tier === tier)
      .sort((a, b) => a.priority - b.priority || compareStrings(a.ref.name, b.ref.name));
  return { admin: inOrder('admin'), baseline: inOrder('baseline') };
}
