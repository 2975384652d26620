import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PROTOCOLS, type Protocol } from '../src/algebra/connset.js';
import { computeConnectivity } from '../src/engine/connectivity.js';
import { rangeName, workloadConnections, workloadName } from '../src/engine/connlist.js';
import { endpointFlow, makeFlow } from '../src/engine/flow.js';
import { decide } from '../src/engine/verdict.js';
import { type Cluster, type ClusterOptions, buildCluster } from '../src/policy/cluster.js';
import type { Endpoint } from '../src/model/endpoints.js';
import type { IPAddress } from '../src/algebra/ip.js';
import type { AddressRange } from '../src/algebra/ipset.js';
import { type JSONObject } from '../src/util/json.js';
import { objectFromData } from '../src/resources/source.js';
import { validateObjects } from '../src/validate/validate.js';
import { generateCluster } from '../bench/generate.js';
import { mixedCluster, randomCluster, randomClusterWith, tieredCluster } from './support/random-clusters.js';

/**
 * The optimised path (identities, external cells, sparse views) must agree
 * with the simple one (decide() on each flow) everywhere: every pod pair
 * (folded to workloads), every external cell, and one port from every class
 * of ports the policies and pods can tell apart.
 */
function crossCheck(cluster: Cluster): void {
  const lines = workloadConnections(computeConnectivity(cluster));
  const listed = new Map(lines.map((l) => [`${l.src} ${l.dst}`, l.conns]));
  const ports = portClasses(cluster);
  const conns = (src: string, dst: string) => listed.get(`${src} ${dst}`);
  // A workload may open what any of its pods may open; its traffic to itself is not listed.
  const expected = new Map<string, boolean>();
  for (const src of cluster.endpoints) {
    for (const dst of cluster.endpoints) {
      if (src === dst || workloadName(src) === workloadName(dst)) continue;
      for (const [protocol, port] of ports) {
        const key = `${workloadName(src)} ${workloadName(dst)} ${protocol} ${port}`;
        if (decide(cluster, endpointFlow(src, dst, protocol, port)).allowed) expected.set(key, true);
        else if (!expected.has(key)) expected.set(key, false);
      }
    }
  }
  for (const [key, verdict] of expected) {
    const [src, dst, protocol, port] = key.split(' ') as [string, string, Protocol, string];
    const line = conns(src, dst)?.has(protocol, Number(port)) ?? false;
    assert.equal(line, verdict, `${key}: list says ${line}, check says ${verdict}`);
  }
  const computed = computeConnectivity(cluster);
  for (const endpoint of cluster.endpoints) {
    for (const range of computed.destinationRanges) {
      const ip = outsideAddress(cluster, range, endpoint);
      if (ip === undefined) continue;
      for (const [protocol, port] of ports) {
        const verdict: boolean = decide(cluster, makeFlow({ endpoint }, { ip }, protocol, port)).allowed;
        const line = conns(workloadName(endpoint), rangeName(range))?.has(protocol, port) ?? false;
        assert.equal(line, verdict, `${endpoint.id} -> ${rangeName(range)} ${protocol} ${port}`);
      }
    }
    for (const range of computed.sourceRanges) {
      const ip = outsideAddress(cluster, range, endpoint);
      if (ip === undefined) continue;
      for (const [protocol, port] of ports) {
        const verdict: boolean = decide(cluster, makeFlow({ ip }, { endpoint }, protocol, port)).allowed;
        const line = conns(rangeName(range), workloadName(endpoint))?.has(protocol, port) ?? false;
        assert.equal(line, verdict, `${rangeName(range)} -> ${endpoint.id} ${protocol} ${port}`);
      }
    }
  }
}

/**
 * An address of the range that is neither the endpoint's own (the endpoint talking to itself) nor its node's: a
 * pod's traffic with its own node is node traffic, which list leaves out (the README says so), while a node's
 * address can be a range of its own, for a `nodes` peer.
 */
function outsideAddress(cluster: Cluster, range: AddressRange, endpoint: Endpoint): IPAddress | undefined {
  const node = endpoint.node === undefined ? undefined : cluster.nodes.get(endpoint.node);
  const own = [
    ...endpoint.ips,
    ...(endpoint.hostIP === undefined ? [] : [endpoint.hostIP]),
    ...(node?.addresses ?? []),
  ];
  return [range.first, range.last]
    .map((value) => ({ family: range.family, value }))
    .find((ip) => !own.some((mine) => mine.family === ip.family && mine.value === ip.value));
}

/** One port per interval between every boundary that policies and container ports draw, per protocol. */
function portClasses(cluster: Cluster): [Protocol, number][] {
  const cuts = new Set([1, 65535]);
  for (const e of cluster.endpoints) for (const p of e.ports) [p.port, p.port + 1].forEach((c) => cuts.add(c));
  for (const policy of cluster.policies) {
    for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
      if (rule.ports === 'any') continue;
      for (const m of rule.ports)
        if (m.kind === 'numbered') for (const [a, b] of m.ports.ranges) [a, b + 1].forEach((c) => cuts.add(c));
    }
  }
  const ports = [...cuts].filter((p) => p >= 1 && p <= 65535).sort((a, b) => a - b);
  return PROTOCOLS.flatMap((protocol) => ports.map((port): [Protocol, number] => [protocol, port]));
}

const clusterOf = (objects: JSONObject[], options: ClusterOptions = {}): Cluster => {
  const sourced = objects.map((o) => objectFromData(o));
  assert.deepEqual(
    validateObjects(sourced).map((d) => d.message),
    [],
  );
  return buildCluster(sourced, options);
};

describe('list agrees with check', () => {
  it('on random small clusters', () => {
    fc.assert(
      fc.property(randomCluster, (objects) => crossCheck(clusterOf(objects))),
      { numRuns: 150 },
    );
  });

  it('on random clusters with hostNetwork pods, taken as pods', () => {
    fc.assert(
      fc.property(randomClusterWith(['none', 'pod', 'hostNetwork']), (objects) =>
        crossCheck(clusterOf(objects, { hostNetworkPods: 'pod' })),
      ),
      { numRuns: 150 },
    );
  });

  it("on random clusters with the cluster-wide tiers, pods in their node's network taken as pods", () => {
    fc.assert(
      fc.property(tieredCluster, (objects) => crossCheck(clusterOf(objects, { hostNetworkPods: 'pod' }))),
      { numRuns: 200 },
    );
  });

  it('on random clusters with the cluster-wide tiers, pods placed or not', () => {
    fc.assert(
      fc.property(
        tieredCluster.map((objects) =>
          objects.filter((o) => (o['spec'] as { hostNetwork?: boolean } | undefined)?.hostNetwork !== true),
        ),
        (objects) => crossCheck(clusterOf(objects)),
      ),
      { numRuns: 200 },
    );
  });

  it('on random clusters that mix interfaces, load balancers, virtual IPs and pods with equal labels', () => {
    fc.assert(
      fc.property(mixedCluster, (objects) => crossCheck(clusterOf(objects))),
      { numRuns: 200 },
    );
  });

  for (const seed of [1, 2, 3]) {
    it(`on the benchmark generator's cluster, seed ${seed}`, () => {
      crossCheck(clusterOf(generateCluster({ pods: 40, policies: 30, seed })));
    });
  }
});
