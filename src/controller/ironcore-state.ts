import { type Cluster, buildCluster } from '../policy/cluster.js';
import { knownKind } from '../resources/kinds.js';
import type { SourcedObject } from '../resources/source.js';
import { apinetNameOf, apinetOrigin } from '../render/ironcore.js';
import type { Diagnostic } from '../validate/validate.js';
import { policiesAffectedByEndpoints, policiesOfNetwork, policyKey } from './ironcore-affected.js';
import type { SourceChange, SourceSnapshot } from './source.js';

/** An Ironcore policy as the cache holds it, with what netpol refuses in it (nothing, for a valid one). */
export interface PolicyEntry {
  readonly object: SourcedObject;
  readonly problems: readonly Diagnostic[];
}

const keyOf = (o: SourcedObject): string => policyKey(o.namespace ?? 'default', o.name);
const isPolicy = (o: SourcedObject): boolean => knownKind(o.apiVersion, o.kind) === 'IroncoreNetworkPolicy';

/**
 * What the Ironcore controller's caches hold, indexed for its reconciles: the Ironcore policies (valid or not)
 * by key, the networks, the cluster model of every valid Ironcore object, and the apinet NetworkPolicies and
 * NetworkPolicyRules by name and by the Ironcore policy they were made for.
 */
export class IroncoreState {
  readonly policies = new Map<string, PolicyEntry>();
  readonly networksByNamespace = new Map<string, SourcedObject[]>();
  readonly apinetPolicies = new Map<string, SourcedObject>();
  readonly apinetRules = new Map<string, SourcedObject>();
  /** The apinet NetworkPolicies made for each Ironcore policy key, by their origin labels. */
  readonly apinetByOrigin = new Map<string, SourcedObject[]>();
  readonly policyKeyByUid = new Map<string, string>();
  /** The objects netpol refuses, by identity: an unchanged object is the same SourcedObject from read to read. */
  readonly refused: ReadonlySet<SourcedObject>;

  constructor(
    readonly ironcore: SourceSnapshot,
    readonly apinet: SourceSnapshot,
    readonly cluster: Cluster,
  ) {
    for (const object of ironcore.objects) {
      const kind = knownKind(object.apiVersion, object.kind);
      if (kind === 'IroncoreNetworkPolicy') this.addPolicy(object, []);
      if (kind === 'Network') push(this.networksByNamespace, object.namespace ?? 'default', object);
    }
    const problems = new Map<SourcedObject, Diagnostic[]>();
    for (const problem of ironcore.problems) push(problems, problem.object, problem);
    for (const [object, diagnostics] of problems) if (isPolicy(object)) this.addPolicy(object, diagnostics);
    this.refused = new Set(problems.keys());
    for (const object of apinet.objects) {
      if (object.kind === 'NetworkPolicy') {
        this.apinetPolicies.set(object.name, object);
        const origin = apinetOrigin(object);
        if (origin !== undefined) push(this.apinetByOrigin, policyKey(origin.namespace, origin.name), object);
      } else if (object.kind === 'NetworkPolicyRule') {
        this.apinetRules.set(object.name, object);
      }
    }
  }

  /** Every key there is something to do for: the policies, and the policies apinet objects were made for. */
  allKeys(): Set<string> {
    return new Set([...this.policies.keys(), ...this.apinetByOrigin.keys()]);
  }

  /** The Ironcore policy an apinet object (named after the policy's UID) was made for. */
  keyForApinetName(name: string): string | undefined {
    const known = this.policyKeyByUid.get(name);
    if (known !== undefined) return known;
    const policy = this.apinetPolicies.get(name);
    const origin = policy === undefined ? undefined : apinetOrigin(policy);
    return origin === undefined ? undefined : policyKey(origin.namespace, origin.name);
  }

  private addPolicy(object: SourcedObject, problems: readonly Diagnostic[]): void {
    const key = keyOf(object);
    this.policies.set(key, { object, problems });
    this.policyKeyByUid.set(apinetNameOf(object), key);
  }
}

/** Reads both sources into the next state; the cluster model is built again only when an Ironcore object changed. */
export function nextState(previous: IroncoreState | undefined, ironcore: SourceSnapshot, apinet: SourceSnapshot) {
  const ironcoreChanged = ironcore.change.added.length > 0 || ironcore.change.removed.length > 0;
  const cluster = previous === undefined || ironcoreChanged ? buildCluster(ironcore.objects) : previous.cluster;
  return new IroncoreState(ironcore, apinet, cluster);
}

/**
 * The policies a change can affect, each to be reconciled once: a policy that changed (valid or refused); the
 * policies of a network that came or went; those whose targets or peers an interface, load balancer, virtual IP
 * or machine changed (ironcore-affected.ts); and the policy an apinet object was made for, so that an apinet
 * object edited or deleted by someone else is put back.
 */
export function affectedKeys(
  before: IroncoreState | undefined,
  after: IroncoreState,
  ironcoreChange: SourceChange,
  apinetChange: SourceChange,
): Set<string> {
  const keys = new Set<string>();
  let endpointsChanged = false;
  for (const object of [...ironcoreChange.added, ...ironcoreChange.removed]) {
    const kind = knownKind(object.apiVersion, object.kind);
    if (kind === 'IroncoreNetworkPolicy') keys.add(keyOf(object));
    else if (kind === 'Network') {
      for (const key of policiesOfNetwork(after.cluster, object.namespace ?? 'default', object.name)) keys.add(key);
    } else endpointsChanged = true;
  }
  if (endpointsChanged) for (const key of policiesAffectedByEndpoints(before?.cluster, after.cluster)) keys.add(key);
  for (const object of before?.refused ?? [])
    if (!after.refused.has(object) && isPolicy(object)) keys.add(keyOf(object));
  for (const object of after.refused) if (!before?.refused.has(object) && isPolicy(object)) keys.add(keyOf(object));
  for (const object of [...apinetChange.added, ...apinetChange.removed]) {
    const origin = object.kind === 'NetworkPolicy' ? apinetOrigin(object) : undefined;
    const key =
      origin !== undefined
        ? policyKey(origin.namespace, origin.name)
        : (after.keyForApinetName(object.name) ?? before?.keyForApinetName(object.name));
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
