import fc from 'fast-check';
import type { JSONObject } from '../../src/util/json.js';

/**
 * Random small clusters for property tests: few labels and ports, so that selectors and names collide often.
 * Pods are unscheduled, pods of node n1 (10.0.0.x, n1 being 192.168.0.1), or in n1's network.
 */
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
export const randomClusterWith = (placements: readonly Placement[]) =>
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
export const randomCluster = randomClusterWith(['none', 'pod']);

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
export const tieredCluster = fc
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
export const mixedCluster = fc
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
