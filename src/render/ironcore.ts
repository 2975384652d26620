import { formatAddress } from '../algebra/ip.js';
import { noTargetsMessage } from '../engine/lint.js';
import { selectorPeerMatches, selects } from '../policy/evaluate.js';
import { type Cluster } from '../policy/cluster.js';
import { addressKey, namespaceOf } from '../model/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import { knownKind } from '../resources/kinds.js';
import type { IroncoreNetworkPolicy, IroncorePolicyPeer, IroncorePolicyPort } from '../resources/types.js';
import type { JSONObject } from '../util/json.js';
import type { SourcedObject } from '../resources/source.js';
import { typedView } from '../validate/typed.js';
import type { Rule } from '../policy/ir.js';
import { defaultedIroncorePort, normaliseIroncorePolicy } from '../policy/ironcore.js';
import { compareStrings } from '../util/order.js';
import { defaultedPolicyTypes } from '../validate/ironcore.js';
import { type Diagnostic, formatInvalidObject } from '../validate/validate.js';
import { plural } from '../util/plural.js';

/**
 * The reconciliation ironcore-net's apinetlet performs for each Ironcore
 * NetworkPolicy (ironcore-cn2.md §2.4), as objects: the apinet NetworkPolicy,
 * its NetworkPolicyRule (targets, resolved peer IPs, ipBlocks, ports) and the
 * status conditions of the Ironcore policy. Where apinetlet has gaps, this
 * fills them: virtual IP peers are resolved, load balancers are filtered by
 * network, a missing network is a condition, and targets follow the labels
 * of the interfaces as they are now.
 */
export interface IroncoreOptions {
  /** The namespace apinetlet writes into (its --apinet-namespace). */
  readonly apinetNamespace?: string;
}

export interface IroncoreReconciliation {
  /** The Ironcore policy with the status conditions a reconcile leaves on it. */
  readonly policy: JSONObject;
  /** The apinet NetworkPolicy and NetworkPolicyRule; none when the network is missing. */
  readonly apinet: readonly JSONObject[];
}

export const APINET_API_VERSION = 'core.apinet.ironcore.dev/v1alpha1';
const APINET = APINET_API_VERSION;
/** apinetlet hard-codes it: "networkingv1alpha1.NetworkPolicy does not have this field". */
const PRIORITY = 1000;
const ORIGIN = 'apinetlet.ironcore.dev/networkpolicy';
const ORIGIN_UID = `${ORIGIN}-uid`;
const ORIGIN_NAMESPACE = `${ORIGIN}-namespace`;
const ORIGIN_NAME = `${ORIGIN}-name`;

