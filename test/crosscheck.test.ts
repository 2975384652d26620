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
      const ip = outsideAddress(range, endpoint);
      if (ip === undefined) continue;
      for (const [protocol, port] of ports) {
        const verdict: boolean = decide(cluster, makeFlow({ endpoint }, { ip }, protocol, port)).allowed;
        const line = conns(workloadName(endpoint), rangeName(range))?.has(protocol, port) ?? false;
        assert.equal(line, verdict, `${endpoint.id} -> ${rangeName(range)} ${protocol} ${port}`);
      }
    }
    for (const range of computed.sourceRanges) {
      const ip = outsideAddress(range, endpoint);
      if (ip === undefined) continue;
      for (const [protocol, port] of ports) {
        const verdict: boolean = decide(cluster, makeFlow({ ip }, { endpoint }, protocol, port)).allowed;
        const line = conns(rangeName(range), workloadName(endpoint))?.has(protocol, port) ?? false;
        assert.equal(line, verdict, `${rangeName(range)} -> ${endpoint.id} ${protocol} ${port}`);
      }
    }
  }
}

/** An address of the range that is not the endpoint's own (that would be the endpoint talking to itself). */
function outsideAddress(range: AddressRange, endpoint: Endpoint): IPAddress | undefined {
  return [range.first, range.last]
    .map((value) => ({ family: range.family, value }))
    .find((ip) => !endpoint.ips.some((own) => own.family === ip.family && own.value === ip.value));
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

// Random small clusters: few labels and ports, so selectors and names collide often.
const label = fc.constantFrom('a', 'b');
const labels = fc.record({ app: label, tier: label }, { requiredKeys: [] });
const portName = fc.constantFrom('http', 'dns');
const containerPort = fc.record({
  name: portName,
  containerPort: fc.constantFrom(80, 81, 53),
  protocol: fc.constantFrom('TCP', 'UDP'),
});
const selector = fc.oneof(
  fc.constant({}),
  labels.map((l) => ({ matchLabels: l })),
  fc.record({
    matchExpressions: fc
      .tuple(fc.constantFrom('app', 'tier'), fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'), label)
      .map(([key, operator, value]) => [
        operator === 'In' || operator === 'NotIn' ? { key, operator, values: [value] } : { key, operator },
      ]),
  }),
);
const cidr = fc.constantFrom('10.0.0.0/24', '10.0.0.0/30', '0.0.0.0/0', '192.0.2.0/24', '10.0.0.2/32');
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }),
  fc.record({ podSelector: selector, namespaceSelector: selector }),
  fc.tuple(cidr, fc.boolean()).map(([c, except]) => ({
    ipBlock:
      except && c !== '10.0.0.2/32'
        ? { cidr: c, except: [c === '192.0.2.0/24' ? '192.0.2.128/25' : '10.0.0.0/31'] }
        : { cidr: c },
  })),
);
const policyPort = fc.oneof(
  fc.constant({}),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP') }),
  fc.record({ port: fc.constantFrom(53, 80, 81), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['port'] }),
  fc.record({ port: portName, protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['port'] }),
  fc.constant({ port: 80, endPort: 90 }),
);
const rule = (field: 'from' | 'to') =>
  fc.record(
    { [field]: fc.array(peer, { maxLength: 2 }), ports: fc.array(policyPort, { maxLength: 2 }) },
    { requiredKeys: [] },
  );
const policySpec = fc.record(
  {
    podSelector: selector,
    ingress: fc.array(rule('from'), { maxLength: 2 }),
    egress: fc.array(rule('to'), { maxLength: 2 }),
    policyTypes: fc.subarray(['Ingress', 'Egress'], { minLength: 1 }),
  },
  { requiredKeys: ['podSelector'] },
);
/** Where a pod is: not scheduled, a pod of node n1 with an address, or in n1's network with n1's address. */
type Placement = 'none' | 'pod' | 'hostNetwork';
const placed = (placement: Placement, i: number): object => {
  if (placement === 'none') return {};
  const ip = placement === 'pod' ? `10.0.0.${i + 1}` : '192.168.0.1';
  return { status: { podIP: ip, hostIP: '192.168.0.1' } };
};
const randomClusterWith = (placements: readonly Placement[]) =>
  fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.constantFrom('x', 'y'),
          labels,
          fc.uniqueArray(containerPort, { maxLength: 2, selector: (p) => p.name }),
          fc.constantFrom(...placements),
        ),
        { minLength: 1, maxLength: 5 },
      ),
      fc.array(fc.tuple(fc.constantFrom('x', 'y'), policySpec), { maxLength: 4 }),
      fc.record({ x: labels, y: labels }),
    )
    .map(
      ([pods, policies, nsLabels]) =>
        [
          ...(['x', 'y'] as const).map((name) => ({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name, labels: nsLabels[name] },
          })),
          ...pods.map(([ns, podLabels, ports, placement], i) => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `p${i}`, namespace: ns, labels: podLabels },
            spec: {
              ...(placement === 'none' ? {} : { nodeName: 'n1' }),
              ...(placement === 'hostNetwork' ? { hostNetwork: true } : {}),
              containers: [{ name: 'c', ports }],
            },
            ...placed(placement, i),
          })),
          ...policies.map(([ns, spec], i) => ({
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: `np${i}`, namespace: ns },
            spec,
          })),
        ] as unknown as JSONObject[],
    );
