// A small shop written with netpol/cdk8s: three tiers, each isolated, then opened connection by connection.
import { App, Chart } from 'cdk8s';
import * as kplus from 'netpol/cdk8s';

export function shop() {
  const app = new App();
  const chart = new Chart(app, 'shop');
  for (const name of ['storefront', 'backend', 'data']) new kplus.Namespace(chart, name, { metadata: { name } });

  const web = new kplus.Deployment(chart, 'Web', {
    metadata: { name: 'web', namespace: 'storefront' },
    containers: [{ image: 'shop/web', ports: [{ number: 8080, name: 'http' }] }],
    isolate: true,
  });
  const api = new kplus.Deployment(chart, 'Api', {
    metadata: { name: 'api', namespace: 'backend' },
    containers: [{ image: 'shop/api', portNumber: 8080, ports: [{ number: 9090, name: 'metrics' }] }],
    isolate: true,
  });
  const db = new kplus.StatefulSet(chart, 'Db', {
    metadata: { name: 'db', namespace: 'data' },
    containers: [{ image: 'postgres', portNumber: 5432 }],
    isolate: true,
  });
  const statsd = new kplus.DaemonSet(chart, 'Statsd', {
    metadata: { name: 'statsd', namespace: 'backend' },
    containers: [{ image: 'statsd', ports: [{ number: 8125, name: 'statsd', protocol: kplus.Protocol.UDP }] }],
    isolate: true,
  });
  // Isolation covers egress, DNS included: every workload needs its way to kube-dns back.
  for (const workload of [web, api, db, statsd]) workload.connections.allowDns();

  // Anyone may reach the storefront, on its container port.
  web.connections.allowFrom(kplus.NetworkPolicyIpBlock.anyIpv4(chart, 'Internet'));
  web.connections.allowTo(api, { ports: [kplus.NetworkPolicyPort.tcp(8080)] });
  api.connections.allowTo(db);
  // statsd listens on UDP: the rules are UDP (cdk8s-plus would write TCP 8125 and the metrics would be dropped).
  web.connections.allowTo(statsd);
  api.connections.allowTo(statsd);
  api.connections.allowTo(kplus.NetworkPolicyIpBlock.ipv4(chart, 'PaymentProvider', '203.0.113.0/24'), {
    ports: [kplus.NetworkPolicyPort.tcp(443)],
  });

  // Scraping by name: the metrics port is whatever the api container calls `metrics`.
  const prometheus = kplus.Pods.select(chart, 'Prometheus', {
    labels: { 'app.kubernetes.io/name': 'prometheus' },
    namespaces: kplus.Namespaces.select(chart, 'Monitoring', { names: ['monitoring'] }),
  });
  const legacyMonitoring = kplus.NetworkPolicyIpBlock.ipv4(chart, 'LegacyMonitoring', '192.0.2.0/28');
  new kplus.NetworkPolicy(chart, 'Scraping', {
    selector: api,
    ingress: { rules: [{ peers: [prometheus, legacyMonitoring], ports: [kplus.NetworkPolicyPort.tcp('metrics')] }] },
  });

  return { app, web, api, db, statsd };
}

/** The manifests of what the shop runs beside, for the analysis. */
export const CLUSTER = [new URL('cluster/', import.meta.url).pathname];
