import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildCluster } from '../src/policy/cluster.js';
import { namespaceOf } from '../src/model/cluster.js';
import { knownKind } from '../src/resources/kinds.js';
import { loadPaths, loadText } from '../src/load/load.js';
import { type JSONObject } from '../src/util/json.js';
import { objectFromData } from '../src/resources/source.js';
import { validateObject, validateObjects } from '../src/validate/validate.js';
import { runCli } from './support/cli.js';

const CONFORMANCE = new URL('../../shared/conformance/', import.meta.url);

/** Every policy object a conformance suite applies, read in place from its step files, unmodified. */
function appliedObjects(suite: string): { where: string; raw: JSONObject }[] {
  const dir = new URL(`${suite}/`, CONFORMANCE);
  const files = readdirSync(dir).filter((f) => /^\d\d-.*\.yaml$/.test(f));
  assert.equal(files.length, 24, `${suite} has its 24 test files`);
  return files.flatMap((file) => {
    const test = parse(readFileSync(new URL(file, dir), 'utf8'), { version: '1.1' }) as {
      steps: { apply: JSONObject[] }[];
    };
    return test.steps.flatMap((step, i) =>
      step.apply.map((raw, j) => ({ where: `${file} step ${i} apply ${j}`, raw })),
    );
  });
}

const NOT_CHECKED =
  '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; ' +
  'correct the existing errors to complete validation';

