// Differential test: generated programs of the network-policy API run against cdk8s-plus-33 and against
// netpol/cdk8s (and against netpol's policies over cdk8s-plus's workloads); the synthesised objects must be the same,
// byte for byte after sorting keys, or both must throw the same message. The programs stay where cdk8s-plus is
// right: TCP container ports, ports in range, no allTcp()/allUdp(), non-empty label values and namespace names
// (its bugs are bug-fixes.test.ts). Everything netpol synthesises must pass `netpol validate`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import fc from 'fast-check';
import * as netpol from 'netpol/cdk8s';
import { assertValid, canonical, objectsOf } from './testing/synth.js';

const NAMESPACES = ['n1', 'n2', 'kube-system', 'shop-a'];
const LABEL_KEYS = ['app', 'tier', 'example.com/team'];
const LABEL_VALUES = ['web', 'api', 'db', 'x.y_z'];
const KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const;

type Labels = Record<string, string>;
type PortSpec =
  | { readonly f: 'tcp' | 'udp'; readonly port: number }
  | { readonly f: 'tcpRange' | 'udpRange'; readonly start: number; readonly end: number }
  | { readonly f: 'of'; readonly port?: number; readonly endPort?: number; readonly protocol?: 'TCP' | 'UDP' | 'SCTP' };
type Ref = { readonly cat: 'pod' | 'pods' | 'namespaces' | 'ipblock'; readonly i: number };
type Expression = {
  readonly op: 'in' | 'notIn' | 'exists' | 'doesNotExist';
  readonly key: string;
  readonly values: string[];
};
type Step =
  | {
      readonly op: 'pod';
      readonly kind: (typeof KINDS)[number];
      readonly namespace?: string;
      readonly ports: number[];
      readonly isolate: boolean;
      readonly replicas?: number;
      readonly labels?: Labels;
    }
  | { readonly op: 'namespace'; readonly name?: string }
  | {
      readonly op: 'namespaces';
      readonly all: boolean;
      readonly names?: string[];
      readonly labels?: Labels;
      readonly expressions?: Expression[];
    }
  | {
      readonly op: 'pods';
      readonly all: boolean;
      readonly labels?: Labels;
      readonly expressions?: Expression[];
      readonly namespaces?: number;
    }
  | { readonly op: 'ipblock'; readonly v6: boolean; readonly any: boolean; readonly except: boolean }
  | {
      readonly op: 'policy';
      readonly selector?: Ref;
      readonly namespace?: string;
      readonly ingressDefault?: 'DENY' | 'ALLOW';
      readonly egressDefault?: 'DENY' | 'ALLOW';
      readonly ingress: { peer: Ref; ports?: PortSpec[] }[];
      readonly egress: { peer: Ref; ports?: PortSpec[] }[];
    }
  | {
      readonly op: 'rule';
      readonly policy: number;
      readonly direction: 'ingress' | 'egress';
      readonly peer: Ref;
      readonly ports?: PortSpec[];
    }
  | {
      readonly op: 'allow';
      readonly pod: number;
      readonly direction: 'to' | 'from';
      readonly peer: Ref;
      readonly isolation?: 'POD' | 'PEER';
      readonly ports?: PortSpec[];
    }
  | { readonly op: 'isolate'; readonly pod: number };

const port = fc.integer({ min: 1, max: 65535 });
// fast-check's dictionaries have no prototype; user code's objects do (and cdk8s refuses the others).
const labels = fc
  .dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 2 })
  .map((d) => ({ ...d }));
