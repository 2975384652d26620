// Interop: netpol's NetworkPolicy and PodConnections take cdk8s-plus's pods, workloads, Pods and Namespaces, so a
// cdk8s-plus user can switch policy by policy; and cdk8s-plus's NetworkPolicy takes netpol's, since both speak the
// same selector and peer methods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import * as netpol from 'netpol/cdk8s';
import { assertValid, byKind, canonical, objectsOf } from './testing/synth.js';

/** cdk8s-plus workloads and selections; the policy made by `policies`. */
function kplusWorkloads(policies: typeof kplus | typeof netpol) {
  const app = new App();
  const chart = new Chart(app, 'test');
  const api = new kplus.Deployment(chart, 'Api', {
    metadata: { namespace: 'back' },
    containers: [{ image: 'api', portNumber: 8080 }],
  });
  const web = new kplus.Pod(chart, 'Web', { metadata: { namespace: 'front' }, containers: [{ image: 'web' }] });
  const monitoring = kplus.Namespaces.select(chart, 'Monitoring', { names: ['monitoring', 'ops'] });
  const scrapers = kplus.Pods.select(chart, 'Scrapers', { labels: { app: 'prometheus' }, namespaces: monitoring });
  const frontend = new kplus.Namespace(chart, 'Frontend', { metadata: { name: 'front' } });
  const P = policies as typeof netpol;
  const policy = new P.NetworkPolicy(chart, 'ApiPolicy', {
    selector: api,
    metadata: { namespace: 'back' },
    ingress: { rules: [{ peer: web, ports: [P.NetworkPolicyPort.tcp(8080)] }] },
  });
  policy.addIngressRule(scrapers, [P.NetworkPolicyPort.tcp(9090)]);
  policy.addIngressRule(monitoring);
  policy.addEgressRule(frontend);
  return { app, api, web };
}

describe('interop with cdk8s-plus-33', () => {
  it("netpol's NetworkPolicy takes cdk8s-plus's pods, workloads, Pods, Namespaces and Namespace", () => {
    // Type level: cdk8s-plus's constructs are netpol selectors and peers.
    const chart = new Chart(new App(), 'types');
    const selector: netpol.IPodSelector = new kplus.Pod(chart, 'Pod', { containers: [{ image: 'x' }] });
    const peers: netpol.INetworkPolicyPeer[] = [
      kplus.Namespaces.all(chart, 'All'),
      new kplus.Namespace(chart, 'Ns'),
      kplus.Pods.all(chart, 'Pods'),
      kplus.NetworkPolicyIpBlock.anyIpv4(chart, 'Any'),
    ];
    assert.ok(selector && peers.length === 4);

    const theirs = objectsOf(kplusWorkloads(kplus).app);
    const ours = kplusWorkloads(netpol);
    const objects = objectsOf(ours.app);
    assert.deepEqual(canonical(objects), canonical(theirs));
    assertValid(objects);
    const [policy] = byKind(objects, 'NetworkPolicy') as any[];
    assert.deepEqual(policy.spec.ingress[1].from, [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { app: 'prometheus' } },
      },
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } },
        podSelector: { matchLabels: { app: 'prometheus' } },
      },
    ]);
    netpol.expectAllowed(ours.web, ours.api, 8080);
    netpol.expectDenied(ours.web, ours.api, 9090);
  });

  it("PodConnections over a cdk8s-plus workload: cdk8s-plus's allowTo with the protocol kept", () => {
    const program = (connections: (pod: kplus.AbstractPod) => { allowTo(peer: kplus.StatefulSet): void }) => {
      const chart = new Chart(new App(), 'test');
      const web = new kplus.Deployment(chart, 'Web', { containers: [{ image: 'web' }] });
      const dns = new kplus.StatefulSet(chart, 'Dns', {
        containers: [{ image: 'dns', ports: [{ number: 53, protocol: kplus.Protocol.UDP, name: 'dns' }] }],
      });
      connections(web).allowTo(dns);
      return byKind(chart.toJson(), 'NetworkPolicy').map((p: any) => p.spec);
    };
    const theirs = program((pod) => (pod as kplus.Deployment).connections);
    const ours = program((pod) => new netpol.PodConnections(pod));
    assert.deepEqual(theirs[0].egress[0].ports, [{ port: 53, protocol: 'TCP' }]);
    assert.deepEqual(ours[0].egress[0].ports, [{ port: 53, protocol: 'UDP' }]);
    assert.deepEqual(ours[1].ingress[0].ports, [{ port: 53, protocol: 'UDP' }]);
    // Everything else as cdk8s-plus has it.
    const portless = (spec: any) => JSON.stringify(spec).replace(/"protocol":"(TCP|UDP)"/g, '');
    assert.deepEqual(ours.map(portless), theirs.map(portless));
  });

  it("cdk8s-plus's NetworkPolicy takes netpol's pods and selections too", () => {
    const program = (L: typeof kplus | typeof netpol) => {
      const app = new App();
      const chart = new Chart(app, 'test');
      const web = new L.Pod(chart, 'Web', { containers: [{ image: 'web' }] });
      const dbs = L.Pods.select(chart, 'Dbs', { labels: { app: 'db' } });
      const policy = new kplus.NetworkPolicy(chart, 'P', { selector: web as kplus.Pod });
      policy.addEgressRule(dbs as kplus.Pods, [kplus.NetworkPolicyPort.tcp(5432)]);
      return objectsOf(app);
    };
    assert.deepEqual(canonical(program(netpol)), canonical(program(kplus)));
  });
});
