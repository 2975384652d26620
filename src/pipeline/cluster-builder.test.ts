import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateCluster } from '../../bench/generate.js';
import { formatIP } from '../algebra/ip.js';
import { HOST_NETWORK_PODS } from '../model/host-network.js';
import { type Cluster, buildCluster } from '../policy/cluster.js';
import { ClusterBuilder } from './cluster-builder.js';
import { type JSONObject } from '../util/json.js';
import { type SourcedObject, objectFromData } from '../resources/source.js';

/** Everything a cluster says, in a form two clusters can be compared by. */
function normal(cluster: Cluster): unknown {
  return {
    endpoints: cluster.endpoints,
    byId: [...cluster.endpointById].map(([id, e]) => [id, e.id]).sort(),
    byAddress: [...cluster.endpointByAddress].map(([key, e]) => [key, e.id]).sort(),
    // A node's addresses are a set; their order follows whichever pod reported one first.
    nodes: [...cluster.nodes.values()]
      .map((n) => ({ ...n, addresses: n.addresses.map((ip) => formatIP(ip.family, ip.value)).sort() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    namespaces: [...cluster.namespaces.values()].sort((a, b) => a.name.localeCompare(b.name)),
    policies: cluster.policies.map((p) => JSON.stringify(p, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))),
    byNamespace: [...cluster.policiesByNamespace].map(([ns, list]) => [ns, list.map((p) => p.ref.name)]).sort(),
    tiers: [cluster.tiers.admin, cluster.tiers.baseline].map((tier) => tier.map((p) => p.ref.name)),
    families: cluster.families,
    warnings: cluster.warnings,
  };
}

type Change =
  | {
      kind:
        | 'relabel'
        | 'delete'
        | 'orphan'
        | 'hostNetwork'
        | 'sameAddress'
        | 'hostIP'
        | 'elsewhere'
        | 'finish'
        | 'unloadedOwner';
      pod: number;
      other: number;
    }
  | { kind: 'add'; pod: number; other: number; node: number }
  | { kind: 'namespaceLabel'; other: number }
  | { kind: 'policySelector' | 'policyDelete' | 'policyCopy' | 'policyElsewhere'; other: number }
  | { kind: 'nodeObject'; other: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('relabel' as const, 'delete' as const),
      pod: fc.nat(),
      other: fc.nat(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('add' as const), pod: fc.nat(), other: fc.nat(), node: fc.nat(4) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'orphan' as const,
        'hostNetwork' as const,
        'sameAddress' as const,
        'hostIP' as const,
        'elsewhere' as const,
        'finish' as const,
        'unloadedOwner' as const,
      ),
      pod: fc.nat(),
      other: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'policySelector' as const,
        'policyDelete' as const,
        'policyCopy' as const,
        'policyElsewhere' as const,
      ),
      other: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ kind: fc.constant('namespaceLabel' as const), other: fc.nat() }),
      fc.record({ kind: fc.constant('nodeObject' as const), other: fc.nat() }),
    ),
  },
);

type PolicyChange = Extract<Change, { kind: `policy${string}` }>;
const isPolicyChange = (c: Change): c is PolicyChange => c.kind.startsWith('policy');

/** A NetworkPolicy selecting other pods, gone, copied under a new name, or copied into an undeclared namespace. */
function applyPolicyChange(objects: readonly SourcedObject[], c: PolicyChange, serial: number): SourcedObject[] {
  const policies = objects.flatMap((o, i) => (o.kind === 'NetworkPolicy' ? [i] : []));
  if (policies.length === 0) return [...objects];
  const index = policies[c.other % policies.length]!;
  const raw = structuredClone(objects[index]!.raw);
  const metadata = raw['metadata'] as JSONObject;
  switch (c.kind) {
    case 'policyDelete':
      return objects.filter((_, i) => i !== index);
    case 'policySelector':
      (raw['spec'] as JSONObject)['podSelector'] = { matchLabels: { app: `moved-${serial % 3}` } };
      return objects.map((o, i) => (i === index ? objectFromData(raw) : o));
    case 'policyCopy':
      metadata['name'] = `copy-${serial}`;
      return [...objects, objectFromData(raw)];
    case 'policyElsewhere':
      // A namespace no object declares: it exists only through the policy.
      metadata['name'] = `copy-${serial}`;
      metadata['namespace'] = `undeclared-policy-${serial % 2}`;
      return [...objects, objectFromData(raw)];
  }
}

