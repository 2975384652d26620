// Every YAML of shared/reference/ux.md §1.2 (cdk8s-plus-33's synthesis, verbatim), read from the reference itself:
// cdk8s-plus-33 must still produce it, and netpol/cdk8s must produce it too, but for the one bug it shows (allTcp).
// Then the section's other observations, and its three error messages, verbatim.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Chart } from 'cdk8s';
import * as cdk8sPlus from 'cdk8s-plus-33';
import { parseAllDocuments } from 'yaml';
import * as netpol from '../authoring/index.js';
import { type Library, assertSameAsCdk8sPlus, assertValid, byKind, canonical, synth } from './testing/synth.js';

const UX = readFileSync(new URL('../../../shared/reference/ux.md', import.meta.url), 'utf8');
const section = UX.slice(UX.indexOf('### 1.2'), UX.indexOf('### 1.3'));
const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) =>
  parseAllDocuments(m[1]!).map((d) => d.toJS()),
);

const ADDR = 'cdk8s.io/metadata.addr';
const NAME = 'kubernetes.io/metadata.name';

function policiesOf(library: Library, program: (lib: any, chart: Chart) => void): any[] {
  const result = synth(library, program);
  if ('error' in result) throw new Error(result.error);
  return byKind(result.objects, 'NetworkPolicy');
}

/** Both libraries' policies for a program: cdk8s-plus-33's must be `expectedTheirs`, ours `expectedOurs`. */
function assertPolicies(
  program: (lib: any, chart: Chart) => void,
  expectedTheirs: unknown[],
  expectedOurs = expectedTheirs,
) {
  assert.deepEqual(canonical(policiesOf(cdk8sPlus, program)), canonical(expectedTheirs), 'cdk8s-plus-33 as in ux.md');
  const ours = policiesOf(netpol, program);
  assert.deepEqual(canonical(ours), canonical(expectedOurs), 'netpol/cdk8s');
  assertValid(ours);
}

describe('ux.md §1.2: the YAML cdk8s-plus-33 synthesises, verbatim', () => {
  it('has the four YAML blocks this test knows', () => {
    assert.deepEqual(
      blocks.map((docs) => docs.map((d) => d.metadata.name)),
      [
        ['test-denyingress-c8114a27'],
        ['test-allowingress-c86b7e52'],
        ['test-apipolicy-c8113971'],
        [
          'allowegressc8b1633b82e99b074540cc6917e7d1af42-c861daf7',
          'allowingressn2c8b1633b82e99b074540cc6917e7d1a-c8fd91a9',
        ],
      ],
    );
  });

  it('(a) default deny ingress, and with egress too: policyTypes [Egress, Ingress]', () => {
    assertPolicies((L, c) => {
      new L.NetworkPolicy(c, 'DenyIngress', { ingress: { default: L.NetworkPolicyTrafficDefault.DENY } });
    }, blocks[0]!);
    const both = assertSameAsCdk8sPlus((L, c) => {
      const deny = L.NetworkPolicyTrafficDefault.DENY;
      new L.NetworkPolicy(c, 'DenyIngress', { ingress: { default: deny }, egress: { default: deny } });
    });
    assert.deepEqual((both[0] as any).spec.policyTypes, ['Egress', 'Ingress']);
  });

  it('(b) allow all ingress: the rule {}', () => {
    assertPolicies((L, c) => {
      new L.NetworkPolicy(c, 'AllowIngress', { ingress: { default: L.NetworkPolicyTrafficDefault.ALLOW } });
    }, blocks[1]!);
  });

  it('(c) selector, managed-pod peer, ports, ip block, kube-dns, namespaces: the same but allTcp()', () => {
    const program = (L: any, c: Chart) => {
      const web = new L.Pod(c, 'Web', { containers: [{ image: 'web' }] });
      const policy = new L.NetworkPolicy(c, 'ApiPolicy', {
        selector: L.Pods.select(c, 'Api', {
          labels: { app: 'api' },
          expressions: [L.LabelExpression.in('tier', ['backend'])],
        }),
        ingress: {
          rules: [
            {
              peer: web,
              ports: [
                L.NetworkPolicyPort.tcp(8443),
                L.NetworkPolicyPort.tcpRange(9000, 9100),
                L.NetworkPolicyPort.udp(53),
              ],
            },
          ],
        },
      });
      policy.addEgressRule(L.NetworkPolicyIpBlock.ipv4(c, 'Corp', '10.0.0.0/8', ['10.1.0.0/16']), [
        L.NetworkPolicyPort.allTcp(),
      ]);
      const kubeSystem = L.Namespaces.select(c, 'KubeSystem', { names: ['kube-system'] });
      policy.addEgressRule(L.Pods.select(c, 'KubeDns', { labels: { 'k8s-app': 'kube-dns' }, namespaces: kubeSystem }), [
        L.NetworkPolicyPort.of({ port: 53, protocol: L.NetworkProtocol.UDP }),
        L.NetworkPolicyPort.of({ protocol: L.NetworkProtocol.SCTP }),
      ]);
      policy.addIngressRule(L.Namespaces.select(c, 'Monitoring', { labels: { team: 'monitoring' } }));
      policy.addIngressRule(L.Pods.all(c, 'Everywhere', { namespaces: L.Namespaces.all(c, 'AllNamespaces') }));
    };
    const theirs = blocks[2]!;
    // The one difference: all TCP ports is `protocol: TCP` alone, not `port: 0, endPort: 65535`.
    const ours = structuredClone(theirs);
    ours[0].spec.egress[0].ports = [{ protocol: 'TCP' }];
    assert.deepEqual(theirs[0].spec.egress[0].ports, [{ endPort: 65535, port: 0, protocol: 'TCP' }]);
    assertPolicies(program, theirs, ours);
  });

  it('(d) cross-namespace web.connections.allowTo(redis): egress in n1, ingress in n2', () => {
    assertPolicies((L, c) => {
      const web = new L.Pod(c, 'Web', { containers: [{ image: 'web' }], metadata: { namespace: 'n1' } });
      const redis = new L.Pod(c, 'Redis', {
        containers: [{ image: 'redis', portNumber: 6379 }],
        metadata: { namespace: 'n2' },
      });
      web.connections.allowTo(redis);
    }, blocks[3]!);
  });
});