export function reconcileIroncore(
  objects: readonly SourcedObject[],
  cluster: Cluster,
  options: IroncoreOptions = {},
): IroncoreReconciliation[] {
  const apinetNamespace = options.apinetNamespace ?? 'apinet';
  const networks = new Map(
    objects.filter((o) => knownKind(o.apiVersion, o.kind) === 'Network').map((o) => [`${namespaceOf(o)}/${o.name}`, o]),
  );
  return objects
    .filter((o) => knownKind(o.apiVersion, o.kind) === 'IroncoreNetworkPolicy')
    .sort((a, b) => compareStrings(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`))
    .map((o) => reconcileOne(o, cluster, networks, apinetNamespace));
}

function reconcileOne(
  object: SourcedObject,
  cluster: Cluster,
  networks: ReadonlyMap<string, SourcedObject>,
  apinetNamespace: string,
): IroncoreReconciliation {
  const np = typedView<IroncoreNetworkPolicy>(object);
  const namespace = namespaceOf(object);
  const networkName = np.spec?.networkRef?.name ?? '';
  const network = networks.get(`${namespace}/${networkName}`);
  const condition = conditionOf(object);
  const withStatus = (conditions: JSONObject[]): JSONObject => policyWithConditions(object, conditions);
  if (network === undefined) {
    const missing = condition(
      'NetworkFound',
      false,
      'NetworkNotFound',
      `network ${networkName} does not exist in namespace ${namespace}; nothing is enforced until it does`,
    );
    return { policy: withStatus([missing]), apinet: [] };
  }

  const policy = normaliseIroncorePolicy(object);
  const targets = cluster.endpoints
    .filter((e) => selects(cluster, policy, e))
    .flatMap((nic) => nic.ips.map((ip) => ({ ip: formatAddress(ip), targetRef: { name: nic.name } })));
  const name = uidOf(object);
  const networkRef = { name: uidOf(network) };
  const apinetPolicy: JSONObject = {
    apiVersion: APINET,
    kind: 'NetworkPolicy',
    metadata: {
      namespace: apinetNamespace,
      name,
      labels: { [ORIGIN_UID]: name, [ORIGIN_NAMESPACE]: namespace },
      annotations: { [ORIGIN_NAME]: object.name },
    },
    spec: {
      networkRef,
      networkInterfaceSelector: asJSON(np.spec?.networkInterfaceSelector ?? {}),
      priority: PRIORITY,
      ...copiedRules(np),
      policyTypes: defaultedPolicyTypes(np),
    },
  };
  const rule: JSONObject = {
    apiVersion: APINET,
    kind: 'NetworkPolicyRule',
    metadata: {
      namespace: apinetNamespace,
      name,
      ownerReferences: [
        { apiVersion: APINET, kind: 'NetworkPolicy', name, controller: true, blockOwnerDeletion: true },
      ],
    },
    networkRef,
    targets,
    priority: PRIORITY,
    ...(policy.ingress
      ? { ingressRule: policy.ingress.map((r, i) => resolvedRule(cluster, r, np.spec?.ingress?.[i]?.ports ?? [])) }
      : {}),
    ...(policy.egress
      ? { egressRule: policy.egress.map((r, i) => resolvedRule(cluster, r, np.spec?.egress?.[i]?.ports ?? [])) }
      : {}),
  };
  const conditions = [
    condition('NetworkFound', true, 'NetworkFound', `network ${networkName}`),
    targets.length > 0
      ? condition(
          'TargetsFound',
          true,
          'TargetsFound',
          `${plural(targets.length, 'address', 'addresses')} of network interfaces selected`,
        )
      : condition('TargetsFound', false, 'NoTargets', noTargetsMessage(cluster, policy, namespace, networkName)),
    condition(
      'Applied',
      true,
      'Applied',
      `NetworkPolicyRule ${apinetNamespace}/${name} holds ${plural(targets.length, 'target')}`,
    ),
  ];
  return { policy: withStatus(conditions), apinet: [apinetPolicy, rule] };
}

/** A condition of the policy as the reconcile of its current generation leaves it. */
const conditionOf =
  (object: SourcedObject) =>
  (type: string, ok: boolean, reason: string, message: string): JSONObject => ({
    type,
    status: ok ? 'True' : 'False',
    reason,
    message,
    observedGeneration: (object.raw['metadata'] as JSONObject)['generation'] ?? 1,
  });

/** The policy with these conditions as its status: what a status update of it sends. */
const policyWithConditions = (object: SourcedObject, conditions: readonly JSONObject[]): JSONObject => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  metadata: { name: object.name, namespace: namespaceOf(object) },
  status: { conditions: [...conditions] },
});

/**
 * An Ironcore policy netpol refuses (the API server would have: it can only be met on a server that does not
 * validate, or one older than the rules) is reconciled to nothing: no apinet objects, and an `Applied` condition
 * that is False with the API server's message (`NetworkPolicy.networking.ironcore.dev "x" is invalid: ...`).
 */
export function invalidIroncorePolicy(object: SourcedObject, problems: readonly Diagnostic[]): IroncoreReconciliation {
  const applied = conditionOf(object)('Applied', false, 'Invalid', formatInvalidObject(object, problems));
  return { policy: policyWithConditions(object, [applied]), apinet: [] };
}

/**
 * The status of a reconciliation whose apinet objects the API server refused to take (a 403, a missing
 * namespace, a 422): `Applied` turns False with the server's message; the other conditions stand.
 */
export function applyFailedStatus(policy: JSONObject, message: string): JSONObject {
  const status = policy['status'] as { conditions: JSONObject[] };
  const conditions = status.conditions.map((c) =>
    c['type'] === 'Applied' ? { ...c, status: 'False', reason: 'ApplyFailed', message } : c,
  );
  return { ...policy, status: { conditions } };
}

/** Which Ironcore policy an apinet NetworkPolicy was made for, from its origin labels and annotation. */
export function apinetOrigin(apinet: SourcedObject): { namespace: string; name: string; uid: string } | undefined {
  const metadata = apinet.raw['metadata'] as JSONObject | undefined;
  const labels = (metadata?.['labels'] ?? {}) as Record<string, unknown>;
  const annotations = (metadata?.['annotations'] ?? {}) as Record<string, unknown>;
  const [namespace, name, uid] = [labels[ORIGIN_NAMESPACE], annotations[ORIGIN_NAME], labels[ORIGIN_UID]];
  return typeof namespace === 'string' && typeof name === 'string' && typeof uid === 'string'
    ? { namespace, name, uid }
    : undefined;
}

/** A decoded value as plain JSON data. */
const asJSON = (value: object): JSONObject => JSON.parse(JSON.stringify(value)) as JSONObject;

/**
 * The name of the apinet objects of an Ironcore policy, and of an Ironcore network's apinet network: the object's
 * UID. Manifests have no UIDs until applied, so a manifest's stand-in is `<namespace>-<name>`.
 */
export const apinetNameOf = (o: SourcedObject): string => uidOf(o);

const uidOf = (o: SourcedObject): string => {
  const uid = (o.raw['metadata'] as JSONObject)['uid'];
  return typeof uid === 'string' && uid !== '' ? uid : `${namespaceOf(o)}-${o.name}`;
};

/** A port as apinetlet copies it: `port: 0` when unset, and a protocol always (TCP, as documented). */
const apinetPort = (p: IroncorePolicyPort): JSONObject => ({ ...defaultedIroncorePort(p) });

/**
 * The rules as apinetlet copies them, but for VirtualIP peers: apinet's validation takes only NetworkInterface and
 * LoadBalancer selectors (ironcore-net internal/apis/core/validation/networkpolicy.go), so a copied VirtualIP peer
 * would have the whole object refused. They are left out here; the NetworkPolicyRule carries their addresses.
 */
function copiedRules(np: IroncoreNetworkPolicy): JSONObject {
  const peers = (list: readonly IroncorePolicyPeer[] | undefined): JSONObject[] =>
    (list ?? []).filter((p) => p.objectSelector?.kind !== 'VirtualIP').map((p) => asJSON(p));
  return {
    ...(np.spec?.ingress
      ? { ingress: np.spec.ingress.map((r) => ({ from: peers(r.from), ports: (r.ports ?? []).map(apinetPort) })) }
      : {}),
    ...(np.spec?.egress
      ? { egress: np.spec.egress.map((r) => ({ to: peers(r.to), ports: (r.ports ?? []).map(apinetPort) })) }
      : {}),
  };
}

/** One NetworkPolicyRule rule: ipBlocks as written, selector peers resolved to the /32 and /128 of what they pick. */
function resolvedRule(cluster: Cluster, rule: Rule, ports: readonly IroncorePolicyPort[]): JSONObject {
  const peers = rule.peers === 'any' ? [] : rule.peers;
  const selected = peers.flatMap((peer) =>
    peer.kind === 'selector' ? cluster.endpoints.filter((e: Endpoint) => selectorPeerMatches(cluster, peer, e)) : [],
  );
  const ips = [...new Map(selected.flatMap((e) => e.ips).map((ip) => [addressKey(ip), ip])).values()].map((ip) => ({
    ipFamily: ip.family === 4 ? 'IPv4' : 'IPv6',
    prefix: `${formatAddress(ip)}/${ip.family === 4 ? 32 : 128}`,
  }));
  const ipBlock = peers.flatMap((p) =>
    p.kind === 'ipBlock' ? [{ cidr: p.cidr, ...(p.except.length > 0 ? { except: [...p.except] } : {}) }] : [],
  );
  return { ipBlock, ips, networkPolicyPorts: ports.map(apinetPort) };
}
