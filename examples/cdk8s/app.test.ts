// The shop's connectivity, asserted through analyse(): the test a team would keep beside its cdk8s app.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyse } from 'netpol/cdk8s';
import { CLUSTER, shop } from './app.js';

describe('examples/cdk8s: the shop', () => {
  const { app, web, api, db, statsd } = shop();
  const analysis = analyse(app, { include: CLUSTER });

  it('synthesises objects the API server accepts, and nothing a linter would flag', () => {
    assert.equal(analysis.validate(), '28 objects valid, 1 skipped\n');
    assert.equal(analysis.lint(), '0 errors, 0 warnings, 0 notes\n');
  });

  it('lets each tier reach the next, and nothing else', () => {
    analysis.expectAllowed('198.51.100.7', web, 8080);
    analysis.expectDenied('198.51.100.7', api, 8080);
    analysis.expectAllowed(web, api, 8080);
    analysis.expectDenied(web, api, 9090);
    analysis.expectDenied(web, db, 5432);
    analysis.expectAllowed(api, db, 5432);
    analysis.expectDenied(db, api, 8080);
    analysis.expectAllowed(api, '203.0.113.10', 443);
    analysis.expectDenied(web, '203.0.113.10', 443);
  });

  it('sends metrics over UDP, and lets Prometheus scrape the port named metrics', () => {
    analysis.expectAllowed(web, statsd, 8125, 'UDP');
    analysis.expectAllowed(api, statsd, 8125, 'UDP');
    analysis.expectDenied(api, statsd, 8125, 'TCP');
    analysis.expectAllowed('monitoring/prometheus', api, 9090);
    analysis.expectAllowed('192.0.2.5', api, 9090);
    analysis.expectDenied('192.0.2.16', api, 9090);
    analysis.expectDenied('monitoring/prometheus', web, 8080);
  });

  it('resolves names from every workload, though every one is isolated', () => {
    for (const workload of [web, api, db, statsd]) {
      analysis.expectAllowed(workload, 'kube-system/coredns', 53, 'UDP');
      analysis.expectAllowed(workload, 'kube-system/coredns', 53, 'TCP');
    }
  });

  it('lists the whole connectivity', () => {
    const coredns = 'kube-system/coredns[Deployment]';
    const prometheus = 'monitoring/prometheus[Deployment]';
    const webLine = 'storefront/web[Deployment]';
    const apiLine = 'backend/api[Deployment]';
    const everyone = ['0.0.0.0-192.0.1.255', '192.0.2.0-192.0.2.15', '192.0.2.16-255.255.255.255'];
    const everywhere = ['0.0.0.0-203.0.112.255', '203.0.113.0-203.0.113.255', '203.0.114.0-255.255.255.255'];
    const expected = [
      ...everyone.flatMap((source) => [
        ...(source === '192.0.2.0-192.0.2.15' ? [`${source}[External] => ${apiLine} : TCP 9090`] : []),
        `${source}[External] => ${coredns} : All Connections`,
        `${source}[External] => ${prometheus} : All Connections`,
        `${source}[External] => ${webLine} : TCP 8080`,
      ]),
      `${apiLine} => 203.0.113.0-203.0.113.255[External] : TCP 443`,
      `${apiLine} => backend/statsd[DaemonSet] : UDP 8125`,
      `${apiLine} => data/db[StatefulSet] : TCP 5432`,
      `${apiLine} => ${coredns} : TCP 53,UDP 53`,
      `backend/statsd[DaemonSet] => ${coredns} : TCP 53,UDP 53`,
      `data/db[StatefulSet] => ${coredns} : TCP 53,UDP 53`,
      ...everywhere.map((range) => `${coredns} => ${range}[External] : All Connections`),
      `${coredns} => ${prometheus} : All Connections`,
      ...everywhere.map((range) => `${prometheus} => ${range}[External] : All Connections`),
      `${prometheus} => ${apiLine} : TCP 9090`,
      `${prometheus} => ${coredns} : All Connections`,
      `${webLine} => ${apiLine} : TCP 8080`,
      `${webLine} => backend/statsd[DaemonSet] : UDP 8125`,
      `${webLine} => ${coredns} : TCP 53,UDP 53`,
    ];
    assert.equal(analysis.list(), `${expected.join('\n')}\n`);
  });
});
