import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

const FILE = 'test/golden/tiers/egress-control.yaml';

/**
 * An admin ClusterNetworkPolicy on shop's egress: Accept to *.payments.example on TCP 443 (line 21), Pass to
 * any pod (line 25), Deny to 0.0.0.0/0 (line 28); a NetworkPolicy isolates ops/tool for ingress, from shop on
 * 8080 only (line 32, rule at 37). Every expectation below is read off those lines by hand.
 */
describe('the tiers in check and list', () => {
  it('check names the admin rule that denied, and the DNS-named rule met on the way', async () => {
    const run = await runCli(['check', FILE, '--from', 'shop/web', '--to', '203.0.113.5', '--port', '443']);
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout,
      'denied: shop/web (10.0.0.1) => 203.0.113.5 (external) on TCP 443\n' +
        '  egress from shop/web: denied\n' +
        '    denied by ClusterNetworkPolicy egress-control (admin tier, priority 20) ' +
        `egress[2] "deny-internet" (${FILE}:28)\n` +
        '    depends on DNS: ClusterNetworkPolicy egress-control (admin tier, priority 20) ' +
        `egress[0] "allow-payments-api" (${FILE}:21) ` +
        'allows it if 203.0.113.5 is an address of *.payments.example, which only DNS can tell\n' +
        '  ingress to 203.0.113.5: allowed: not an endpoint, so no NetworkPolicy applies\n',
    );
  });

  it('check walks a pass on to the NetworkPolicy that decides', async () => {
    const run = await runCli(['check', FILE, '--from', 'shop/web', '--to', 'ops/tool', '--port', '9090']);
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout,
      'denied: shop/web (10.0.0.1) => ops/tool (10.0.0.2) on TCP 9090\n' +
        '  egress from shop/web: allowed\n' +
        '    passed on to the namespaced policies by ClusterNetworkPolicy egress-control (admin tier, priority 20) ' +
        `egress[1] "pass-cluster" (${FILE}:25)\n` +
        '    no NetworkPolicy isolates it for egress and no baseline rule matches: the default allows\n' +
        '  ingress to ops/tool: denied\n' +
        `    isolated by NetworkPolicy ops/tool-in (${FILE}:32)\n` +
        '    no ingress rule of this policy allows shop/web on TCP 9090\n',
    );
    const json = JSON.parse(
      (await runCli(['check', FILE, '--from', 'shop/web', '--to', 'ops/tool', '--port', '9090', '-o', 'json'])).stdout,
    );
    assert.deepEqual(
      json.egress.passedBy.map((r: { tier: string; priority: number; action: string; name: string; line: number }) => [
        r.tier,
        r.priority,
        r.action,
        r.name,
        r.line,
      ]),
      [['admin', 20, 'pass', 'pass-cluster', 25]],
    );
  });

  it('list says what the DNS names may reach, apart from the address ranges the deny covers', async () => {
    const run = await runCli(['list', FILE]);
    assert.equal(run.code, 0);
    assert.equal(
      run.stdout,
      '0.0.0.0-255.255.255.255[External] => shop/web[Pod] : All Connections\n' +
        'ops/tool[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n' +
        'ops/tool[Pod] => shop/web[Pod] : All Connections\n' +
        'shop/web[Pod] => *.payments.example[Domain] : TCP 443\n' +
        'shop/web[Pod] => ops/tool[Pod] : TCP 8080\n',
    );
  });

  it('list leaves out the addresses of the nodes an admin rule denies, as check does', async () => {
    const nodes = 'test/fixtures/tiers/node-peers.yaml';
    const list = await runCli(['list', nodes]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(
      list.stdout,
      '0.0.0.0-255.255.255.255[External] => shop/db[Pod] : All Connections\n' +
        'shop/db[Pod] => 0.0.0.0-192.168.5.9[External] : All Connections\n' +
        'shop/db[Pod] => 192.168.5.11-255.255.255.255[External] : All Connections\n',
    );
    const worker = await runCli(['check', nodes, '--from', 'shop/db', '--to', '192.168.5.10', '--port', '22']);
    assert.equal(worker.code, 1);
    assert.match(
      worker.stdout,
      new RegExp(`denied by AdminNetworkPolicy no-workers .*"deny-workers" \\(${nodes}:21\\)`),
    );
    const infra = await runCli(['check', nodes, '--from', 'shop/db', '--to', '192.168.5.20', '--port', '22']);
    assert.equal(infra.code, 0, infra.stdout);
  });
});
