import type { JSONObject } from '../src/util/json.js';

/**
 * A deterministic synthetic cluster: namespaces of teams, each running a
 * handful of apps in several versions, with the policy mix real clusters
 * have: default-deny, namespace isolation, app-to-app rules with numbered
 * and named ports, ipBlocks with excepts, and egress to DNS.
 */
export interface ClusterSize {
  readonly pods: number;
  readonly policies: number;
  readonly seed?: number;
  /** Fixes the number of namespaces, and so of identities (16 per namespace); by default one per 100 pods. */
  readonly namespaces?: number;
}

const APPS = [
  {
    app: 'frontend',
    tier: 'web',
    ports: [
      ['http', 8080],
      ['metrics', 9090],
    ],
  },
  {
    app: 'api',
    tier: 'backend',
    ports: [
      ['http', 8080],
      ['grpc', 50051],
      ['metrics', 9090],
    ],
  },
  { app: 'worker', tier: 'backend', ports: [['metrics', 9090]] },
  { app: 'cache', tier: 'data', ports: [['redis', 6379]] },
  {
    app: 'db',
    tier: 'data',
    ports: [
      ['postgres', 5432],
      ['metrics', 9187],
    ],
  },
  {
    app: 'search',
    tier: 'backend',
    ports: [
      ['http', 9200],
      ['transport', 9300],
    ],
  },
  {
    app: 'auth',
    tier: 'backend',
    ports: [
      ['grpc', 50051],
      ['metrics', 9090],
    ],
  },
  {
    app: 'queue',
    tier: 'data',
    ports: [
      ['amqp', 5672],
      ['metrics', 15692],
    ],
  },
] as const;
const VERSIONS = ['v1', 'v2'] as const;
const ENVS = ['prod', 'staging', 'dev'];
const PODS_PER_NAMESPACE = 100;

