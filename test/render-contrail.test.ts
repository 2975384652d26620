import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { runCli } from './support/cli.js';

/** Rows of the `| a | b |` tables that `-o table` prints, by title. */
function tables(text: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const block of text.trim().split('\n\n')) {
    const [title, , , ...rows] = block.split('\n');
    out.set(
      title!,
      rows.map((row) => row.slice(2, -2).split(' | ')),
    );
  }
  return out;
}

// Seed 002 (CN2 documentation, "Kubernetes Network Policy Support"), typed from its four tables.
// Two documented corrections: Table 3 redacts 172.17 as 17x.xx, which Table 4 of the same page
// spells out; and egress rule names carry their rule index (-0-), where CN2's can collide.
const SEED_TAGS = [
  ['role', 'db'],
  ['namespace', 'default'],
  ['project', 'myproject'],
  ['role', 'frontend'],
];
const SEED_GROUPS = [
  ['test-network-policy-except', '172.17.1.0/24'],
  ['test-network-policy', '172.17.0.0/16'],
  ['test-network-policy-egress', '10.0.0.0/24'],
];
const SEED_RULES = [
  [
    'default-ingress-test-network-policy-0-ipBlock-0-17x.xx.1.0/24-0',
    'deny',
    'tcp:6379',
    'role=db && namespace=default',
    'ingress',
    'Address Group: 172.17.1.0/24',
  ],
  [
    'default-ingress-test-network-policy-0-ipBlock-0-cidr-17x.xx.0.0/16-0',
    'pass',
    'tcp:6379',
    'role=db && namespace=default',
    'ingress',
    'Address Group: 172.17.0.0/16',
  ],
  [
    'default-ingress-test-network-policy-0-namespaceSelector-1-0',
    'pass',
    'tcp:6379',
    'role=db && namespace=default',
    'ingress',
    'project=myproject',
  ],
  [
    'default-ingress-test-network-policy-0-podSelector-2-0',
    'pass',
    'tcp:6379',
    'role=db && namespace=default',
    'ingress',
    'namespace=default && role=frontend',
  ],
  [
    'default-egress-test-network-policy-ipBlock-0-cidr-10.0.0.0/24-0',
    'pass',
    'tcp:5978',
    'role=db && namespace=default',
    'egress',
    'Address Group: 10.0.0.0/24',
  ],
];
const corrected = (row: string[]): string[] => [
  row[0]!
    .replace('17x.xx', '172.17')
    .replace('default-egress-test-network-policy-', 'default-egress-test-network-policy-0-'),
  ...row.slice(1),
];