// Node traffic (a hostNetwork pod as node) is out of the list by design; under hostNetworkPods: pod there is none.
const randomCluster = randomClusterWith(['none', 'pod']);

// The cluster-wide tiers on top: admin and baseline policies of both API versions, every action and peer kind.
const tierPeer = (egress: boolean) =>
  fc.oneof(
    selector.map((s) => ({ namespaces: s })),
    fc.tuple(selector, selector).map(([ns, pods]) => ({ pods: { namespaceSelector: ns, podSelector: pods } })),
    ...(egress
      ? [
          fc.constant({ nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }),
          fc
            .constantFrom(['10.0.0.0/30'], ['0.0.0.0/0'], ['192.0.2.0/24', '10.0.0.2/32'])
            .map((n) => ({ networks: n })),
        ]
      : []),
  );
const v1alpha1Port = fc.oneof(
  fc.record({ portNumber: fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 80) }) }),
  fc.constant({ portRange: { protocol: 'TCP', start: 80, end: 90 } }),
  portName.map((namedPort) => ({ namedPort })),
);
const v1alpha2Protocol = fc.oneof(
  fc.constant({ tcp: { destinationPort: { range: { start: 1, end: 65535 } } } }),
  fc.record({ udp: fc.record({ destinationPort: fc.record({ number: fc.constantFrom(53, 80) }) }) }),
  fc.constant({ tcp: { destinationPort: { range: { start: 80, end: 90 } } } }),
  portName.map((destinationNamedPort) => ({ destinationNamedPort })),
);
const tierRules = (actions: readonly string[], v2: boolean) => (direction: 'ingress' | 'egress') =>
  fc.array(
    fc
      .record(
        {
          name: fc.constantFrom('r1', 'r2'),
          action: fc.constantFrom(...actions),
          [direction === 'ingress' ? 'from' : 'to']: fc.array(tierPeer(direction === 'egress'), {
            minLength: 1,
            maxLength: 2,
          }),
          [v2 ? 'protocols' : 'ports']: v2
            ? fc.array(v1alpha2Protocol, { minLength: 1, maxLength: 2 })
            : fc.array(v1alpha1Port, { minLength: 1, maxLength: 2 }),
        },
        { requiredKeys: ['name', 'action', direction === 'ingress' ? 'from' : 'to'] },
      )
      .filter(namedPortsWithPods),
    { maxLength: 3 },
  );
/** The CRDs refuse a named port beside node or network peers: a node has no named ports. */
const namedPortsWithPods = (rule: Record<string, unknown>): boolean => {
  const named = JSON.stringify([rule['ports'], rule['protocols']]).includes('amedPort');
  return !named || !JSON.stringify(rule['to'] ?? []).match(/"(nodes|networks)"/);
};
const subject = fc.oneof(
  selector.map((s) => ({ namespaces: s })),
  fc.tuple(selector, selector).map(([ns, pods]) => ({ pods: { namespaceSelector: ns, podSelector: pods } })),
);
const tierPolicy = fc.oneof(
  fc
    .record({
      priority: fc.constantFrom(1, 2),
      subject,
      ingress: tierRules(['Allow', 'Deny', 'Pass'], false)('ingress'),
      egress: tierRules(['Allow', 'Deny', 'Pass'], false)('egress'),
    })
    .map((spec) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', spec })),
  fc
    .record({
      subject,
      ingress: tierRules(['Allow', 'Deny'], false)('ingress'),
      egress: tierRules(['Allow', 'Deny'], false)('egress'),
    })
    .map((spec) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', spec })),
  fc
    .record({
      tier: fc.constantFrom('Admin', 'Baseline'),
      priority: fc.constantFrom(1, 3),
      subject,
      ingress: tierRules(['Accept', 'Deny', 'Pass'], true)('ingress'),
      egress: tierRules(['Accept', 'Deny', 'Pass'], true)('egress'),
    })
    .map((spec) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', spec })),
);
/** A random cluster with tier policies (at most one BaselineAdminNetworkPolicy: it is named default). */
const tieredCluster = fc
  .tuple(randomClusterWith(['none', 'pod', 'hostNetwork']), fc.array(tierPolicy, { minLength: 1, maxLength: 3 }))
  .map(([objects, tiers]) => {
    const baseline = tiers.findIndex((t) => t.kind === 'BaselineAdminNetworkPolicy');
    const kept = tiers.filter((t, i) => t.kind !== 'BaselineAdminNetworkPolicy' || i === baseline);
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux' } },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.0.1' }] },
    };
    return [
      ...objects,
      node,
      ...kept.map((t, i) => ({
        ...t,
        metadata: { name: t.kind === 'BaselineAdminNetworkPolicy' ? 'default' : `t${i}` },
      })),
    ] as unknown as JSONObject[];
  });

