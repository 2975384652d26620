import type { JSONObject } from '../src/util/json.js';

/**
 * Cluster administrators' policies in front of the generated cluster's NetworkPolicies (bench/generate.ts: namespaces
 * `team-<i>` labelled `team: t<i % 50>` and `env: prod|staging|dev`, apps with named ports, coredns in kube-system),
 * as AdminNetworkPolicy v1alpha1 objects with one priority each, in the order an administrator would rank them:
 *
 * - 8 guard rails for every namespace: no SSH or debugger ports in, no NodePorts, etcd, kubelet, SMTP or cloud
 *   metadata out; DNS passed on;
 * - 8 for monitoring, one per app: scraping its named metrics port allowed in;
 * - 9 for the ingress controller, by environment and app: its named http port allowed in;
 * - 4 to protect data stores from the web tier, by app;
 * - 12 to keep environments apart: dev and staging denied prod's data ports, by environment and app;
 * - 6 to keep data stores and workers off the internet, by app;
 * - 3 for the outside world, by environment: web ports only through the corporate network;
 * - 50 for tenant isolation, one per team: its own namespaces passed to the NetworkPolicies, monitoring and
 *   kube-system too, every other namespace denied.
 *
 * Tenant isolation comes last, so a connection between two pods of one team (the bench's) walks every rule of
 * every policy that selects its pods before a tenant's Pass hands it to the NetworkPolicies.
 */
export function generateAdminPolicies(count: number): JSONObject[] {
  const policies = [
    ...guardRails(),
    ...monitoring(),
    ...ingressController(),
    ...dataProtection(),
    ...environments(),
    ...offTheInternet(),
    ...outsideWorld(),
    ...Array.from({ length: 50 }, (_, team) => tenant(team)),
  ];
  if (count > policies.length) throw new Error(`at most ${policies.length} admin policies are generated`);
  return policies.slice(policies.length - count).map((spec, i) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name: spec.name },
    spec: {
      priority: i * 5,
      subject: spec.subject,
      ...(spec.ingress ? { ingress: spec.ingress } : {}),
      ...(spec.egress ? { egress: spec.egress } : {}),
    },
  }));
}

interface AdminSpec {
  readonly name: string;
  readonly subject: JSONObject;
  readonly ingress?: JSONObject[];
  readonly egress?: JSONObject[];
}

const everyNamespace: JSONObject = { namespaces: {} };
const namespaceNamed = (name: string): JSONObject => ({
  matchLabels: { 'kubernetes.io/metadata.name': name },
});
const tcp = (port: number): JSONObject => ({ portNumber: { protocol: 'TCP', port } });
const udp = (port: number): JSONObject => ({ portNumber: { protocol: 'UDP', port } });
/** Every IPv4 address outside the pods' 10.0.0.0/8 (a network peer matches pod addresses too). */
const OUTSIDE = [
  '0.0.0.0/5',
  '8.0.0.0/7',
  '11.0.0.0/8',
  '12.0.0.0/6',
  '16.0.0.0/4',
  '32.0.0.0/3',
  '64.0.0.0/2',
  '128.0.0.0/1',
];
const APPS = ['frontend', 'api', 'worker', 'cache', 'db', 'search', 'auth', 'queue'];
const DATA_PORTS: Record<string, JSONObject[]> = {
  db: [{ namedPort: 'postgres' }],
  cache: [{ namedPort: 'redis' }],
  queue: [{ namedPort: 'amqp' }],
  search: [tcp(9200), tcp(9300)],
  api: [{ namedPort: 'grpc' }, { namedPort: 'http' }],
  auth: [{ namedPort: 'grpc' }],
};

/** 8 policies for every namespace. */
function guardRails(): AdminSpec[] {
  return [
    {
      name: 'deny-ssh',
      subject: everyNamespace,
      ingress: [{ name: 'no-ssh', action: 'Deny', from: [{ namespaces: {} }], ports: [tcp(22)] }],
    },
    {
      name: 'deny-nodeports',
      subject: everyNamespace,
      egress: [
        {
          name: 'no-nodeports',
          action: 'Deny',
          to: [{ networks: ['10.0.0.0/8'] }],
          ports: [{ portRange: { protocol: 'TCP', start: 30000, end: 32767 } }],
        },
      ],
    },
    {
      name: 'deny-cloud-metadata',
      subject: everyNamespace,
      egress: [{ name: 'no-metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }],
    },
    {
      name: 'pass-dns',
      subject: everyNamespace,
      egress: [
        {
          name: 'dns',
          action: 'Pass',
          to: [
            {
              pods: {
                namespaceSelector: namespaceNamed('kube-system'),
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            },
          ],
          ports: [udp(53), tcp(53)],
        },
      ],
    },
    {
      name: 'deny-smtp-out',
      subject: everyNamespace,
      egress: [{ name: 'no-smtp', action: 'Deny', to: [{ networks: OUTSIDE }], ports: [tcp(25), tcp(465), tcp(587)] }],
    },
    {
      name: 'deny-etcd',
      subject: everyNamespace,
      egress: [
        {
          name: 'no-etcd',
          action: 'Deny',
          to: [{ networks: ['10.0.0.0/8'] }],
          ports: [{ portRange: { protocol: 'TCP', start: 2379, end: 2380 } }],
        },
      ],
    },
    {
      name: 'deny-kubelet',
      subject: everyNamespace,
      egress: [
        {
          name: 'no-kubelet',
          action: 'Deny',
          to: [{ nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }],
          ports: [tcp(10250)],
        },
      ],
    },
    {
      name: 'deny-debug-ports',
      subject: everyNamespace,
      ingress: [
        {
          name: 'no-debuggers',
          action: 'Deny',
          from: [{ namespaces: {} }],
          ports: [tcp(2345), tcp(5005), tcp(9229)],
        },
      ],
    },
  ];
}

/** 8 policies, one per app: the monitoring namespace scrapes its metrics port. */
function monitoring(): AdminSpec[] {
  return APPS.map((app) => ({
    name: `allow-monitoring-${app}`,
    subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app } } } },
    ingress: [
      {
        name: 'scrape',
        action: 'Allow',
        from: [{ namespaces: namespaceNamed('monitoring') }],
        ports: [{ namedPort: 'metrics' }],
      },
    ],
  }));
}