/** Applies a change as the input cache sees it: the objects it replaces, removes and adds. */
function applyChange(objects: readonly SourcedObject[], c: Change, serial: number): SourcedObject[] {
  if (c.kind === 'namespaceLabel') {
    return objects.map((o) =>
      o.kind === 'Namespace' && o.name === 'team-0'
        ? objectFromData({ ...o.raw, metadata: { name: 'team-0', labels: { env: `e${serial}` } } })
        : o,
    );
  }
  if (c.kind === 'nodeObject') {
    return [
      ...objects,
      objectFromData({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: `node-${c.other % 5}` },
        status: { addresses: [{ type: 'InternalIP', address: `192.168.0.${serial}` }] },
      }),
    ];
  }
  if (isPolicyChange(c)) return applyPolicyChange(objects, c, serial);
  const pods = objects.flatMap((o, i) => (o.kind === 'Pod' ? [i] : []));
  if (pods.length === 0) return [...objects];
  const index = pods[c.pod % pods.length]!;
  const raw = structuredClone(objects[index]!.raw);
  const metadata = raw['metadata'] as JSONObject;
  const spec = raw['spec'] as JSONObject;
  const other = objects[pods[c.other % pods.length]!]!.raw;
  switch (c.kind) {
    case 'delete':
      return objects.filter((_, i) => i !== index);
    case 'add':
      metadata['name'] = `added-${serial}`;
      spec['nodeName'] = `node-${c.node}`;
      raw['status'] = { podIP: `10.99.0.${serial}`, podIPs: [{ ip: `10.99.0.${serial}` }] };
      return [...objects, objectFromData(raw)];
    case 'relabel':
      metadata['labels'] = { ...(metadata['labels'] as JSONObject), app: `moved-${serial % 3}` };
      break;
    case 'orphan':
      // The pod stops counting for its ReplicaSet: a workload left without pods brings its template back.
      delete metadata['ownerReferences'];
      break;
    case 'hostNetwork':
      spec['hostNetwork'] = true;
      break;
    case 'sameAddress':
      raw['status'] = structuredClone(other['status'] ?? {});
      break;
    case 'hostIP':
      raw['status'] = { ...(raw['status'] as JSONObject), hostIP: `192.168.1.${serial % 4}` };
      break;
    case 'elsewhere':
      // A namespace no object declares: it exists only through its pods.
      metadata['namespace'] = `undeclared-${serial % 2}`;
      break;
    case 'finish':
      // A finished pod is no endpoint, but still one of its workload's pods.
      raw['status'] = { ...(raw['status'] as JSONObject), phase: serial % 2 === 0 ? 'Succeeded' : 'Failed' };
      break;
    case 'unloadedOwner':
      // Its controller is not in the input: the pod is reported as that controller.
      metadata['ownerReferences'] = [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `gone-${serial % 2}`, controller: true, uid: 'u' },
      ];
      break;
  }
  return objects.map((o, i) => (i === index ? objectFromData(raw) : o));
}

const diff = (before: readonly SourcedObject[], after: readonly SourcedObject[]) => {
  const was = new Set(before);
  const is = new Set(after);
  return { removed: before.filter((o) => !is.has(o)), added: after.filter((o) => !was.has(o)) };
};