const expression: fc.Arbitrary<Expression> = fc.record({
  op: fc.constantFrom('in', 'notIn', 'exists', 'doesNotExist'),
  key: fc.constantFrom(...LABEL_KEYS),
  values: fc.uniqueArray(fc.constantFrom(...LABEL_VALUES), { minLength: 1, maxLength: 2 }),
});
const portSpec: fc.Arbitrary<PortSpec> = fc.oneof(
  fc.record({ f: fc.constantFrom('tcp' as const, 'udp' as const), port }),
  fc
    .tuple(fc.constantFrom('tcpRange' as const, 'udpRange' as const), port, port)
    .map(([f, a, b]) => ({ f, start: Math.min(a, b), end: Math.max(a, b) })),
  fc
    .record(
      {
        f: fc.constant('of' as const),
        port,
        endPort: fc.constant(65535),
        protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
      },
      { requiredKeys: ['f'] },
    )
    .map((p) => (p.port === undefined ? { f: p.f, protocol: p.protocol } : p)),
);
const ports = fc.option(fc.array(portSpec, { maxLength: 3 }), { nil: undefined });
const ref: fc.Arbitrary<Ref> = fc.record({
  cat: fc.constantFrom('pod' as const, 'pods' as const, 'namespaces' as const, 'ipblock' as const),
  i: fc.nat(5),
});
const namespace = fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined });
const rule = fc.record({ peer: ref, ports });

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        op: fc.constant('pod' as const),
        kind: fc.constantFrom(...KINDS),
        namespace,
        ports: fc.uniqueArray(fc.integer({ min: 1, max: 9999 }), { maxLength: 2 }),
        isolate: fc.boolean(),
        replicas: fc.integer({ min: 0, max: 5 }),
        labels,
      },
      { requiredKeys: ['op', 'kind', 'ports', 'isolate'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('namespace' as const), name: namespace }) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        op: fc.constant('namespaces' as const),
        all: fc.boolean(),
        names: fc.uniqueArray(fc.constantFrom(...NAMESPACES), { minLength: 1, maxLength: 2 }),
        labels,
        expressions: fc.array(expression, { maxLength: 1 }),
      },
      { requiredKeys: ['op', 'all'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        op: fc.constant('pods' as const),
        all: fc.boolean(),
        labels,
        expressions: fc.array(expression, { maxLength: 2 }),
        namespaces: fc.nat(5),
      },
      { requiredKeys: ['op', 'all'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('ipblock' as const),
      v6: fc.boolean(),
      any: fc.boolean(),
      except: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        op: fc.constant('policy' as const),
        selector: ref,
        namespace,
        ingressDefault: fc.constantFrom('DENY' as const, 'ALLOW' as const),
        egressDefault: fc.constantFrom('DENY' as const, 'ALLOW' as const),
        ingress: fc.array(rule, { maxLength: 2 }),
        egress: fc.array(rule, { maxLength: 2 }),
      },
      { requiredKeys: ['op', 'ingress', 'egress'] },
    ),
  },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        op: fc.constant('rule' as const),
        policy: fc.nat(5),
        direction: fc.constantFrom('ingress', 'egress'),
        peer: ref,
        ports,
      },
      { requiredKeys: ['op', 'policy', 'direction', 'peer'] },
    ),
  },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        op: fc.constant('allow' as const),
        pod: fc.nat(5),
        direction: fc.constantFrom('to', 'from'),
        peer: ref,
        isolation: fc.constantFrom('POD' as const, 'PEER' as const),
        ports,
      },
      { requiredKeys: ['op', 'pod', 'direction', 'peer'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('isolate' as const), pod: fc.nat(5) }) },
);
const program = fc.record({
  chartNamespace: namespace,
  steps: fc.array(step, { minLength: 1, maxLength: 14 }),
});

/** Which library makes the workloads, which the rest, and how a workload's connections are reached. */
interface Variant {
  readonly workloads: any;
  readonly policies: any;
  readonly connections: (pod: any) => any;
}
const CDK8S_PLUS: Variant = { workloads: kplus, policies: kplus, connections: (pod) => pod.connections };
const NETPOL: Variant = { workloads: netpol, policies: netpol, connections: (pod) => pod.connections };
/** A cdk8s-plus user switching policy by policy: their workloads, netpol's policies and connections. */
const MIXED: Variant = {
  workloads: kplus,
  policies: netpol,
  connections: (pod) => new netpol.PodConnections(pod),
};