/** A small, fast, seeded generator (mulberry32), so every run builds the same cluster. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCluster(size: ClusterSize): JSONObject[] {
  const rand = random(size.seed ?? 1);
  const namespaceCount = size.namespaces ?? Math.max(1, Math.ceil(size.pods / PODS_PER_NAMESPACE));
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `team-${i}`);
  const objects: JSONObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
    pod(
      'kube-system',
      'coredns-0',
      { 'k8s-app': 'kube-dns' },
      [
        ['dns', 53, 'UDP'],
        ['dns-tcp', 53, 'TCP'],
      ],
      0,
      'node-0',
    ),
  ];
  for (const [i, ns] of namespaces.entries()) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { team: `t${i % 50}`, env: ENVS[i % ENVS.length]! } },
    });
  }
  // Each namespace runs every app in two versions, as Deployments whose ReplicaSets own the pods.
  const deployed = new Set<string>();
  for (let p = 0; p < size.pods; p++) {
    const ns = namespaces[p % namespaceCount]!;
    const slot = Math.floor(p / namespaceCount);
    const spec = APPS[slot % APPS.length]!;
    const version = VERSIONS[Math.floor(slot / APPS.length) % VERSIONS.length]!;
    const labels = { app: spec.app, tier: spec.tier, version };
    const ports = spec.ports.map(([name, port]) => [name, port, 'TCP'] as const);
    const deployment = `${spec.app}-${version}`;
    if (!deployed.has(`${ns}/${deployment}`)) {
      deployed.add(`${ns}/${deployment}`);
      objects.push(...workload(ns, deployment, labels, ports));
    }
    const owner = [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: `${deployment}-5f7d9`,
        controller: true,
        uid: `${ns}-${deployment}-rs`,
      },
    ];
    objects.push(pod(ns, `${deployment}-5f7d9-${p.toString(36)}`, labels, ports, p + 1, `node-${p % 50}`, owner));
  }
  objects.push(...generatePolicies(size.policies, namespaces, rand));
  return objects;
}

type PortSpec = readonly (readonly [string, number, string])[];
const containers = (ports: PortSpec): JSONObject[] => [
  {
    name: 'main',
    ports: ports.map(([portName, containerPort, protocol]) => ({ name: portName, containerPort, protocol })),
  },
];

/** A Deployment and the ReplicaSet it owns, with the same pod template. */
function workload(ns: string, name: string, labels: Record<string, string>, ports: PortSpec): JSONObject[] {
  const template = { metadata: { labels }, spec: { containers: containers(ports) } };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: { replicas: 3, selector: { matchLabels: labels }, template },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-5f7d9`,
        namespace: ns,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, controller: true, uid: `${ns}-${name}` }],
      },
      spec: { replicas: 3, selector: { matchLabels: labels }, template },
    },
  ];
}

function pod(
  ns: string,
  name: string,
  labels: Record<string, string>,
  ports: PortSpec,
  index: number,
  node: string,
  ownerReferences: JSONObject[] = [],
): JSONObject {
  const ip = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels, ...(ownerReferences.length ? { ownerReferences } : {}) },
    spec: {
      nodeName: node,
      containers: containers(ports),
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

function generatePolicies(count: number, namespaces: string[], rand: () => number): JSONObject[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const policies: JSONObject[] = [];
  const np = (ns: string, name: string, spec: JSONObject): JSONObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec,
  });
  const app = (name: string): JSONObject => ({ matchLabels: { app: name } });
  for (let i = 0; policies.length < count; i++) {
    const ns = namespaces[i % namespaces.length]!;
    const round = Math.floor(i / namespaces.length);
    const from = pick(APPS);
    const to = pick(APPS);
    const n = `p${i}`;
    switch (round % 8) {
      case 0:
        policies.push(np(ns, `default-deny-${n}`, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
        break;
      case 1:
        policies.push(
          np(ns, `allow-dns-${n}`, {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [
              {
                to: [
                  {
                    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
                  },
                ],
                ports: [
                  { protocol: 'UDP', port: 53 },
                  { protocol: 'TCP', port: 53 },
                ],
              },
            ],
          }),
        );
        break;
      case 2:
        policies.push(np(ns, `same-namespace-${n}`, { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }));
        break;
      case 3:
        policies.push(
          np(ns, `${from.app}-to-${to.app}-${n}`, {
            podSelector: app(to.app),
            ingress: [{ from: [{ podSelector: app(from.app) }], ports: [{ port: to.ports[0][1] }] }],
          }),
        );
        break;
      case 4:
        policies.push(
          np(ns, `named-${to.app}-${n}`, {
            podSelector: app(to.app),
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: { matchLabels: { env: pick(ENVS) } },
                    podSelector: { matchLabels: { tier: 'web' } },
                  },
                ],
                ports: [{ port: to.ports[0][0] }],
              },
            ],
          }),
        );
        break;
      case 5: {
        const octet = Math.floor(rand() * 200);
        policies.push(
          np(ns, `egress-external-${n}`, {
            podSelector: app(from.app),
            policyTypes: ['Egress'],
            egress: [
              {
                to: [
                  {
                    ipBlock: {
                      cidr: `172.${16 + (octet % 16)}.0.0/16`,
                      except: [`172.${16 + (octet % 16)}.${octet}.0/24`],
                    },
                  },
                ],
                ports: [{ port: 443 }],
              },
            ],
          }),
        );
        break;
      }
      case 6:
        policies.push(
          np(ns, `egress-${from.app}-${to.app}-${n}`, {
            podSelector: app(from.app),
            policyTypes: ['Egress'],
            egress: [
              {
                to: [
                  { podSelector: app(to.app) },
                  {
                    namespaceSelector: {
                      matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }],
                    },
                    podSelector: app(to.app),
                  },
                ],
                ports: [{ port: to.ports[0][1], endPort: to.ports[0][1] + 10 }],
              },
            ],
          }),
        );
        break;
      default:
        policies.push(
          np(ns, `monitoring-${n}`, {
            podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['data'] }] },
            ingress: [
              {
                from: [{ namespaceSelector: { matchLabels: { team: `t${Math.floor(rand() * 50)}` } } }],
                ports: [{ port: 'metrics' }],
              },
            ],
          }),
        );
    }
  }
  return policies;
}
