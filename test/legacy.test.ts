import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIP } from '../src/algebra/ip.js';
import { endpointFlow, makeFlow } from '../src/engine/flow.js';
import { decide } from '../src/engine/verdict.js';
import { parseTruthTable, compareTruthTables } from '../src/engine/truthtable.js';
import { buildCluster, type Cluster } from '../src/policy/cluster.js';
import { loadText } from '../src/load/load.js';
import { type JSONObject } from '../src/util/json.js';
import { objectFromData } from '../src/resources/source.js';
import { namespaceIsolation, ISOLATION_ANNOTATION } from '../src/policy/legacy.js';
import { migrateLegacy } from '../src/policy/migrate.js';
import { validateObjects } from '../src/validate/validate.js';
import { runCli } from './support/cli.js';

describe('legacy namespace isolation annotation', () => {
  const read = (value: string) => namespaceIsolation({ [ISOLATION_ANNOTATION]: value });

  it('isolates only on the exact key and {"ingress": {"isolation": "DefaultDeny"}}', () => {
    assert.deepEqual(read('{"ingress": {"isolation": "DefaultDeny"}}'), { isolated: true });
    assert.deepEqual(namespaceIsolation(undefined), { isolated: false });
    // Romana's key, without the hyphen: not the annotation.
    assert.deepEqual(
      namespaceIsolation({ 'net.beta.kubernetes.io/networkpolicy': '{"ingress": {"isolation": "DefaultDeny"}}' }),
      { isolated: false },
    );
  });

  it('reports an unparseable or meaningless annotation and treats it as absent', () => {
    const broken = read('{"ingress": {"isolation": "DefaultDeny"}');
    assert.equal(broken.isolated, false);
    assert.match(broken.problem!, /is not JSON .*treated as absent/);
    const lower = read('{"ingress": {"isolation": "defaultdeny"}}');
    assert.equal(lower.isolated, false);
    assert.match(lower.problem!, /only isolation there is; treated as absent/);
  });
});

