import { compareStrings } from '../util/order.js';
import { ConnSet } from '../algebra/connset.js';
import type { Cluster } from '../policy/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import type { Direction } from '../policy/ir.js';
import { workloadName } from './connlist.js';
import { identitiesOf } from './identities.js';
import { AddressCells } from './ranges.js';
import {
  type EngineOptions,
  type FlowPeer,
  defaultEngineOptions,
  directionConns,
  isolatingPolicies,
} from '../policy/evaluate.js';

/** How far one workload is open, beyond the pods that exist today. */
export interface WorkloadExposure {
  readonly workload: string;
  readonly ingressIsolated: boolean;
  readonly egressIsolated: boolean;
  /** Allowed from every address outside the cluster and from any pod of any namespace, present or future. */
  readonly fromEverything: ConnSet;
  /** Allowed from some address outside the cluster. */
  readonly fromOutside: ConnSet;
  /** Allowed from a pod with no particular labels in a namespace with no particular labels: any namespace. */
  readonly fromAnyNamespace: ConnSet;
  readonly toOutside: ConnSet;
  readonly toAnyNamespace: ConnSet;
}

/** A pod that nobody has labelled, in a namespace nobody has labelled: what "any namespace" means. */
const STRANGER: Endpoint = {
  id: '<any-namespace>/<any-pod>',
  kind: 'Pod',
  namespace: '<any-namespace>',
  name: '<any-pod>',
  labels: {},
  ips: [],
  node: undefined,
  hostIP: undefined,
  ports: [],
  owner: { kind: 'Pod', name: '<any-pod>' },
  hostNetwork: false,
  origin: { file: '<synthetic>', line: 0 },
};

export function exposure(cluster: Cluster, options: EngineOptions = defaultEngineOptions): WorkloadExposure[] {
  const sourceCells = AddressCells.of(cluster.policies, ['ingress']).ranges();
  const destinationCells = AddressCells.of(cluster.policies, ['egress']).ranges();
  const external = (range: { family: 4 | 6; first: bigint }): FlowPeer => ({
    kind: 'external',
    ip: { family: range.family, value: range.first },
  });
  const stranger: FlowPeer = { kind: 'endpoint', endpoint: STRANGER, ip: undefined };
  const byWorkload = new Map<string, WorkloadExposure>();
  for (const identity of identitiesOf(cluster, AddressCells.of(cluster.policies, ['ingress', 'egress']))) {
    const e = identity.representative;
    const conns = (remote: FlowPeer, direction: Direction) => directionConns(cluster, e, remote, direction, options);
    const fromRanges = sourceCells.map((r) => conns(external(r), 'ingress'));
    const fromAnyNamespace = conns(stranger, 'ingress');
    const everyRange = fromRanges.reduce((all, c) => all.intersect(c), ConnSet.all);
    const found: Omit<WorkloadExposure, 'workload'> = {
      ingressIsolated: isolatingPolicies(cluster, e, 'ingress').length > 0,
      egressIsolated: isolatingPolicies(cluster, e, 'egress').length > 0,
      fromEverything: everyRange.intersect(fromAnyNamespace),
      fromOutside: fromRanges.reduce((any, c) => any.union(c), ConnSet.none),
      fromAnyNamespace,
      toOutside: destinationCells.reduce((any, r) => any.union(conns(external(r), 'egress')), ConnSet.none),
      toAnyNamespace: conns(stranger, 'egress'),
    };
    for (const workload of new Set(identity.endpoints.map(workloadName))) {
      const before = byWorkload.get(workload);
      byWorkload.set(workload, before === undefined ? { workload, ...found } : merge(before, found));
    }
  }
  return [...byWorkload.values()].sort((a, b) => compareStrings(a.workload, b.workload));
}

/** A workload whose pods differ is as exposed as its most exposed pod. */
function merge(a: WorkloadExposure, b: Omit<WorkloadExposure, 'workload'>): WorkloadExposure {
  return {
    workload: a.workload,
    ingressIsolated: a.ingressIsolated && b.ingressIsolated,
    egressIsolated: a.egressIsolated && b.egressIsolated,
    fromEverything: a.fromEverything.union(b.fromEverything),
    fromOutside: a.fromOutside.union(b.fromOutside),
    fromAnyNamespace: a.fromAnyNamespace.union(b.fromAnyNamespace),
    toOutside: a.toOutside.union(b.toOutside),
    toAnyNamespace: a.toAnyNamespace.union(b.toAnyNamespace),
  };
}