function run(
  variant: Variant,
  p: { chartNamespace?: string; steps: Step[] },
): { objects: unknown[] } | { error: string } {
  const app = new App();
  const chart = new Chart(app, 'test', { namespace: p.chartNamespace });
  const made = {
    pod: [] as any[],
    pods: [] as any[],
    namespaces: [] as any[],
    ipblock: [] as any[],
    policy: [] as any[],
  };
  const W = variant.workloads;
  const L = variant.policies;
  const pick = (r: Ref): any => (made[r.cat].length === 0 ? undefined : made[r.cat][r.i % made[r.cat].length]);
  // A peer of a kind not made yet falls back on the kinds that are, so that most rules get a peer.
  const pickPeer = (r: Ref): any =>
    [r.cat, 'pod' as const, 'pods' as const, 'namespaces' as const, 'ipblock' as const]
      .map((cat) => pick({ cat, i: r.i }))
      .find((peer) => peer !== undefined);
  const toPort = (s: PortSpec): unknown => {
    switch (s.f) {
      case 'tcp':
      case 'udp':
        return L.NetworkPolicyPort[s.f](s.port);
      case 'tcpRange':
      case 'udpRange':
        return L.NetworkPolicyPort[s.f](s.start, s.end);
      case 'of':
        return L.NetworkPolicyPort.of({ port: s.port, endPort: s.endPort, protocol: s.protocol });
    }
  };
  const toPorts = (specs: PortSpec[] | undefined) => specs?.map(toPort);
  const selector = (step: { labels?: Labels; expressions?: Expression[] }) => ({
    labels: step.labels,
    expressions: step.expressions?.map((e) =>
      e.op === 'in' || e.op === 'notIn' ? L.LabelExpression[e.op](e.key, e.values) : L.LabelExpression[e.op](e.key),
    ),
  });
  try {
    p.steps.forEach((s, index) => {
      const id = `S${index}`;
      switch (s.op) {
        case 'pod': {
          const containers = [{ image: 'img', ...(s.ports[0] ? { portNumber: s.ports[0] } : {}) }];
          if (s.ports[1])
            containers.push({ image: 'side', name: 'side', ports: [{ number: s.ports[1], name: 'p1' }] } as any);
          const metadata = { namespace: s.namespace, labels: s.kind === 'Pod' ? s.labels : undefined };
          const workload = s.kind === 'Pod' ? {} : { podMetadata: { labels: s.labels } };
          const replicas = s.kind === 'Deployment' || s.kind === 'StatefulSet' ? { replicas: s.replicas } : {};
          made.pod.push(
            new W[s.kind](chart, id, { containers, metadata, isolate: s.isolate, ...workload, ...replicas }),
          );
          break;
        }
        case 'namespace':
          // `metadata: { name: undefined }` would make cdk8s drop the generated name too.
          made.namespaces.push(new L.Namespace(chart, id, s.name ? { metadata: { name: s.name } } : {}));
          break;
        case 'namespaces':
          made.namespaces.push(
            s.all ? L.Namespaces.all(chart, id) : L.Namespaces.select(chart, id, { ...selector(s), names: s.names }),
          );
          break;
        case 'pods': {
          const namespaces = s.namespaces === undefined ? undefined : pick({ cat: 'namespaces', i: s.namespaces });
          made.pods.push(
            s.all ? L.Pods.all(chart, id, { namespaces }) : L.Pods.select(chart, id, { ...selector(s), namespaces }),
          );
          break;
        }
        case 'ipblock': {
          const [family, cidr, except] = s.v6
            ? ['ipv6', '2001:db8::/32', '2001:db8:1::/48']
            : ['ipv4', '10.0.0.0/8', '10.1.0.0/16'];
          const any = s.v6 ? 'anyIpv6' : 'anyIpv4';
          made.ipblock.push(
            s.any
              ? L.NetworkPolicyIpBlock[any](chart, id)
              : L.NetworkPolicyIpBlock[family](chart, id, cidr, s.except ? [except] : undefined),
          );
          break;
        }
        case 'policy': {
          const chosen =
            s.selector && (s.selector.cat === 'pod' || s.selector.cat === 'pods') ? pick(s.selector) : undefined;
          const rules = (list: { peer: Ref; ports?: PortSpec[] }[]) =>
            list.flatMap((r) => (pickPeer(r.peer) ? [{ peer: pickPeer(r.peer), ports: toPorts(r.ports) }] : []));
          made.policy.push(
            new L.NetworkPolicy(chart, id, {
              selector: chosen,
              metadata: s.namespace ? { namespace: s.namespace } : undefined,
              ingress: {
                default: s.ingressDefault && L.NetworkPolicyTrafficDefault[s.ingressDefault],
                rules: rules(s.ingress),
              },
              egress: {
                default: s.egressDefault && L.NetworkPolicyTrafficDefault[s.egressDefault],
                rules: rules(s.egress),
              },
            }),
          );
          break;
        }
        case 'rule': {
          const policy = made.policy[s.policy % Math.max(1, made.policy.length)];
          const peer = pickPeer(s.peer);
          if (!policy || !peer) break;
          if (s.direction === 'ingress') policy.addIngressRule(peer, toPorts(s.ports));
          else policy.addEgressRule(peer, toPorts(s.ports));
          break;
        }
        case 'allow': {
          const pod = pick({ cat: 'pod', i: s.pod });
          const peer = pickPeer(s.peer);
          if (!pod || !peer) break;
          const options = {
            ...(s.isolation ? { isolation: L.PodConnectionsIsolation[s.isolation] } : {}),
            ...(s.ports ? { ports: toPorts(s.ports) } : {}),
          };
          variant.connections(pod)[s.direction === 'to' ? 'allowTo' : 'allowFrom'](peer, options);
          break;
        }
        case 'isolate': {
          const pod = pick({ cat: 'pod', i: s.pod });
          if (pod) variant.connections(pod).isolate();
          break;
        }
      }
    });
    return { objects: objectsOf(app) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** What the synthesised policies contain, to check the generator's reach. */
function count(seen: Record<string, number>, objects: readonly any[]): void {
  seen['programs']!++;
  for (const rule of objects.flatMap((o) =>
    o.kind === 'NetworkPolicy' ? [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])] : [],
  )) {
    if (rule.ports?.length) seen['portedRules']!++;
    for (const peer of rule.from ?? rule.to ?? []) {
      seen['peers']!++;
      if (peer.namespaceSelector) seen['namespacePeers']!++;
      if (peer.ipBlock) seen['ipBlockPeers']!++;
    }
  }
}

describe('differential: generated programs, cdk8s-plus-33 against netpol/cdk8s', () => {
  it('synthesise the same objects (or throw the same error), and netpol validate passes them', () => {
    const seen = { programs: 0, peers: 0, namespacePeers: 0, ipBlockPeers: 0, portedRules: 0 };
    fc.assert(
      fc.property(program, (p) => {
        const theirs = run(CDK8S_PLUS, p);
        const ours = run(NETPOL, p);
        assert.deepEqual(canonical(ours), canonical(theirs));
        if ('objects' in ours) {
          assertValid(ours.objects as never);
          count(seen, ours.objects);
        }
      }),
      { numRuns: 300 },
    );
    // The generator must reach what matters, or the comparison proves little (about one program in twelve has an
    // ipBlock peer: the bound leaves room for the seed, which changes every run).
    assert.ok(seen.programs > 200, `only ${seen.programs} of 300 programs synthesised`);
    assert.ok(seen.peers > 250 && seen.namespacePeers > 100 && seen.ipBlockPeers > 8, JSON.stringify(seen));
    assert.ok(seen.portedRules > 150, JSON.stringify(seen));
  });

  it("netpol's policies and connections over cdk8s-plus's workloads synthesise what cdk8s-plus alone does", () => {
    fc.assert(
      fc.property(program, (p) => {
        assert.deepEqual(canonical(run(MIXED, p)), canonical(run(CDK8S_PLUS, p)));
      }),
      { numRuns: 150 },
    );
  });
});