describe('ClusterBuilder', () => {
  it('patches clusters into what a fresh build gives, after any churn, whichever hostNetwork pods are', () => {
    const start = generateCluster({ pods: 40, policies: 10, namespaces: 3 }).map((o) => objectFromData(o));
    let patches = 0;
    let builds = 0;
    fc.assert(
      fc.property(
        fc.array(change, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(...HOST_NETWORK_PODS),
        (changes, hostNetworkPods) => {
          const builder = new ClusterBuilder({ hostNetworkPods });
          let objects: readonly SourcedObject[] = start;
          builder.build(objects);
          changes.forEach((c, serial) => {
            const next = applyChange(objects, c, serial + 1);
            const patched = builder.build(next, diff(objects, next));
            objects = next;
            builds++;
            if (builder.lastBuild === 'patched') patches++;
            assert.deepEqual(
              normal(patched),
              normal(buildCluster(objects, { hostNetworkPods })),
              `after ${JSON.stringify(changes.slice(0, serial + 1))}`,
            );
          });
        },
      ),
      { numRuns: 150 },
    );
    // The fallback alone would pass the comparison: the patch must have run, often.
    assert.ok(patches > builds / 5, `${patches} of ${builds} builds patched`);
  });

  it('patches a relabelled, a new and a deleted pod of a workload with other pods', () => {
    const objects = generateCluster({ pods: 300, policies: 20, namespaces: 2 }).map((o) => objectFromData(o));
    const builder = new ClusterBuilder();
    builder.build(objects);
    let current: readonly SourcedObject[] = objects;
    for (const c of [
      { kind: 'relabel', pod: 5, other: 0 },
      { kind: 'add', pod: 7, other: 0, node: 2 },
      { kind: 'delete', pod: 9, other: 0 },
    ] as const) {
      const next = applyChange(current, c, 1);
      const cluster = builder.build(next, diff(current, next));
      assert.equal(builder.lastBuild, 'patched', c.kind);
      assert.deepEqual(normal(cluster), normal(buildCluster(next)));
      current = next;
    }
  });

  it('compiles the policies again without rebuilding the endpoints when only policies changed', () => {
    const objects = generateCluster({ pods: 300, policies: 20, namespaces: 2 }).map((o) => objectFromData(o));
    const builder = new ClusterBuilder();
    const first = builder.build(objects);
    let current: readonly SourcedObject[] = objects;
    for (const kind of ['policySelector', 'policyCopy', 'policyDelete'] as const) {
      const next = applyPolicyChange(current, { kind, other: 3 }, 1);
      const cluster = builder.build(next, diff(current, next));
      assert.equal(builder.lastBuild, 'patched', kind);
      assert.equal(cluster.endpoints, first.endpoints, 'the same endpoints, not rebuilt');
      assert.deepEqual(normal(cluster), normal(buildCluster(next)));
      current = next;
    }
    const elsewhere = applyPolicyChange(current, { kind: 'policyElsewhere', other: 3 }, 1);
    const cluster = builder.build(elsewhere, diff(current, elsewhere));
    assert.equal(builder.lastBuild, 'full', 'a namespace made by a policy alone is built afresh');
    assert.ok(cluster.namespaces.has('undeclared-policy-1'));
  });

  it('builds afresh without a change, or when other objects changed', () => {
    const objects = generateCluster({ pods: 10, policies: 2, namespaces: 1 }).map((o) => objectFromData(o));
    const builder = new ClusterBuilder();
    builder.build(objects);
    builder.build(objects);
    assert.equal(builder.lastBuild, 'full');
    const namespace = objects.findIndex((o) => o.kind === 'Namespace' && o.name === 'team-0');
    const next = objects.map((o, i) =>
      i === namespace ? objectFromData({ ...o.raw, metadata: { name: 'team-0', labels: { env: 'x' } } }) : o,
    );
    builder.build(next, diff(objects, next));
    assert.equal(builder.lastBuild, 'full');
  });
});