describe('netpol --semantics legacy, on examples/legacy', () => {
  it(
    'isolates only the annotated namespace, and only for ingress ' + '(matrix written from the manifests by hand)',
    async () => {
      const run = await runCli(['matrix', 'examples/legacy', '--port', '6379', '--semantics', 'legacy']);
      assert.equal(run.code, 0, run.stderr);
      // shop is isolated: db takes 6379 from the lab namespace and from frontend; no policy selects
      // frontend, so nothing reaches it. lab is not isolated: its policy has no effect.
      const expected = parseTruthTable(
        [
          '-\tlab/tool\tlab/web\tshop/db\tshop/frontend',
          'lab/tool\t#\t.\t.\tX',
          'lab/web\t.\t#\t.\tX',
          'shop/db\t.\t.\t#\tX',
          'shop/frontend\t.\t.\t.\t#',
        ].join('\n'),
      );
      assert.deepEqual(compareTruthTables(expected, parseTruthTable(run.stdout)), []);
    },
  );

  it('says which annotation isolates, and reads extensions/v1beta1 as v1 by default', async () => {
    const legacy = await runCli([
      'check',
      'examples/legacy',
      '--from',
      'lab/web',
      '--to',
      'shop/frontend',
      '--port',
      '6379',
      '--semantics',
      'legacy',
    ]);
    assert.equal(legacy.code, 1);
    assert.match(
      legacy.stdout,
      new RegExp(
        String.raw`isolated by the DefaultDeny annotation of namespace shop ` +
          String.raw`\(legacy semantics; examples\/legacy\/cluster\.yaml:9\)`,
      ),
    );
    const v1 = await runCli([
      'check',
      'examples/legacy',
      '--from',
      'lab/web',
      '--to',
      'shop/frontend',
      '--port',
      '6379',
    ]);
    assert.equal(v1.code, 0, 'under v1 no policy selects frontend');
    const tool = await runCli(['check', 'examples/legacy', '--from', 'shop/db', '--to', 'lab/web', '--port', '6379']);
    assert.equal(tool.code, 1, 'under v1 the lab policy isolates web');
  });

  it('lint says which policies have no effect, and which annotations cannot be read', async () => {
    const run = await runCli(['lint', 'examples/legacy', '--semantics', 'legacy', '-o', 'json']);
    const findings = JSON.parse(run.stdout) as { code: string; location: { line: number }; severity: string }[];
    assert.deepEqual(
      findings.filter((f) => f.code.startsWith('legacy-')).map((f) => [f.code, f.location.line, f.severity]),
      [['legacy-policy-without-effect', 71, 'warning']],
    );
    const v1 = await runCli(['lint', 'examples/legacy', '-o', 'json']);
    assert.equal(
      (JSON.parse(v1.stdout) as { code: string }[]).filter((f) => f.code.startsWith('legacy-')).length,
      0,
      'under v1 every policy acts',
    );
    const broken =
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  annotations:\n' +
      '    net.beta.kubernetes.io/network-policy: "{ingress: DefaultDeny}"\n';
    const unreadable = await runCli(['lint', '-', '--semantics', 'legacy'], broken);
    assert.match(
      unreadable.stdout,
      new RegExp(
        String.raw`^<stdin>:6: error\[legacy-annotation-unreadable\]: ` +
          String.raw`namespace x: annotation net\.beta\.kubernetes\.io\/network-policy is not JSON`,
        'm',
      ),
    );
    assert.equal(unreadable.code, 1);
  });

  it('migrate says there is nothing to migrate on v1 policies, rather than leaving them all out', async () => {
    const run = await runCli(['migrate', 'examples/shop/policies']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      'netpol: nothing to migrate: no namespace is isolated by the annotation net.beta.kubernetes.io/network-policy ' +
        'and no NetworkPolicy is extensions/v1beta1; the 9 networking.k8s.io/v1 NetworkPolicies mean under v1 ' +
        'what they say (migrate is for clusters before Kubernetes 1.7)\n',
    );
    const empty = await runCli(['migrate', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}');
    assert.equal(empty.stdout, '');
    assert.equal(
      empty.stderr,
      'netpol: nothing to migrate: no namespace is isolated by the annotation net.beta.kubernetes.io/network-policy ' +
        'and the input holds no NetworkPolicy\n',
    );
  });

  it('migrate writes the v1 equivalent and warns about the policy that had no effect', async () => {
    const run = await runCli(['migrate', 'examples/legacy']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        String.raw`examples\/legacy\/cluster\.yaml:71: warning: ` +
          String.raw`NetworkPolicy lab\/web-from-tool had no effect: namespace lab is not isolated`,
      ),
    );
    const migrated = loadText(run.stdout, 'migrated.yaml');
    assert.deepEqual(migrated.problems, []);
    assert.deepEqual(validateObjects(migrated.objects), []);
    assert.deepEqual(
      migrated.objects.map((o) => [o.apiVersion, o.namespace, o.name, o.raw['spec']]),
      [
        ['networking.k8s.io/v1', 'shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] }],
        [
          'networking.k8s.io/v1',
          'shop',
          'test-network-policy',
          {
            podSelector: { matchLabels: { role: 'db' } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [
                  { namespaceSelector: { matchLabels: { project: 'lab' } } },
                  { podSelector: { matchLabels: { role: 'frontend' } } },
                ],
                ports: [{ protocol: 'TCP', port: 6379 }],
              },
            ],
          },
        ],
      ],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Generated legacy clusters: the migration under v1 allows exactly what the input allowed under legacy.

const LABELS = ['a', 'b', 'c'];
const PORTS = [80, 6379];
const EXTERNAL = ['192.0.2.7', '198.51.100.9'];

const selector = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...LABELS).map((v) => ({ matchLabels: { app: v } })),
);
const peer = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: fc.constantFrom(...LABELS).map((v) => ({ matchLabels: { team: v } })) }),
  fc.record({ namespaceSelector: selector, podSelector: selector }),
  fc.constant({ ipBlock: { cidr: '192.0.2.0/24' } }),
);
const rule = fc.record(
  {
    from: fc.array(peer, { maxLength: 2 }),
    ports: fc.array(
      fc.constantFrom(...PORTS).map((port) => ({ protocol: 'TCP', port })),
      { maxLength: 1 },
    ),
  },
  { requiredKeys: [] },
);
const policy = fc.record({
  namespace: fc.nat(2),
  apiVersion: fc.constantFrom('extensions/v1beta1', 'networking.k8s.io/v1'),
  podSelector: selector,
  ingress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }),
  egress: fc.boolean(),
});
const scenario = fc.record({
  annotations: fc.array(fc.constantFrom('isolated', 'none', 'broken'), { minLength: 3, maxLength: 3 }),
  pods: fc.array(fc.record({ namespace: fc.nat(2), app: fc.constantFrom(...LABELS) }), { minLength: 1, maxLength: 6 }),
  policies: fc.array(policy, { maxLength: 5 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function objectsOf(s: Scenario): JSONObject[] {
  const annotation = { isolated: '{"ingress": {"isolation": "DefaultDeny"}}', broken: '{"ingress": ', none: undefined };
  const namespaces = s.annotations.map((a, i): JSONObject => {
    const value = annotation[a as keyof typeof annotation];
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: `ns${i}`,
        labels: { team: LABELS[i]! },
        ...(value ? { annotations: { [ISOLATION_ANNOTATION]: value } } : {}),
      },
    };
  });
  const pods = s.pods.map((p, i): JSONObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod${i}`, namespace: `ns${p.namespace}`, labels: { app: p.app } },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 6379 }] }] },
    status: { podIP: `10.0.0.${i + 1}` },
  }));
  const policies = s.policies.map((p, i): JSONObject => ({
    apiVersion: p.apiVersion,
    kind: 'NetworkPolicy',
    metadata: { name: `np${i}`, namespace: `ns${p.namespace}` },
    spec: {
      podSelector: p.podSelector,
      ...(p.ingress === undefined ? {} : { ingress: p.ingress }),
      ...(p.egress ? { egress: [{ to: [{ podSelector: {} }] }] } : {}),
    },
  }));
  return [...namespaces, ...pods, ...policies];
}

/** Every verdict between pods, and from outside addresses to pods, in both directions. */
function verdicts(cluster: Cluster): string[] {
  const out: string[] = [];
  for (const src of cluster.endpoints) {
    for (const dst of cluster.endpoints) {
      if (src === dst) continue;
      for (const port of PORTS)
        out.push(`${src.id}>${dst.id}:${port}=${decide(cluster, endpointFlow(src, dst, 'TCP', port)).allowed}`);
    }
    for (const ip of EXTERNAL) {
      for (const port of PORTS) {
        const inbound = decide(cluster, makeFlow({ ip: parseIP(ip)! }, { endpoint: src }, 'TCP', port)).allowed;
        out.push(`${ip}>${src.id}:${port}=${inbound}`);
        const outbound = decide(cluster, makeFlow({ endpoint: src }, { ip: parseIP(ip)! }, 'TCP', port)).allowed;
        out.push(`${src.id}>${ip}:${port}=${outbound}`);
      }
    }
  }
  return out;
}

describe('netpol migrate, on generated legacy clusters', () => {
  it('gives under v1 the connectivity the input had under legacy semantics', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const objects = objectsOf(s).map((o) => objectFromData(o));
        assert.deepEqual(validateObjects(objects), []);
        const legacy = buildCluster(objects, { semantics: 'legacy' });
        const migration = migrateLegacy(objects);
        const migrated = [
          ...objects.filter((o) => o.kind !== 'NetworkPolicy'),
          ...migration.policies.map((p) => objectFromData(p)),
        ];
        assert.deepEqual(validateObjects(migrated), []);
        assert.deepEqual(verdicts(buildCluster(migrated)), verdicts(legacy));
        // Without an annotation or an extensions/v1beta1 policy the input is already v1: nothing to migrate.
        const legacyInput =
          s.annotations.some((a) => a !== 'none') || s.policies.some((p) => p.apiVersion !== 'networking.k8s.io/v1');
        assert.equal(migration.nothingToMigrate === undefined, legacyInput);
        const ineffective = legacyInput
          ? s.policies.filter((p) => s.annotations[p.namespace] !== 'isolated').length
          : 0;
        assert.equal(
          migration.warnings.filter((w) => w.message.includes('had no effect: namespace')).length,
          ineffective,
        );
      }),
      { numRuns: 150 },
    );
  });
});