// Random clusters mixing every kind of endpoint with one small label space, so that an Ironcore
// objectSelector of one kind and peers of other kinds (and pod selectors) pick objects with equal labels.
const ENDPOINT_KINDS = ['NetworkInterface', 'LoadBalancer', 'VirtualIP', 'Pod'] as const;
const IRONCORE_PEER_KINDS = ['NetworkInterface', 'LoadBalancer', 'VirtualIP'] as const;
const appLabel = fc.record({ app: label }, { requiredKeys: [] });
const ironcorePeer = fc.oneof(
  fc
    .record({ objectSelector: fc.tuple(fc.constantFrom(...IRONCORE_PEER_KINDS), appLabel) })
    .map(({ objectSelector }) => ({
      objectSelector: { kind: objectSelector[0], matchLabels: objectSelector[1] },
    })),
  cidr.map((c) => ({ ipBlock: { cidr: c } })),
);
const ironcoreRule = (field: 'from' | 'to') =>
  fc.record({
    [field]: fc.array(ironcorePeer, { minLength: 1, maxLength: 2 }),
    ports: fc.array(fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(53, 80) }), {
      minLength: 1,
      maxLength: 2,
    }),
  });
const ironcorePolicySpec = fc.record({
  networkRef: fc.constantFrom('n1', 'n2').map((name) => ({ name })),
  networkInterfaceSelector: appLabel.map((l) => ({ matchLabels: l })),
  ingress: fc.array(ironcoreRule('from'), { minLength: 1, maxLength: 2 }),
  egress: fc.array(ironcoreRule('to'), { maxLength: 2 }),
});
const mixedCluster = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...ENDPOINT_KINDS), appLabel, fc.constantFrom('n1', 'n2')), {
      minLength: 2,
      maxLength: 7,
    }),
    fc.array(ironcorePolicySpec, { minLength: 1, maxLength: 3 }),
    fc.array(policySpec, { maxLength: 1 }),
  )
  .map(([objects, ironcorePolicies, policies]) => {
    const firstInterface = objects.findIndex(([kind]) => kind === 'NetworkInterface');
    const apiVersion = 'networking.ironcore.dev/v1alpha1';
    return [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
      ...['n1', 'n2'].map((name) => ({ apiVersion, kind: 'Network', metadata: { name, namespace: 'x' } })),
      ...objects.map(([kind, labels, network], i) => {
        const metadata = { name: `${kind.toLowerCase()}-${i}`, namespace: 'x', labels };
        const ip = `10.0.0.${i + 1}`;
        switch (kind) {
          case 'NetworkInterface':
            return { apiVersion, kind, metadata, spec: { networkRef: { name: network }, ips: [{ value: ip }] } };
          case 'LoadBalancer':
            return {
              apiVersion,
              kind,
              metadata,
              spec: { type: 'Internal', networkRef: { name: network }, ips: [{ value: ip }] },
            };
          case 'VirtualIP':
            return {
              apiVersion,
              kind,
              metadata,
              spec: {
                type: 'Public',
                ipFamily: 'IPv4',
                ...(firstInterface >= 0 ? { targetRef: { name: `networkinterface-${firstInterface}` } } : {}),
              },
              status: { ip },
            };
          case 'Pod':
            return { apiVersion: 'v1', kind, metadata, spec: { containers: [{ name: 'c' }] }, status: { podIP: ip } };
        }
      }),
      ...ironcorePolicies.map((spec, i) => ({
        apiVersion,
        kind: 'NetworkPolicy',
        metadata: { name: `inp${i}`, namespace: 'x' },
        spec,
      })),
      ...policies.map((spec, i) => ({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `np${i}`, namespace: 'x' },
        spec,
      })),
    ] as unknown as JSONObject[];
  });

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
