// analyse(): netpol's engine on a synthesised app, returning what the CLI prints, and the test helpers.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import * as netpol from 'netpol/cdk8s';

const KUBE_DNS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      containers:
      - name: coredns
        image: coredns
        ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53, protocol: TCP}]
`;

function manifest(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'netpol-cdk8s-')), name);
  writeFileSync(path, text);
  return path;
}

/** web (front) may reach api (back) on 8080; both isolated both ways. */
function frontAndBack() {
  const app = new App();
  const chart = new Chart(app, 'test');
  const web = new netpol.Deployment(chart, 'Web', {
    metadata: { namespace: 'front' },
    podMetadata: { labels: { app: 'web' } },
    containers: [{ image: 'web' }],
    isolate: true,
  });
  const api = new netpol.Deployment(chart, 'Api', {
    metadata: { namespace: 'back' },
    podMetadata: { labels: { app: 'api' } },
    containers: [{ image: 'api', portNumber: 8080 }],
    isolate: true,
  });
  web.connections.allowTo(api);
  return { app, chart, web, api };
}

describe('analyse(app)', () => {
  it('validate() prints what `netpol validate` prints: the count, the skipped objects', () => {
    const { app } = frontAndBack();
    assert.equal(netpol.analyse(app).validate(), '6 objects valid\n');
    const chart = new Chart(app, 'db');
    new netpol.StatefulSet(chart, 'Db', { containers: [{ image: 'db', portNumber: 5432 }] });
    // The StatefulSet's headless Service is not a kind netpol reads.
    assert.equal(netpol.analyse(app).validate(), '7 objects valid, 1 skipped\n');
    const service = manifest('service.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: api}\n');
    assert.equal(netpol.analyse(app, { include: [service] }).validate(), '7 objects valid, 2 skipped\n');
  });

  it('validate() names the construct and gives the API server message of each problem; analysis refuses', () => {
    const app = new App();
    const chart = new Chart(app, 'test');
    const policy = new kplus.NetworkPolicy(chart, 'Wide');
    policy.addEgressRule(kplus.NetworkPolicyIpBlock.ipv4(chart, 'Corp', '10.0.0.0/33'), [
      kplus.NetworkPolicyPort.allUdp(),
    ]);
    const broken = manifest('broken.yaml', '---\n{kind: Pod, metadata: {name: x}}\n');
    const analysis = netpol.analyse(app, { include: [broken] });
    const expected = [
      `${broken}:2: Pod object without apiVersion: set apiVersion`,
      `test/Wide: NetworkPolicy ${policy.name}: spec.egress[0].ports[0].port: ` +
        'Invalid value: 0: must be between 1 and 65535, inclusive',
      `test/Wide: NetworkPolicy ${policy.name}: spec.egress[0].to[0].ipBlock.cidr: ` +
        'Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      '1 of 1 object invalid, 3 problems',
      '',
    ].join('\n');
    assert.equal(analysis.validate(), expected);
    assert.equal(analysis.valid, false);
    assert.throws(
      () => analysis.list(),
      (error: Error) => {
        assert.ok(error instanceof netpol.InvalidChartError);
        assert.equal(error.message, `refusing to analyse invalid objects:\n${expected}`);
        return true;
      },
    );
  });

  it("validate() reports netpol's own objects too, which `cdk8s synth` refuses to write", () => {
    const app = new App();
    const chart = new Chart(app, 'test');
    new netpol.Pod(chart, 'Web', {
      containers: [{ image: 'web', ports: [{ number: 80, name: 'http-port-for-web' }] }],
    });
    const line = (name: string) =>
      `test/Web: Pod ${name}: spec.containers[0].ports[0].name: ` +
      'Invalid value: "http-port-for-web": must be no more than 15 characters';
    const analysis = netpol.analyse(app);
    const pod = analysis.objects.find((o) => o.kind === 'Pod')!;
    assert.equal(analysis.validate(), `${line(pod.name)}\n1 of 1 object invalid, 1 problem\n`);
    assert.throws(() => app.synthYaml(), {
      message:
        'Validation failed with the following errors:\n' + `  [test/Web] ${line(pod.name).slice('test/Web: '.length)}`,
    });
  });

  it('check() decides flows between managed workloads and explains them with construct paths', () => {
    const { app, web, api } = frontAndBack();
    const analysis = netpol.analyse(app);
    const allowed = analysis.check(web, api, 8080);
    assert.equal(allowed.allowed, true);
    assert.equal(allowed.verdicts.length, 1);
    const policyOf = (path: string) =>
      app.node.findAll().find((c) => c.node.path === path) as unknown as netpol.NetworkPolicy;
    const webEgress = policyOf(`test/Web/AllowEgress${api.node.addr}`);
    const apiIngress = policyOf(`test/Web/AllowIngressback${api.node.addr}`);
    const webDeny = policyOf('test/Web/DefaultDenyAll');
    const apiDeny = policyOf('test/Api/DefaultDenyAll');
    assert.equal(
      allowed.explanation,
      [
        `allowed: front/${web.name} => back/${api.name} on TCP 8080`,
        `  egress from front/${web.name}: allowed`,
        // In the order of the objects: web's isolation was made with web, before allowTo.
        `    isolated by NetworkPolicy front/${webDeny.name} (test/Web/DefaultDenyAll)`,
        `    isolated by NetworkPolicy front/${webEgress.name} (test/Web/AllowEgress${api.node.addr})`,
        `    allowed by front/${webEgress.name} egress[0] (test/Web/AllowEgress${api.node.addr})`,
        `  ingress to back/${api.name}: allowed`,
        `    isolated by NetworkPolicy back/${apiIngress.name} (test/Web/AllowIngressback${api.node.addr})`,
        `    isolated by NetworkPolicy back/${apiDeny.name} (test/Api/DefaultDenyAll)`,
        `    allowed by back/${apiIngress.name} ingress[0] (test/Web/AllowIngressback${api.node.addr})`,
        '',
      ].join('\n'),
    );
    assert.equal(analysis.check(web, api, 8081).allowed, false);
    assert.equal(analysis.check(api, web, 8080).allowed, false);
    assert.equal(analysis.check(web, api, 8080, 'UDP').allowed, false);
    assert.equal(analysis.check(web, api, 8080, netpol.NetworkProtocol.TCP).allowed, true);
    // Ends may also be written as the CLI takes them.
    assert.equal(analysis.check(`front/${web.name}`, `back/${api.name}`, 8080).allowed, true);
    assert.equal(analysis.check(web, '203.0.113.9', 443).allowed, false);
  });

  it('expectAllowed/expectDenied throw an Error carrying the explanation, and return the result otherwise', () => {
    const { app, web, api } = frontAndBack();
    const analysis = netpol.analyse(app);
    assert.equal(analysis.expectAllowed(web, api, 8080).allowed, true);
    assert.equal(analysis.expectDenied(api, web, 8080).allowed, false);
    assert.throws(
      () => analysis.expectAllowed(web, api, 9090),
      (error: Error) => {
        assert.ok(error instanceof Error && error instanceof netpol.ConnectivityExpectationError);
        assert.match(
          error.message,
          /^expected test\/Web => test\/Api on TCP 9090 to be allowed, but:\ndenied: front\//,
        );
        assert.match(error.message, /no egress rule of these policies allows back\/test-api-[0-9a-f]{8} on TCP 9090/);
        return true;
      },
    );
    assert.throws(() => analysis.expectDenied(web, api, 8080), {
      message: /^expected test\/Web => test\/Api on TCP 8080 to be denied, but:\nallowed: /,
    });
    // The standalone helpers find the app through the constructs.
    netpol.expectAllowed(web, api, 8080);
    netpol.expectDenied(web, api, 8080, 'SCTP');
    assert.throws(() => netpol.expectAllowed('front/x', '10.0.0.1', 80), {
      message: 'expectAllowed/expectDenied: one end must be a construct of the app',
    });
  });

  it('a selection stands for every pod it selects: allowed means all of them, denied means none', () => {
    const { app, chart, web, api } = frontAndBack();
    const admin = new netpol.Pod(chart, 'Admin', {
      metadata: { namespace: 'front', labels: { app: 'web' } },
      containers: [{ image: 'admin' }],
    });
    const analysis = netpol.analyse(app);
    const webs = netpol.Pods.select(chart, 'Webs', {
      labels: { app: 'web' },
      namespaces: netpol.Namespaces.select(chart, 'Front', { names: ['front'] }),
    });
    const result = analysis.check(webs, api, 8080);
    assert.equal(result.verdicts.length, 2);
    // web is allowed; admin is not isolated for egress but api's ingress admits web only.
    assert.deepEqual(
      result.verdicts.map((v) => [v.flow.src.kind === 'endpoint' && v.flow.src.endpoint.name, v.allowed]),
      [
        [admin.name, false],
        [web.name, true],
      ],
    );
    assert.equal(result.allowed, false);
    assert.throws(() => analysis.expectAllowed(webs, api, 8080), {
      message: /to be allowed, but:\ndenied: front\/test-admin-/,
    });
    assert.throws(() => analysis.expectDenied(webs, api, 8080), {
      message: /to be denied, but:\nallowed: front\/test-web-/,
    });
    // A selection without namespaces means the chart's namespace (here: default), where nothing runs.
    const nowhere = netpol.Pods.select(chart, 'Nowhere', { labels: { app: 'web' } });
    assert.throws(() => analysis.check(nowhere, api, 8080), {
      message: "'test/Nowhere' selects no pod among the analysed objects",
    });
    assert.throws(() => analysis.check(netpol.NetworkPolicyIpBlock.anyIpv4(chart, 'Any'), api, 8080), {
      message: "'test/Any' is an ip block, not one end of a flow: give an address as a string, e.g. '10.0.0.1'",
    });
    assert.throws(() => analysis.check(webs, api, 0), { message: 'a port is a number from 1 to 65535' });
    assert.throws(() => analysis.check(webs, api, 80, 'ICMP' as 'TCP'), {
      message: 'the protocol is TCP, UDP or SCTP, not "ICMP"',
    });
  });

  it('list() and lint() print what the CLI prints; include brings in what the app runs beside', () => {
    const { app, web, api } = frontAndBack();
    const alone = netpol.analyse(app);
    const line = `front/${web.name}[Deployment] => back/${api.name}[Deployment] : TCP 8080\n`;
    assert.equal(alone.list(), line);
    assert.equal(alone.list('csv'), `src,dst,conn\n${line.replace(' => ', ',').replace(' : ', ',')}`);
    assert.deepEqual(
      alone.findings().map((f) => [f.code, f.location.file]),
      [
        ['egress-blocks-dns', 'test/Api/DefaultDenyAll'],
        ['egress-blocks-dns', 'test/Web/DefaultDenyAll'],
      ],
    );
    assert.match(alone.lint(), /^test\/Api\/DefaultDenyAll: error\[egress-blocks-dns\]: egress isolation by back\//);
    assert.match(alone.lint(), /\n2 errors, 0 warnings, 0 notes\n$/);

    web.connections.allowDns();
    api.connections.allowDns();
    const beside = netpol.analyse(app, { include: [manifest('kube-dns.yaml', KUBE_DNS)] });
    assert.equal(beside.validate(), '9 objects valid\n');
    assert.equal(beside.lint(), '0 errors, 0 warnings, 0 notes\n');
    assert.equal(
      beside.list(),
      [
        '0.0.0.0-255.255.255.255[External] => kube-system/coredns[Deployment] : All Connections',
        `back/${api.name}[Deployment] => kube-system/coredns[Deployment] : TCP 53,UDP 53`,
        line.trimEnd(),
        `front/${web.name}[Deployment] => kube-system/coredns[Deployment] : TCP 53,UDP 53`,
        'kube-system/coredns[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections',
        '',
      ].join('\n'),
    );
    beside.expectAllowed(web, 'kube-system/coredns', 53, 'UDP');
  });

  it('a chart alone, or the whole app; cdk8s-plus objects are analysed alike', () => {
    const app = new App();
    const front = new Chart(app, 'front', { namespace: 'front' });
    const back = new Chart(app, 'back', { namespace: 'back' });
    const web = new kplus.Deployment(front, 'Web', { containers: [{ image: 'web' }] });
    const api = new kplus.Deployment(back, 'Api', { containers: [{ image: 'api', portNumber: 8080 }], isolate: true });
    api.connections.allowFrom(web);
    assert.equal(netpol.analyse(app).validate(), '5 objects valid\n');
    // allowFrom makes both policies under api, so in api's chart, whatever namespace they are for.
    assert.equal(netpol.analyse(front).validate(), '1 object valid\n');
    netpol.expectAllowed(web, api, 8080);
    netpol.expectDenied(api, web, 8080);
    // The chart's namespace is where a selection without namespaces looks.
    netpol.analyse(app).expectAllowed(kplus.Pods.all(front, 'Everyone'), api, 8080);
    assert.throws(() => netpol.analyse(front).check(web, api, 8080), {
      message: "'back/Api' selects no pod among the analysed objects",
    });
  });

  it('check() takes a container port name, resolved on each destination as `netpol check --port` resolves it', () => {
    const app = new App();
    new Chart(app, 'empty');
    const pods = manifest(
      'pods.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: x, labels: {app: api}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x}
spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: x}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{ports: [{port: 8080}]}]
`,
    );
    const analysis = netpol.analyse(app, { include: [pods] });
    // http is 8080, which the policy allows; metrics is 9090, which it does not.
    assert.equal(analysis.check('x/client', 'x/api', 'http').allowed, true);
    assert.equal(analysis.check('x/client', 'x/api', 'metrics').allowed, false);
    assert.equal(analysis.check('x/client', 'x/api', '8080').allowed, true, 'digits are a number, as on the CLI');
    analysis.expectAllowed('x/client', 'x/api', 'http');
    analysis.expectDenied('x/client', 'x/api', 'metrics');
    assert.throws(() => analysis.check('x/client', 'x/api', 'grpc'), {
      message: 'x/api has no container port named "grpc" for TCP; its named ports: http (TCP 8080), metrics (TCP 9090)',
    });
    assert.throws(() => analysis.check('x/client', 'x/api', 'http', 'UDP'), {
      message: /^x\/api has no container port named "http" for UDP/,
    });
    assert.throws(() => analysis.check('x/api', '203.0.113.9', 'http'), {
      message: 'the port name "http" resolves on a destination pod, not an address',
    });
    assert.throws(() => analysis.check('x/client', 'x/api', 'no_such'), {
      message: 'a port is a number from 1 to 65535, or a container port name such as http',
    });
  });
});