describe('cluster-wide policies (policy.networking.k8s.io)', () => {
  it('are validated with the field path and line of each problem', async () => {
    // Every line ending in a `# n` comment is where problem n is reported.
    const text = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: cnp
spec:
  tier: Admin
  priority: 1001 # 1
  subject:
    namespaces: {}
  egress:
  - name: to-the-world # 4
    action: Accept
    to:
    - networks:
      - 10.0.0.0/8
      - 10.0.0.0/8 # 2
      - 10.0.0.0/33 # 3
    - nodes: {matchLabels: {kubernetes.io/os: linux}}
    protocols:
    - destinationNamedPort: web
  - action: Deny
    to: [{namespaces: {}}]
    protocols:
    - udp:
        destinationPort:
          range: {start: 53, end: 53} # 5
---
apiVersion: policy.networking.k8s.io/v1alpha1 # 8
kind: AdminNetworkPolicy
metadata:
  name: anp
spec:
  priority: 10
  subject:
    pods: # 6
      podSelector: {}
  ingress:
  - action: Accept # 7
    from: [{namespaces: {}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata:
  name: baseline # 9
spec:
  subject: {namespaces: {}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata:
  name: anp2
spec:
  priority: 1000
  subject:
    namespaces:
      matchExpressions:
      - {key: team, operator: Equal, values: [a]} # 10
  egress:
  - action: Deny
    to: [{networks: [0.0.0.0/0]}]
    ports:
    - portNumber: {port: 7, protocol: ICMP} # 11
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: cnp2
spec:
  tier: Baseline
  priority: 0
  subject: {namespaces: {}}
  ingress:
  - action: Pass
    from: [{namespaces: {}}]
    ports: [{portNumber: {port: 80}}] # 12
`;
    const E = 'spec.egress[0]';
    const expected: Record<number, string> = {
      1:
        'ClusterNetworkPolicy cnp: spec.priority: Invalid value: 1001: ' +
        'spec.priority in body should be less than or equal to 1000',
      2: `ClusterNetworkPolicy cnp: ${E}.to[0].networks[1]: Duplicate value: "10.0.0.0/8"`,
      3: `ClusterNetworkPolicy cnp: ${E}.to[0].networks[2]: Invalid value: "string": Invalid CIDR format provided`,
      4:
        `ClusterNetworkPolicy cnp: ${E}: Invalid value: "object": networks/nodes/domainNames peer cannot be set with ` +
        'namedPorts since there are no namedPorts for networks/nodes/domainNames',
      5:
        'ClusterNetworkPolicy cnp: spec.egress[1].protocols[0].udp.destinationPort.range: Invalid value: "object": ' +
        'Start port must be less than End port',
      6: 'AdminNetworkPolicy anp: spec.subject.pods.namespaceSelector: Required value',
      7:
        'AdminNetworkPolicy anp: spec.ingress[0].action: Unsupported value: "Accept": ' +
        'supported values: "Allow", "Deny", "Pass"',
      8: `AdminNetworkPolicy anp: ${NOT_CHECKED}`,
      9:
        'BaselineAdminNetworkPolicy baseline: <nil>: Invalid value: "object": Only one baseline admin network policy ' +
        'with metadata.name="default" can be created in the cluster',
      10:
        'AdminNetworkPolicy anp2: spec.subject.namespaces.matchExpressions[0].operator: Invalid value: "Equal": ' +
        'not a valid selector operator',
      11:
        'AdminNetworkPolicy anp2: spec.egress[0].ports[0].portNumber.protocol: Unsupported value: "ICMP": ' +
        'supported values: "TCP", "UDP", "SCTP"',
      12: 'ClusterNetworkPolicy cnp2: unknown field "spec.ingress[0].ports"',
    };
    const want = text.split('\n').flatMap((line, i) => {
      const marks = /# ([\d ]+)$/.exec(line)?.[1]?.split(' ') ?? [];
      return marks.map((n) => `<stdin>:${i + 1}: ${expected[Number(n)]}`);
    });
    assert.equal(want.length, Object.keys(expected).length);
    const run = await runCli(['validate', '-'], text);
    assert.equal(run.code, 1);
    const got = run.stdout.trim().split('\n');
    assert.equal(got.pop(), '5 of 5 objects invalid, 12 problems');
    assert.deepEqual([...got].sort(), [...want].sort());
    assert.equal(run.stderr, '');
  });

  for (const suite of ['cnp', 'anp-banp']) {
    it(`load and validate cleanly: every policy of the ${suite} conformance data`, () => {
      const applied = appliedObjects(suite);
      const kinds = new Set<string>();
      for (const { where, raw } of applied) {
        const object = objectFromData(raw);
        assert.notEqual(knownKind(object.apiVersion, object.kind), undefined, `${where}: ${object.kind} is read`);
        assert.deepEqual(
          validateObject(object).map((d) => d.message),
          [],
          where,
        );
        kinds.add(object.kind);
      }
      const expectedKinds =
        suite === 'cnp'
          ? ['ClusterNetworkPolicy', 'NetworkPolicy']
          : ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'NetworkPolicy'];
      assert.deepEqual([...kinds].sort(), expectedKinds);
    });

    it(`load and validate cleanly: the ${suite} conformance model`, () => {
      const loaded = loadPaths([new URL(`${suite}/model.yaml`, CONFORMANCE).pathname]);
      assert.deepEqual(loaded.problems, []);
      assert.deepEqual(loaded.skipped, []);
      assert.deepEqual(
        validateObjects(loaded.objects).map((d) => d.message),
        [],
      );
    });
  }

  it('are cluster-scoped: a namespace in the manifest does not place them', () => {
    const { objects } = loadText(
      'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n' +
        'metadata: {name: default, namespace: x}\nspec: {subject: {namespaces: {}}}',
      'banp.yaml',
    );
    assert.deepEqual(validateObjects(objects), []);
    assert.equal(namespaceOf(objects[0]!), '');
    const cluster = buildCluster(objects);
    assert.deepEqual([...cluster.namespaces.keys()], []);
    assert.deepEqual(
      cluster.tiers.baseline.map((p) => [p.ref.kind, p.ref.name, p.ref.namespace, p.namespace]),
      [['BaselineAdminNetworkPolicy', 'default', undefined, undefined]],
    );
  });

  it('are named without a namespace in messages, even when the manifest gives one', async () => {
    const text =
      'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n' +
      'metadata: {name: baseline, namespace: x}\nspec: {subject: {namespaces: {}}}';
    const run = await runCli(['validate', '-'], text);
    assert.equal(
      run.stdout,
      '<stdin>:3: BaselineAdminNetworkPolicy baseline: <nil>: Invalid value: "object": Only one baseline admin ' +
        'network policy with metadata.name="default" can be created in the cluster\n' +
        '1 of 1 object invalid, 1 problem\n',
    );
  });

  it('are part of every answer: an admin deny of all ingress leaves nothing to list', async () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: x, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: z}
spec: {containers: [{name: c}]}
status: {podIP: 10.0.0.2}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-all}
spec:
  priority: 1
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
`;
    const validate = await runCli(['validate', '-'], text);
    assert.equal(validate.stdout, '3 objects valid\n');
    const list = await runCli(['list', '-'], text);
    assert.equal(list.stderr, '');
    // Pods deny each other's ingress; outside addresses are no namespace's, so they still reach both.
    assert.equal(
      list.stdout,
      '0.0.0.0-255.255.255.255[External] => x/web[Pod] : All Connections\n' +
        '0.0.0.0-255.255.255.255[External] => z/client[Pod] : All Connections\n' +
        'x/web[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n' +
        'z/client[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n',
    );
  });

  it('are read in the version netpol knows, and other versions are skipped with a line that says which', async () => {
    const text = `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: future}
spec: {}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: AdminNetworkPolicy
metadata: {name: never-was}
---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: antrea}
`;
    const run = await runCli(['validate', '-v', '-'], text);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, '0 objects valid, 3 skipped\n');
    assert.equal(
      run.stderr,
      '<stdin>:1: skipped policy.networking.k8s.io/v1beta1 ClusterNetworkPolicy future: ' +
        'netpol reads ClusterNetworkPolicy as policy.networking.k8s.io/v1alpha2\n' +
        '<stdin>:6: skipped policy.networking.k8s.io/v1alpha2 AdminNetworkPolicy never-was: ' +
        'netpol reads AdminNetworkPolicy as policy.networking.k8s.io/v1alpha1\n' +
        '<stdin>:10: skipped crd.antrea.io/v1beta1 ClusterNetworkPolicy antrea: not a kind netpol uses\n' +
        'netpol: skipped 3 objects: ClusterNetworkPolicy (2), AdminNetworkPolicy (1)\n' +
        'netpol: the input holds no object netpol reads\n',
    );
  });
});
