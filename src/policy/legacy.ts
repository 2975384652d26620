import { Selector } from '../algebra/selector.js';
import { knownKind } from '../resources/kinds.js';
import type { Namespace } from '../resources/types.js';
import type { Location } from '../util/location.js';
import type { SourcedObject } from '../resources/source.js';
import { typedView } from '../validate/typed.js';
import type { Policy } from './ir.js';

/**
 * The pre-1.7 model (Kubernetes 1.3 to 1.6, extensions/v1beta1): ingress
 * isolation per namespace, opted into with an annotation; policies only
 * open holes in an isolated namespace and have no effect elsewhere; no
 * egress. It is expressed in the same IR as v1: an isolated namespace is a
 * policy that selects all its pods for ingress and allows nothing, and each
 * policy there keeps its ingress rules. Everything downstream (check, list,
 * the nftables renderer) then needs no legacy case of its own.
 */
export type Semantics = 'v1' | 'legacy';
export const SEMANTICS: readonly Semantics[] = ['v1', 'legacy'];

export const ISOLATION_ANNOTATION = 'net.beta.kubernetes.io/network-policy';

export interface NamespaceIsolation {
  readonly isolated: boolean;
  /** Why the annotation was treated as absent, when it is there but says nothing valid. */
  readonly problem?: string;
}

/**
 * Reads the annotation as kube-router and Weave did:
 * only the exact key and `"DefaultDeny"` isolate; bad JSON counts as absent.
 */
export function namespaceIsolation(annotations: Readonly<Record<string, string>> | undefined): NamespaceIsolation {
  const text = annotations?.[ISOLATION_ANNOTATION];
  if (text === undefined) return { isolated: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      isolated: false,
      problem:
        `annotation ${ISOLATION_ANNOTATION} is not JSON (${(error as Error).message}); ` +
        'treated as absent: the namespace is not isolated',
    };
  }
  const isolation = isRecord(parsed) && isRecord(parsed['ingress']) ? parsed['ingress']['isolation'] : undefined;
  if (isolation === 'DefaultDeny') return { isolated: true };
  return {
    isolated: false,
    problem:
      `annotation ${ISOLATION_ANNOTATION} does not set {"ingress": {"isolation": "DefaultDeny"}}, ` +
      'the only isolation there is; treated as absent',
  };
}

export interface LegacyPolicies {
  /** What enforcement uses: one isolation per annotated namespace, and the ingress side of the policies there. */
  readonly policies: readonly Policy[];
  /** Policies in namespaces that are not isolated: no effect under the legacy model. */
  readonly ineffective: readonly Policy[];
  readonly isolatedNamespaces: readonly string[];
  readonly problems: readonly { readonly origin: Location; readonly namespace: string; readonly message: string }[];
}

/** Turns v1-normalised policies into what the legacy model enforces. */
export function legacyPolicies(objects: readonly SourcedObject[], policies: readonly Policy[]): LegacyPolicies {
  const isolated = new Map<string, Policy>();
  const problems: { origin: Location; namespace: string; message: string }[] = [];
  for (const o of objects) {
    if (knownKind(o.apiVersion, o.kind) !== 'Namespace') continue;
    const reading = namespaceIsolation(typedView<Namespace>(o).metadata?.annotations);
    if (reading.problem !== undefined)
      problems.push({
        origin: o.locate(['metadata', 'annotations', ISOLATION_ANNOTATION]),
        namespace: o.name,
        message: reading.problem,
      });
    if (reading.isolated) isolated.set(o.name, namespaceIsolationPolicy(o));
  }
  const effective = policies.filter((p) => isolated.has(p.namespace ?? ''));
  return {
    policies: [...isolated.values(), ...effective.map(ingressOnly)],
    ineffective: policies.filter((p) => !isolated.has(p.namespace ?? '')),
    isolatedNamespaces: [...isolated.keys()],
    problems,
  };
}

/** DefaultDeny: every pod of the namespace isolated for ingress, nothing allowed by this alone. */
function namespaceIsolationPolicy(namespace: SourcedObject): Policy {
  return {
    ref: {
      kind: 'NamespaceIsolation',
      namespace: namespace.name,
      name: ISOLATION_ANNOTATION,
      origin: namespace.locate(['metadata', 'annotations', ISOLATION_ANNOTATION]),
    },
    tier: 'namespaced',
    priority: 0,
    namespace: namespace.name,
    subject: { namespaces: { kind: 'same', namespace: namespace.name }, pods: Selector.everything },
    ingress: [],
  };
}

/** There was no egress, and `ingress: []` did not change isolation: a policy only ever added its ingress rules. */
const ingressOnly = (policy: Policy): Policy => ({
  ref: policy.ref,
  tier: policy.tier,
  priority: policy.priority,
  namespace: policy.namespace,
  subject: policy.subject,
  ingress: policy.ingress ?? [],
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