describe('ux.md §1.2: the other behaviour seen in synth', () => {
  const webAndRedis = (L: any, c: Chart, namespaces = true) => ({
    web: new L.Pod(c, 'Web', { containers: [{ image: 'web' }], metadata: namespaces ? { namespace: 'n1' } : {} }),
    redis: new L.Pod(c, 'Redis', {
      containers: [{ image: 'redis', portNumber: 6379 }],
      metadata: namespaces ? { namespace: 'n2' } : {},
    }),
  });

  it('isolation POD: only the egress policy in n1', () => {
    const objects = assertSameAsCdk8sPlus((L, c) => {
      const { web, redis } = webAndRedis(L, c);
      web.connections.allowTo(redis, { isolation: L.PodConnectionsIsolation.POD });
    });
    const policies = byKind(objects, 'NetworkPolicy') as any[];
    assert.deepEqual(
      policies.map((p) => [p.metadata.namespace, p.spec.policyTypes]),
      [['n1', ['Egress']]],
    );
  });

  it('allowFrom(web, {isolation: PEER, ports: [tcp(6380)]}): only an egress policy selecting web, in n1', () => {
    const objects = assertSameAsCdk8sPlus((L, c) => {
      const { web, redis } = webAndRedis(L, c);
      redis.connections.allowFrom(web, {
        isolation: L.PodConnectionsIsolation.PEER,
        ports: [L.NetworkPolicyPort.tcp(6380)],
      });
    });
    const policies = byKind(objects, 'NetworkPolicy') as any[];
    assert.equal(policies.length, 1);
    assert.equal(policies[0].metadata.namespace, 'n1');
    assert.deepEqual(policies[0].spec.podSelector, { matchLabels: { [ADDR]: 'test-Web-c8b65d84' } });
    assert.deepEqual(policies[0].spec.egress, [
      {
        ports: [{ port: 6380, protocol: 'TCP' }],
        to: [
          {
            namespaceSelector: { matchLabels: { [NAME]: 'n2' } },
            podSelector: { matchLabels: { [ADDR]: 'test-Redis-c8b1633b' } },
          },
        ],
      },
    ]);
  });

  it('neither pod in a namespace: no namespace, and "undefined" in the peer policy name, kept for stable names', () => {
    const objects = assertSameAsCdk8sPlus((L, c) => {
      const { web, redis } = webAndRedis(L, c, false);
      web.connections.allowTo(redis);
    });
    const policies = byKind(objects, 'NetworkPolicy') as any[];
    assert.deepEqual(
      policies.map((p) => p.metadata.namespace),
      [undefined, undefined],
    );
    assert.match(policies[1].metadata.name, /^allowingressundefinedc8b16/);
  });

  it(
    'allowTo(Namespaces.select({names: [a, b]})): ' + 'one egress policy with two peers, an ingress policy in a and b',
    () => {
      const objects = assertSameAsCdk8sPlus((L, c) => {
        const { web } = webAndRedis(L, c);
        web.connections.allowTo(L.Namespaces.select(c, 'AB', { names: ['a', 'b'] }), {
          ports: [L.NetworkPolicyPort.tcp(80)],
        });
      });
      const [egress, ...ingress] = byKind(objects, 'NetworkPolicy') as any[];
      assert.deepEqual(egress.spec.egress, [
        {
          ports: [{ port: 80, protocol: 'TCP' }],
          to: ['a', 'b'].map((n) => ({ namespaceSelector: { matchLabels: { [NAME]: n } }, podSelector: {} })),
        },
      ]);
      assert.deepEqual(
        ingress.map((p) => [p.metadata.namespace, p.spec.podSelector, p.spec.policyTypes]),
        [
          ['a', {}, ['Ingress']],
          ['b', {}, ['Ingress']],
        ],
      );
    },
  );

  it('Deployment({isolate: true}): a *-defaultdenyall-* policy, Egress and Ingress, no DNS exception', () => {
    const objects = assertSameAsCdk8sPlus((L, c) => {
      new L.Deployment(c, 'Api', { containers: [{ image: 'api', portNumber: 8080 }], isolate: true });
    });
    const [policy] = byKind(objects, 'NetworkPolicy') as any[];
    assert.match(policy.metadata.name, /^test-api-defaultdenyall-[0-9a-f]{8}$/);
    assert.deepEqual(policy.spec.policyTypes, ['Egress', 'Ingress']);
    assert.equal(policy.spec.egress, undefined);
    assert.equal(policy.spec.ingress, undefined);
  });

  it(
    'allowFrom(new Namespace(frontend)): ' +
      'ingress in backend from the namespace, egress in frontend from all its pods',
    () => {
      const objects = assertSameAsCdk8sPlus((L, c) => {
        const api = new L.Deployment(c, 'Api', {
          containers: [{ image: 'api', portNumber: 8080 }],
          metadata: { namespace: 'backend' },
        });
        api.connections.allowFrom(new L.Namespace(c, 'Frontend', { metadata: { name: 'frontend' } }));
      });
      const [ingress, egress] = byKind(objects, 'NetworkPolicy') as any[];
      assert.equal(ingress.metadata.namespace, 'backend');
      assert.deepEqual(ingress.spec.ingress, [
        {
          from: [{ namespaceSelector: { matchLabels: { [NAME]: 'frontend' } }, podSelector: {} }],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      ]);
      assert.equal(egress.metadata.namespace, 'frontend');
      assert.deepEqual(egress.spec.podSelector, {});
      assert.deepEqual(egress.spec.policyTypes, ['Egress']);
      assert.deepEqual(byKind(objects, 'Namespace')[0], {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'frontend' },
        spec: {},
      });
    },
  );

  it('the three validation errors, verbatim, from both libraries', () => {
    const cases: [string, (L: any, c: Chart) => void][] = [
      [
        "Unable to create an Ingress policy for peer 'test/X' (pod=test-web-c854d28f). " +
          'Peer must specify namespaces only by name',
        (L, c) => {
          const web = new L.Pod(c, 'Web', { containers: [{ image: 'web' }] });
          const labelled = L.Namespaces.select(c, 'Labelled', { labels: { team: 'a' } });
          web.connections.allowTo(L.Pods.select(c, 'X', { labels: { app: 'x' }, namespaces: labelled }));
        },
      ],
      [
        'Unable to create a network policy for a selector (test/X) that selects pods in namespaces based on labels',
        (L, c) => {
          const labelled = L.Namespaces.select(c, 'Labelled', { labels: { team: 'a' } });
          new L.NetworkPolicy(c, 'Policy', { selector: L.Pods.select(c, 'X', { namespaces: labelled }) });
        },
      ],
      [
        'CIDR mask is missing in IPv4: "10.0.0.1". Did you mean "10.0.0.1/32"?',
        (L, c) => void L.NetworkPolicyIpBlock.ipv4(c, 'X', '10.0.0.1'),
      ],
    ];
    for (const [message, program] of cases) {
      assert.deepEqual(synth(cdk8sPlus, program), { error: message });
      assert.deepEqual(synth(netpol, program), { error: message });
    }
  });
});