/** 9 policies: the ingress controller reaches the web-facing apps' http port, per environment. */
function ingressController(): AdminSpec[] {
  return ['prod', 'staging', 'dev'].flatMap((env) =>
    ['frontend', 'api', 'search'].map((app) => ({
      name: `allow-ingress-nginx-${env}-${app}`,
      subject: { pods: { namespaceSelector: { matchLabels: { env } }, podSelector: { matchLabels: { app } } } },
      ingress: [
        {
          name: 'ingress-controller',
          action: 'Allow',
          from: [{ namespaces: namespaceNamed('ingress-nginx') }],
          ports: [{ namedPort: 'http' }],
        },
      ],
    })),
  );
}

/** 4 policies: the web tier never reaches a data store directly. */
function dataProtection(): AdminSpec[] {
  return ['db', 'cache', 'queue', 'search'].map((app) => ({
    name: `deny-web-to-${app}`,
    subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app } } } },
    ingress: [
      {
        name: 'no-web-tier',
        action: 'Deny',
        from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { tier: 'web' } } } }],
        ports: DATA_PORTS[app]!,
      },
    ],
  }));
}

/** 6 policies: data stores and workers talk to no address outside the cluster's 10.0.0.0/8. */
function offTheInternet(): AdminSpec[] {
  return ['worker', 'db', 'cache', 'queue', 'search', 'auth'].map((app) => ({
    name: `deny-internet-${app}`,
    subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app } } } },
    egress: [{ name: 'no-internet', action: 'Deny', to: [{ networks: OUTSIDE }] }],
  }));
}

/** 12 policies: dev and staging apps kept off prod's data ports, one per environment and app. */
function environments(): AdminSpec[] {
  return ['dev', 'staging'].flatMap((env) =>
    Object.entries(DATA_PORTS).map(([app, ports]) => ({
      name: `deny-${env}-to-prod-${app}`,
      subject: { namespaces: { matchLabels: { env } } },
      egress: [
        {
          name: `no-prod-${app}`,
          action: 'Deny',
          to: [
            { pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { app } } } },
          ],
          ports,
        },
      ],
    })),
  );
}

/** 3 policies, one per environment: the outside world only through the corporate network. */
function outsideWorld(): AdminSpec[] {
  return ['prod', 'staging', 'dev'].map((env) => ({
    name: `egress-outside-${env}`,
    subject: { namespaces: { matchLabels: { env } } },
    egress: [
      {
        name: 'corporate',
        action: 'Allow',
        to: [{ networks: ['192.168.0.0/16', '172.16.0.0/12'] }],
        ports: [tcp(443)],
      },
      { name: 'internet', action: 'Deny', to: [{ networks: OUTSIDE }], ports: [tcp(80), tcp(443)] },
    ],
  }));
}

/** Tenant isolation for one team: its namespaces to the NetworkPolicies, monitoring and DNS passed, the rest denied. */
function tenant(team: number): AdminSpec {
  const own = { namespaces: { matchLabels: { team: `t${team}` } } };
  return {
    name: `tenant-t${team}`,
    subject: own,
    ingress: [
      { name: 'same-tenant', action: 'Pass', from: [own] },
      { name: 'monitoring', action: 'Pass', from: [{ namespaces: namespaceNamed('monitoring') }] },
      { name: 'other-tenants', action: 'Deny', from: [{ namespaces: {} }] },
    ],
    egress: [
      { name: 'same-tenant', action: 'Pass', to: [own] },
      { name: 'kube-system', action: 'Pass', to: [{ namespaces: namespaceNamed('kube-system') }] },
      { name: 'other-tenants', action: 'Deny', to: [{ namespaces: {} }] },
    ],
  };
}
