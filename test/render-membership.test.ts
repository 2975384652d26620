import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildCluster } from '../src/policy/cluster.js';
import { ClusterBuilder } from '../src/pipeline/cluster-builder.js';
import { type JSONObject } from '../src/util/json.js';
import { type SourcedObject, objectFromData } from '../src/resources/source.js';
import { MembershipCache } from '../src/render/membership.js';
import { type NftRuleset, buildNftRuleset } from '../src/render/nftables.js';
import { generateCluster } from '../bench/generate.js';

/**
 * The agent renders with memberships kept from its last render. Whatever
 * the churn, that must give the ruleset a fresh render gives.
 */
const normal = (r: NftRuleset): unknown => ({
  ...r,
  sets: r.sets.map((s) => ({ ...s, elements: [...s.elements].sort() })),
});
const APPS = ['frontend', 'api', 'db', 'cache', 'worker'];

type Change =
  | { kind: 'relabel'; pod: number; app: number }
  | { kind: 'add'; pod: number; app: number; node: number }
  | { kind: 'delete'; pod: number }
  | { kind: 'readdress'; pod: number }
  | { kind: 'namespace'; ns: number; env: number }
  | { kind: 'policy'; policy: number; app: number; port: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('relabel' as const), pod: fc.nat(), app: fc.nat(4) }),
  fc.record({ kind: fc.constant('add' as const), pod: fc.nat(), app: fc.nat(4), node: fc.nat(3) }),
  fc.record({ kind: fc.constant('delete' as const), pod: fc.nat() }),
  fc.record({ kind: fc.constant('readdress' as const), pod: fc.nat() }),
  fc.record({ kind: fc.constant('namespace' as const), ns: fc.nat(3), env: fc.nat(2) }),
  fc.record({ kind: fc.constant('policy' as const), policy: fc.nat(), app: fc.nat(4), port: fc.nat(2) }),
);

/** Applies a change to the objects, replacing only the objects it touches, as the input cache does. */
function applyChange(objects: SourcedObject[], c: Change, serial: number): SourcedObject[] {
  const pods = objects.map((o, i) => [o, i] as const).filter(([o]) => o.kind === 'Pod');
  const replace = (index: number, raw: JSONObject): SourcedObject[] =>
    objects.map((o, i) => (i === index ? objectFromData(raw) : o));
  if (c.kind === 'namespace') {
    const namespaces = objects
      .map((o, i) => [o, i] as const)
      .filter(([o]) => o.kind === 'Namespace' && o.name.startsWith('team-'));
    const [ns, index] = namespaces[c.ns % namespaces.length]!;
    const raw = structuredClone(ns.raw);
    (raw['metadata'] as JSONObject)['labels'] = {
      ...((raw['metadata'] as JSONObject)['labels'] as JSONObject),
      env: ['prod', 'staging', 'dev'][c.env]!,
    };
    return replace(index, raw);
  }
  if (c.kind === 'policy') {
    // Another subject and another port: the agent compiles the policies again over the same endpoints.
    const policies = objects.map((o, i) => [o, i] as const).filter(([o]) => o.kind === 'NetworkPolicy');
    const [policy, index] = policies[c.policy % policies.length]!;
    const raw = structuredClone(policy.raw);
    const spec = raw['spec'] as JSONObject;
    spec['podSelector'] = { matchLabels: { app: APPS[c.app]! } };
    spec['ingress'] = [{ ports: [{ protocol: 'TCP', port: [80, 443, 8080][c.port]! }] }];
    return replace(index, raw);
  }
  const [pod, index] = pods[c.pod % pods.length]!;
  const raw = structuredClone(pod.raw);
  const metadata = raw['metadata'] as JSONObject;
  switch (c.kind) {
    case 'relabel':
      metadata['labels'] = { ...(metadata['labels'] as JSONObject), app: APPS[c.app]! };
      return replace(index, raw);
    case 'delete':
      return objects.filter((_, i) => i !== index);
    case 'readdress': {
      const ip = `10.201.${serial >> 8}.${serial & 255}`;
      raw['status'] = { phase: 'Running', podIP: ip, podIPs: [{ ip }] };
      return replace(index, raw);
    }
    case 'add': {
      const ip = `10.202.${serial >> 8}.${serial & 255}`;
      metadata['name'] = `added-${serial}`;
      metadata['labels'] = { ...(metadata['labels'] as JSONObject), app: APPS[c.app]! };
      (raw['spec'] as JSONObject)['nodeName'] = `node-${c.node}`;
      raw['status'] = { phase: 'Running', podIP: ip, podIPs: [{ ip }] };
      return [...objects, objectFromData(raw)];
    }
  }
}

describe('rendering with kept memberships', () => {
  it('gives what a fresh render gives, after any churn of pods and namespace labels', () => {
    const start = generateCluster({ pods: 200, policies: 80, namespaces: 4 }).map((o) => objectFromData(o));
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 25 }), (changes) => {
        const membership = new MembershipCache();
        let objects = start;
        buildNftRuleset(buildCluster(objects), { node: 'node-0', membership });
        changes.forEach((c, serial) => {
          objects = applyChange(objects, c, serial + 1);
          const cluster = buildCluster(objects);
          const kept = buildNftRuleset(cluster, { node: 'node-0', membership });
          const fresh = buildNftRuleset(cluster, { node: 'node-0' });
          assert.deepEqual(normal(kept), normal(fresh), `after change ${serial + 1}: ${JSON.stringify(c)}`);
        });
      }),
      { numRuns: 40 },
    );
  });

  it('gives what a fresh render gives when clusters are patched, as the agent renders them', () => {
    const start = generateCluster({ pods: 200, policies: 80, namespaces: 4 }).map((o) => objectFromData(o));
    let patched = 0;
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 25 }), (changes) => {
        const membership = new MembershipCache();
        const builder = new ClusterBuilder();
        let objects = start;
        buildNftRuleset(builder.build(objects), { node: 'node-0', membership });
        changes.forEach((c, serial) => {
          const next = applyChange(objects, c, serial + 1);
          const was = new Set(objects);
          const is = new Set(next);
          const cluster = builder.build(next, {
            removed: objects.filter((o) => !is.has(o)),
            added: next.filter((o) => !was.has(o)),
          });
          if (builder.lastBuild === 'patched') patched++;
          objects = next;
          const kept = buildNftRuleset(cluster, { node: 'node-0', membership });
          const fresh = buildNftRuleset(buildCluster(objects), { node: 'node-0' });
          assert.deepEqual(normal(kept), normal(fresh), `after change ${serial + 1}: ${JSON.stringify(c)}`);
        });
      }),
      { numRuns: 40 },
    );
    assert.ok(patched > 100, `${patched} renders of patched clusters`);
  });
});
