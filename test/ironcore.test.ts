import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { parseTruthTable } from '../src/engine/truthtable.js';
import { buildCluster } from '../src/policy/cluster.js';
import { loadText } from '../src/load/load.js';
import { reconcileIroncore } from '../src/render/ironcore.js';
import { runCli } from './support/cli.js';

const SHARED = new URL('../../shared/', import.meta.url);
const shared = (path: string): string => readFileSync(new URL(path, SHARED), 'utf8');

/**
 * The policy of the Ironcore documentation (seed 000), as the page prints it:
 * from `apiVersion:` to the link after it.
 */
function seedPolicy(): string {
  const lines = shared('seeds/000_15b3714b6cd94ff4.txt').split('\n');
  const start = lines.findIndex((l) => l.startsWith('apiVersion:'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('https://'));
  return lines.slice(start, end).join('\n');
}

/** A verbatim sample of ironcore-cn2.md §1.5: the yaml block after the line naming its file. */
function referenceSample(file: string): string {
  const text = shared('reference/ironcore-cn2.md');
  const at = text.indexOf(`\`${file}\``);
  assert.ok(at >= 0, `the reference names ${file}`);
  const open = text.indexOf('```yaml\n', at) + '```yaml\n'.length;
  return text.slice(open, text.indexOf('```', open));
}

/**
 * The e2e sample as kustomize builds it: namespace `test` on every object;
 * machine2 is machine1 with the three changes the reference lists.
 */
function e2eSample(): object[] {
  const base = 'config/samples/e2e/bases/network-policy/';
  const machine1 = referenceSample(`${base}machine1.yaml`);
  const machine2 = machine1
    .replace('name: machine-sample1', 'name: machine-sample2')
    .replace('machine: "machine-sample1"', 'machine: "machine-sample2"')
    .replace('value: 10.0.0.1', 'value: 10.0.0.2');
  assert.notEqual(machine2, machine1);
  return ['network.yaml', 'network-policy.yaml']
    .map((f) => referenceSample(`${base}${f}`))
    .concat(machine1, machine2)
    .map((text) => {
      const object = parse(text) as { metadata: Record<string, unknown> };
      object.metadata = { ...object.metadata, namespace: 'test' };
      return object;
    });
}

// JSON documents one per line: a JSON stream, as kubectl reads one (JSON separated by `---` it refuses).
const yamlOf = (objects: readonly object[]): string => objects.map((o) => JSON.stringify(o)).join('\n');
const documents = (text: string): Record<string, unknown>[] =>
  parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
const byKind = (objects: Record<string, unknown>[], kind: string): Record<string, unknown>[] =>
  objects.filter((o) => o['kind'] === kind);

function reconcile(text: string) {
  const loaded = loadText(text, 'test.yaml');
  assert.deepEqual(loaded.problems, []);
  return reconcileIroncore(loaded.objects, buildCluster(loaded.objects));
}

const SHOP_NETWORK = readFileSync('examples/ironcore/shop/network.yaml', 'utf8');

describe('Ironcore NetworkPolicy', () => {
  it('is validated the Ironcore way, with the field path and line of each problem', async () => {
    // Every line ending in a `# n` comment is where problem n is reported; the messages are ironcore's.
    const text = `apiVersion: networking.ironcore.dev/v1alpha1
kind: NetworkPolicy
metadata: {name: a, namespace: x}
spec: # 1 2
  networkInterfaceSelector: {}
---
apiVersion: networking.ironcore.dev/v1alpha1
kind: NetworkPolicy
metadata: {name: b, namespace: x}
spec:
  networkRef: {name: net}
  networkInterfaceSelector: {matchExpressions: [{key: app, operator: Exists, values: [x]}]} # 3
  policyTypes: [Ingress, Sideways] # 4
  ingress:
  - from:
    - objectSelector: {kind: Pod} # 5
    - objectSelector: {kind: NetworkInterface}
      ipBlock: {cidr: 10.0.0.0/8} # 6
    - ipBlock: {cidr: 10.0.0.0/24, except: [10.1.0.0/24]} # 7
    - ipBlock: {cidr: 10.0.0.0/33} # 8
    ports:
    - {endPort: 22} # 9
    - {port: 443, endPort: 80} # 10
    - {protocol: ICMP, port: 70000} # 11 12
`;
    const expected: Record<number, string> = {
      1: 'NetworkPolicy x/a: spec.networkRef: Required value: must specify a network ref',
      2: 'NetworkPolicy x/a: spec.policyTypes: Required value: must specify policyTypes',
      3:
        'NetworkPolicy x/b: spec.networkInterfaceSelector.matchExpressions[0].values: ' +
        "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      4: 'NetworkPolicy x/b: spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Egress", "Ingress"',
      5:
        'NetworkPolicy x/b: spec.ingress[0].from[0].objectSelector.kind: ' +
        'Unsupported value: "Pod": supported values: "LoadBalancer", "NetworkInterface", "VirtualIP"',
      6: 'NetworkPolicy x/b: spec.ingress[0].from[1].ipBlock: Forbidden: cannot specify multiple peers',
      7:
        'NetworkPolicy x/b: spec.ingress[0].from[2].ipBlock.except[0]: ' +
        'Forbidden: cidr 10.0.0.0/24 does not contain except 10.1.0.0/24',
      8:
        'NetworkPolicy x/b: spec.ingress[0].from[3].ipBlock.cidr: ' +
        'Invalid value: "10.0.0.0/33": must specify valid cidr',
      9: 'NetworkPolicy x/b: spec.ingress[0].ports[0].endPort: Forbidden: must not specify endPort without port',
      10:
        'NetworkPolicy x/b: spec.ingress[0].ports[1].endPort: ' +
        'Forbidden: endPort 80 must not be smaller than port 443',
      11:
        'NetworkPolicy x/b: spec.ingress[0].ports[2].port: ' +
        'Invalid value: 70000: must be between 1 and 65535, inclusive',
      12:
        'NetworkPolicy x/b: spec.ingress[0].ports[2].protocol: ' +
        'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    };
    const want = text.split('\n').flatMap((line, i) => {
      const marks = /# ([\d ]+)$/.exec(line)?.[1]?.split(' ') ?? [];
      return marks.map((n) => `<stdin>:${i + 1}: ${expected[Number(n)]}`);
    });
    assert.equal(want.length, Object.keys(expected).length);
    const run = await runCli(['validate', '-'], text);
    assert.equal(run.code, 1);
    const got = run.stdout.trim().split('\n');
    assert.equal(got.pop(), '2 of 2 objects invalid, 12 problems');
    assert.deepEqual([...got].sort(), [...want].sort());
  });

  it('accepts what Ironcore accepts, and defaults policyTypes from the rules', async () => {
    const accepted = `apiVersion: networking.ironcore.dev/v1alpha1
kind: NetworkPolicy
metadata: {name: ok, namespace: x}
spec:
  networkRef: {name: net}
  networkInterfaceSelector: {}
  egress:
  - to:
    - objectSelector: {kind: VirtualIP, matchLabels: {app: web}}
    - {}
    ports: [{protocol: SCTP, port: 9000, endPort: 9000}]`;
    const sample = referenceSample('config/samples/networking_v1alpha1_networkpolicy.yaml');
    for (const text of [accepted, sample, seedPolicy()]) {
      const run = await runCli(['validate', '-'], text);
      assert.equal(run.code, 0, run.stdout);
    }
    // The sample declares no policyTypes: ingress and egress rules make them Egress and Ingress, sorted.
    const network =
      'apiVersion: networking.ironcore.dev/v1alpha1\nkind: Network\n' +
      'metadata: {name: network-sample, namespace: default}';
    const [result] = reconcile(`${sample}\n---\n${network}`);
    assert.deepEqual((result!.apinet[0]!['spec'] as Record<string, unknown>)['policyTypes'], ['Egress', 'Ingress']);
  });

  it(
    "reconciles the documentation's policy (seed 000) " + 'into the apinet NetworkPolicy and its NetworkPolicyRule',
    async () => {
      // The example ships the seed's policy; it must be the seed's, word for word.
      assert.deepEqual(
        documents(readFileSync('examples/ironcore/shop/network-policy.yaml', 'utf8')),
        documents(seedPolicy()),
      );
      const run = await runCli(['render', 'ironcore', '-', 'examples/ironcore/shop/network.yaml'], seedPolicy());
      assert.equal(run.code, 0, run.stderr);
      const out = documents(run.stdout);
      const [status] = byKind(out, 'NetworkPolicy').filter(
        (o) => o['apiVersion'] === 'networking.ironcore.dev/v1alpha1',
      );
      assert.deepEqual(
        (status!['status'] as { conditions: Record<string, string>[] }).conditions.map((c) => [c['type'], c['status']]),
        [
          ['NetworkFound', 'True'],
          ['TargetsFound', 'True'],
          ['Applied', 'True'],
        ],
      );
      const [apinet] = byKind(out, 'NetworkPolicy').filter(
        (o) => o['apiVersion'] === 'core.apinet.ironcore.dev/v1alpha1',
      );
      assert.deepEqual(apinet!['metadata'], {
        namespace: 'apinet',
        name: 'default-my-network-policy',
        labels: {
          'apinetlet.ironcore.dev/networkpolicy-uid': 'default-my-network-policy',
          'apinetlet.ironcore.dev/networkpolicy-namespace': 'default',
        },
        annotations: { 'apinetlet.ironcore.dev/networkpolicy-name': 'my-network-policy' },
      });
      assert.equal((apinet!['spec'] as Record<string, unknown>)['priority'], 1000);
      const [rule] = byKind(out, 'NetworkPolicyRule');
      // Written from examples/ironcore/shop/network.yaml by hand: db-0 is the only Available app=db interface of
      // my-network; web-1 is Pending, web-other and other-lb are of other-network,
      // web-vip is not a kind the rule names.
      assert.deepEqual(rule!['networkRef'], { name: 'default-my-network' });
      assert.deepEqual(rule!['targets'], [{ ip: '10.0.0.10', targetRef: { name: 'db-0' } }]);
      assert.equal(rule!['priority'], 1000);
      assert.deepEqual(rule!['ingressRule'], [
        {
          ipBlock: [{ cidr: '172.17.0.0/16' }],
          ips: [
            { ipFamily: 'IPv4', prefix: '10.0.0.20/32' },
            { ipFamily: 'IPv4', prefix: '10.0.0.30/32' },
          ],
          networkPolicyPorts: [{ protocol: 'TCP', port: 5432 }],
        },
      ]);
      assert.deepEqual(rule!['egressRule'], [
        { ipBlock: [{ cidr: '10.0.0.0/24' }], ips: [], networkPolicyPorts: [{ protocol: 'TCP', port: 8080 }] },
      ]);
    },
  );

  it('reconciles the e2e sample of the reference, which as shipped selects nothing; lint says why', async () => {
    // The example is the reference's sample with the namespace its kustomization sets, and nothing else.
    const example = readdirSync('examples/ironcore/e2e').flatMap((f) =>
      documents(readFileSync(join('examples/ironcore/e2e', f), 'utf8')),
    );
    const key = (o: Record<string, unknown>): string =>
      `${o['kind']}/${(o['metadata'] as Record<string, string>)['name']}`;
    const sorted = (objects: Record<string, unknown>[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
    assert.deepEqual(sorted(example), sorted(e2eSample() as Record<string, unknown>[]));

    const [result] = reconcile(yamlOf(e2eSample()));
    const conditions = (result!.policy['status'] as { conditions: Record<string, string>[] }).conditions;
    const targets = conditions.find((c) => c['type'] === 'TargetsFound')!;
    assert.equal(targets['status'], 'False');
    assert.equal(targets['reason'], 'NoTargets');
    assert.match(targets['message']!, /nic=machine-sample2/);
    assert.match(targets['message']!, /machine-sample2-primary \{machine=machine-sample2\}/);
    assert.deepEqual(result!.apinet[1]!['targets'], []);
    assert.deepEqual(result!.apinet[1]!['ingressRule'], [
      { ipBlock: [], ips: [], networkPolicyPorts: [{ protocol: 'TCP', port: 22, endPort: 22 }] },
    ]);

    const lint = await runCli(['lint', 'examples/ironcore/e2e']);
    assert.match(
      lint.stdout,
      new RegExp(
        String.raw`network-policy\.yaml:10: warning\[policy-selects-nothing\]: ` +
          String.raw`Ironcore NetworkPolicy test\/my-networkpolicy selects nothing: ` +
          String.raw`no NetworkInterface of network network-sample in namespace test ` +
          String.raw`matches networkInterfaceSelector nic=machine-sample2; ` +
          String.raw`its interfaces are labelled machine-sample1-primary \{machine=machine-sample1\}; ` +
          String.raw`machine-sample2-primary \{machine=machine-sample2\}`,
      ),
    );
    assert.match(
      lint.stdout,
      new RegExp(
        String.raw`warning\[peer-matches-nothing\]: a peer of test\/my-networkpolicy matches no object ` +
          String.raw`\(NetworkInterface nic=machine-sample1 in namespace test, network network-sample\)`,
      ),
    );
  });

  it('reconciles the e2e sample, labels matched, to the worked example of the reference (§2.8)', () => {
    const matched = yamlOf(e2eSample()).replaceAll('"nic":"machine-sample', '"machine":"machine-sample');
    const [result] = reconcile(matched);
    const rule = result!.apinet[1]!;
    assert.deepEqual(rule['targets'], [{ ip: '10.0.0.2', targetRef: { name: 'machine-sample2-primary' } }]);
    assert.equal(rule['priority'], 1000);
    assert.deepEqual(rule['ingressRule'], [
      {
        ipBlock: [],
        ips: [{ ipFamily: 'IPv4', prefix: '10.0.0.1/32' }],
        networkPolicyPorts: [{ protocol: 'TCP', port: 22, endPort: 22 }],
      },
    ]);
    assert.equal(rule['egressRule'], undefined, 'an ingress-only policy has no egress rules');
  });

  it(
    'does better than apinetlet: virtual IPs resolved, load balancers of other networks left out, ' +
      'a missing network said, labels followed',
    () => {
      const vipPolicy =
        `apiVersion: networking.ironcore.dev/v1alpha1
kind: NetworkPolicy
metadata: {name: from-vip, namespace: default}
spec:
  networkRef: {name: my-network}
  networkInterfaceSelector: {matchLabels: {app: db}}
  ingress: [{from: [{objectSelector: {kind: VirtualIP, matchLabels: {app: web}}}, ` +
        `{objectSelector: {kind: LoadBalancer, matchLabels: {app: web}}}], ports: [{port: 5432}]}]`;
      const [vip] = reconcile(`${SHOP_NETWORK}\n---\n${vipPolicy}`);
      // web-vip points at web-0, of my-network; other-lb carries the same labels in other-network.
      assert.deepEqual((vip!.apinet[1]!['ingressRule'] as Record<string, unknown>[])[0]!['ips'], [
        { ipFamily: 'IPv4', prefix: '203.0.113.20/32' },
        { ipFamily: 'IPv4', prefix: '10.0.0.30/32' },
      ]);

      // apinet's validation takes NetworkInterface and LoadBalancer selectors only: the apinet policy leaves the
      // VirtualIP peer out (the rule above carries its address), so the API server takes it.
      assert.deepEqual((vip!.apinet[0]!['spec'] as Record<string, unknown>)['ingress'], [
        {
          from: [{ objectSelector: { kind: 'LoadBalancer', matchLabels: { app: 'web' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ]);

      const [missing] = reconcile(vipPolicy.replace('name: my-network', 'name: no-such-network'));
      assert.deepEqual(missing!.apinet, []);
      const condition = (missing!.policy['status'] as { conditions: Record<string, string>[] }).conditions[0]!;
      assert.deepEqual(
        [condition['type'], condition['status'], condition['reason']],
        ['NetworkFound', 'False', 'NetworkNotFound'],
      );

      // web-0 relabelled app=db becomes a target at once.
      const relabelled = SHOP_NETWORK.replace(
        'metadata: {name: web-0, namespace: default, labels: {app: web}}',
        'metadata: {name: web-0, namespace: default, labels: {app: db}}',
      );
      assert.notEqual(relabelled, SHOP_NETWORK);
      const [after] = reconcile(`${relabelled}\n---\n${vipPolicy}`);
      assert.deepEqual(after!.apinet[1]!['targets'], [
        { ip: '10.0.0.10', targetRef: { name: 'db-0' } },
        { ip: '10.0.0.20', targetRef: { name: 'web-0' } },
      ]);
    },
  );

  it(
    'takes interfaces, load balancers and virtual IPs as endpoints in check and matrix, ' + 'each in its network',
    async () => {
      const matrix = await runCli(['matrix', 'examples/ironcore/shop', '--port', '5432']);
      assert.equal(matrix.code, 0, matrix.stderr);
      const table = parseTruthTable(matrix.stdout);
      const cell = (from: string, to: string): boolean | undefined =>
        table.cells[table.sources.indexOf(from)]![table.destinations.indexOf(to)];
      const db = 'default/db-0[NetworkInterface]';
      // Hand-read: db-0 takes TCP 5432 from 172.17/16, app=web interfaces and load balancers of my-network.
      assert.equal(cell('default/web-0[NetworkInterface]', db), true);
      assert.equal(cell('default/web-lb[LoadBalancer]', db), true);
      assert.equal(cell('default/web-other[NetworkInterface]', db), false, 'another network');
      assert.equal(cell('default/other-lb[LoadBalancer]', db), false, 'another network');
      assert.equal(cell('default/web-vip[VirtualIP]', db), false, 'the policy names no VirtualIP');
      // db-0 may only send TCP 8080 to 10.0.0.0/24; nothing isolates the others.
      assert.equal(cell(db, 'default/web-0[NetworkInterface]'), false);
      assert.equal(cell('default/web-other[NetworkInterface]', 'default/web-0[NetworkInterface]'), true);
      assert.equal(
        table.sources.includes('default/web-1[NetworkInterface]'),
        false,
        'a Pending interface is no endpoint',
      );

      const allowed = await runCli([
        'check',
        'examples/ironcore/shop',
        '--from',
        '172.17.9.9',
        '--to',
        'default/db-0',
        '--port',
        '5432',
      ]);
      assert.equal(allowed.code, 0, allowed.stdout);
      assert.match(
        allowed.stdout,
        new RegExp(
          String.raw`isolated by Ironcore NetworkPolicy default\/my-network-policy of network my-network ` +
            String.raw`\(examples\/ironcore\/shop\/network-policy\.yaml:2\)`,
        ),
      );
      const denied = await runCli([
        'check',
        'examples/ironcore/shop',
        '--from',
        'default/web-other[NetworkInterface]',
        '--to',
        'default/db-0',
        '--port',
        '5432',
      ]);
      assert.equal(denied.code, 1, denied.stdout);
      assert.match(
        denied.stdout,
        new RegExp(
          String.raw`no ingress rule of this policy allows default\/web-other\[NetworkInterface\] ` +
            String.raw`\(network other-network\) on TCP 5432`,
        ),
        'the reader sees the two networks',
      );
      const egress = await runCli([
        'check',
        'examples/ironcore/shop',
        '--from',
        'default/db-0',
        '--to',
        'default/web-lb',
        '--port',
        '8080',
      ]);
      assert.equal(egress.code, 0, egress.stdout);

      const list = await runCli(['list', 'examples/ironcore/shop']);
      assert.match(
        list.stdout,
        /^default\/web-0\[NetworkInterface\] => default\/db-0\[NetworkInterface\] : TCP 5432$/m,
      );
      assert.match(list.stdout, /^default\/db-0\[NetworkInterface\] => default\/web-lb\[LoadBalancer\] : TCP 8080$/m);
      assert.doesNotMatch(list.stdout, /web-other\[NetworkInterface\] => default\/db-0/);
    },
  );

  it('reads interfaces as the API returns them: Available carries traffic, Pending and Error do not', async () => {
    const dump = 'test/fixtures/ironcore-api-dump.yaml';
    const matrix = await runCli(['matrix', dump, '--port', '5432']);
    assert.equal(matrix.code, 0, matrix.stderr);
    // Hand-read: db-0 and web-0 are Available; web-1 is Pending and web-2 in Error, so neither is an endpoint.
    // The policy isolates db-0 for ingress and lets app=web interfaces in on TCP 5432; nothing isolates web-0.
    assert.equal(
      matrix.stdout,
      [
        '-\tprod/db-0[NetworkInterface]\tprod/web-0[NetworkInterface]',
        'prod/db-0[NetworkInterface]\t#\t.',
        'prod/web-0[NetworkInterface]\t.\t#',
        '',
      ].join('\n'),
    );
    const byStatusAddress = await runCli(['check', dump, '--from', '10.0.0.20', '--to', '10.0.0.10', '--port', '5432']);
    assert.equal(byStatusAddress.code, 0, byStatusAddress.stdout + byStatusAddress.stderr);
    assert.match(byStatusAddress.stdout, /^allowed: prod\/web-0\[NetworkInterface\] \(10\.0\.0\.20\) => prod\/db-0/);
    const otherPort = await runCli(['check', dump, '--from', 'prod/web-0', '--to', 'prod/db-0', '--port', '22']);
    assert.equal(otherPort.code, 1, otherPort.stdout + otherPort.stderr);
    const list = await runCli(['list', dump]);
    assert.match(list.stdout, /^prod\/web-0\[NetworkInterface\] => prod\/db-0\[NetworkInterface\] : TCP 5432$/m);
    assert.doesNotMatch(list.stdout, /web-[12]/, 'a Pending or Error interface carries no traffic');
  });

  it('still takes an interface in the state Ready, the word of apinet, and one without status', async () => {
    const nic = (name: string, status: string) => `apiVersion: networking.ironcore.dev/v1alpha1
kind: NetworkInterface
metadata: {name: ${name}, namespace: default}
spec: {networkRef: {name: net}, ips: [{value: 10.0.0.${name.length}}]}
${status}`;
    const text = [
      nic('ready', 'status: {state: Ready}'),
      nic('manifest', ''),
      nic('nostate', 'status: {ips: []}'),
    ].join('\n---\n');
    const matrix = await runCli(['matrix', '-', '--port', '80'], text);
    assert.deepEqual(parseTruthTable(matrix.stdout).sources, [
      'default/manifest[NetworkInterface]',
      'default/nostate[NetworkInterface]',
      'default/ready[NetworkInterface]',
    ]);
  });

  it('allows nothing through a rule without ports or without peers, and lint says so', async () => {
    const text = `apiVersion: networking.ironcore.dev/v1alpha1
kind: NetworkPolicy
metadata: {name: portless, namespace: default}
spec:
  networkRef: {name: my-network}
  networkInterfaceSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{objectSelector: {kind: NetworkInterface, matchLabels: {app: web}}}]
  - ports: [{port: 22}]`;
    const check = await runCli(
      [
        'check',
        '-',
        'examples/ironcore/shop/network.yaml',
        '--from',
        'default/web-0',
        '--to',
        'default/db-0',
        '--port',
        '5432',
      ],
      text,
    );
    assert.equal(check.code, 1, check.stdout);
    const ssh = await runCli(
      [
        'check',
        '-',
        'examples/ironcore/shop/network.yaml',
        '--from',
        'default/web-0',
        '--to',
        'default/db-0',
        '--port',
        '22',
      ],
      text,
    );
    assert.equal(ssh.code, 1, ssh.stdout);
    const lint = await runCli(['lint', '-', 'examples/ironcore/shop/network.yaml', '-o', 'json'], text);
    const codes = (JSON.parse(lint.stdout) as { code: string; path?: string }[]).map((f) => f.code);
    assert.deepEqual(codes.sort(), ['rule-without-peers', 'rule-without-ports']);
  });

  it("renders interfaces into a node's nftables ruleset, by the pool of their machine", async () => {
    const run = await runCli(['render', 'nftables', 'examples/ironcore/shop', '--node', 'pool-a']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /map ingress4 \{\n\t\ttype ipv4_addr : verdict\n\t\telements = \{ 10\.0\.0\.10 : jump ep_ingress_\w+ \}/,
    );
    assert.match(
      run.stdout,
      /comment "NetworkInterface app=web in namespace default, network my-network"\n\t\telements = \{ 10\.0\.0\.20 \}/,
    );
    assert.match(
      run.stdout,
      /comment "LoadBalancer app=web in namespace default, network my-network"\n\t\telements = \{ 10\.0\.0\.30 \}/,
    );
    assert.match(
      run.stdout,
      new RegExp(
        String.raw`meta l4proto tcp th dport \{ 5432 \} ip saddr @peer4_\w+ ` +
          String.raw`accept comment "default\/my-network-policy ingress\[0\]"`,
      ),
    );
    const web = await runCli(['render', 'nftables', 'examples/ironcore/shop', '--node', 'pool-b']);
    // web-0 is on pool-b, and so is the virtual IP that points at it; web-1 is Pending.
    assert.match(web.stdout, /set programmed4 \{\n[^}]*elements = \{ 10\.0\.0\.20, 203\.0\.113\.20 \}/);
    assert.doesNotMatch(web.stdout, /10\.0\.0\.21/, 'web-1 is Pending');
  });
});