describe('netpol render contrail', () => {
  it('renders the CN2 documentation example as its four tables, row by row', async () => {
    const run = await runCli(['render', 'contrail', 'examples/contrail', '-o', 'table']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const t = tables(run.stdout);
    assert.deepEqual(t.get('Table 1: Tags'), SEED_TAGS);
    assert.deepEqual(t.get('Table 2: Address Groups'), SEED_GROUPS);
    const rules = t.get('Table 3: Firewall Rules')!;
    assert.deepEqual(rules.slice(0, 5), SEED_RULES.map(corrected));
    // Behind the policy: kube-manager's cluster-wide deny-all (one rule per direction of the policy)
    // and allow-all (per namespace).
    assert.deepEqual(rules.slice(5), [
      ['default-ingress-test-network-policy-denyall', 'deny', 'any', 'role=db && namespace=default', 'ingress', 'any'],
      [
        'default-egress-test-network-policy-default-deny-all',
        'deny',
        'any',
        'role=db && namespace=default',
        'egress',
        'any',
      ],
      ['k8s-Namespace-default-ingress', 'pass', 'any', 'namespace=default', 'ingress', 'any'],
      ['k8s-Namespace-default-egress', 'pass', 'any', 'namespace=default', 'egress', 'any'],
    ]);
    // Table 4: the seed lists the five rules of default-test-network-policy (its line breaks are layout).
    assert.deepEqual(t.get('Table 4: Firewall Policy'), [
      [
        'default-test-network-policy',
        SEED_RULES.map(corrected)
          .map((r) => r[0])
          .join(', '),
      ],
      [
        'k8s-denyall',
        'default-ingress-test-network-policy-denyall, default-egress-test-network-policy-default-deny-all',
      ],
      ['k8s-allowall', 'k8s-Namespace-default-ingress, k8s-Namespace-default-egress'],
    ]);
  });

  it('writes Contrail API objects: endpoint_1 > endpoint_2, sequence numbers, the policy set in order', async () => {
    const run = await runCli(['render', 'contrail', 'examples/contrail', '--cluster', 'prod']);
    assert.equal(run.code, 0, run.stderr);
    const objects = parse(run.stdout);
    const first = objects.firewall_rules[0];
    assert.deepEqual(first, {
      fq_name: ['default-policy-management', 'default-ingress-test-network-policy-0-ipBlock-0-172.17.1.0/24-0'],
      action_list: { simple_action: 'deny' },
      service: { protocol: 'tcp', dst_ports: { start_port: 6379, end_port: 6379 } },
      endpoint_1: { address_group: 'default-policy-management:test-network-policy-except' },
      direction: '>',
      endpoint_2: { tags: ['role=db', 'namespace=default'] },
    });
    const egress = objects.firewall_rules[4];
    assert.deepEqual(
      [egress.endpoint_1, egress.endpoint_2],
      [
        { tags: ['role=db', 'namespace=default'] },
        { address_group: 'default-policy-management:test-network-policy-egress' },
      ],
    );
    assert.deepEqual(objects.address_groups[1], {
      fq_name: ['default-policy-management', 'test-network-policy'],
      address_group_prefix: { subnet: [{ ip_prefix: '172.17.0.0', ip_prefix_len: 16 }] },
    });
    assert.deepEqual(
      objects.firewall_policies[0].firewall_rule_refs.map((r: { attr: { sequence: string } }) => r.attr.sequence),
      ['00000.0', '00001.0', '00002.0', '00003.0', '00004.0'],
    );
    assert.deepEqual(objects.application_policy_set, {
      fq_name: ['default-policy-management', 'prod'],
      firewall_policy_refs: [
        { to: ['default-policy-management', 'default-test-network-policy'], attr: { sequence: '00000.0' } },
        { to: ['default-policy-management', 'prod-denyall'], attr: { sequence: '00001.0' } },
        { to: ['default-policy-management', 'prod-allowall'], attr: { sequence: '00002.0' } },
      ],
    });
    const json = await runCli(['render', 'contrail', 'examples/contrail', '--cluster', 'prod', '-o', 'json']);
    assert.deepEqual(JSON.parse(json.stdout), objects);
  });

  it('is right where kube-manager is not, and says what Contrail cannot express', async () => {
    const manifest = `
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [web, batch]}]}}]
      ports: [{port: 8000, endPort: 8010}, {port: http}]
    - from: [{podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}}]
  egress:
    - to: [{ipBlock: {cidr: 10.1.0.0/16}}]
    - to: [{ipBlock: {cidr: 10.2.0.0/16}}]
`;
    const run = await runCli(['render', 'contrail', '-', '-o', 'table'], manifest);
    assert.equal(run.code, 0, run.stderr);
    const rules = tables(run.stdout).get('Table 3: Firewall Rules')!;
    const names = rules.map((r) => `${r[0]} ${r[2]} ${r[5]}`);
    assert.deepEqual(names.slice(0, 6), [
      // No protocol is TCP; endPort is a range; the named port resolves on the pods, all of which agree;
      // In with two values is two rules, one per value.
      'shop-ingress-api-0-podSelector-0-0-0 tcp:8000-8010 namespace=shop && app=web',
      'shop-ingress-api-0-podSelector-0-0-1 tcp:8080 namespace=shop && app=web',
      'shop-ingress-api-0-podSelector-0-1-0 tcp:8000-8010 namespace=shop && app=batch',
      'shop-ingress-api-0-podSelector-0-1-1 tcp:8080 namespace=shop && app=batch',
      // Two egress rules, two names.
      'shop-egress-api-0-ipBlock-0-cidr-10.1.0.0/16-0 any Address Group: 10.1.0.0/16',
      'shop-egress-api-1-ipBlock-0-cidr-10.2.0.0/16-0 any Address Group: 10.2.0.0/16',
    ]);
    assert.match(
      run.stderr,
      new RegExp(
        String.raw`<stdin>:\d+: warning: NetworkPolicy shop\/api: ` +
          String.raw`the selector operator NotIn \(key app\) has no form in Contrail tags; ` +
          String.raw`this peer is left out, so it allows nothing`,
      ),
    );
  });
});
