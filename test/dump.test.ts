import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

/**
 * A kubectl dump of namespace shop (test/golden/dump/shop.yaml): Deployment web with its ReplicaSet and two
 * pods; StatefulSet db with db-0, and a debug pod that is also called db; a pod of ReplicaSet api-7f9c whose
 * Deployment is not in the dump; a completed pod of Job migrate that had api's address; a hostNetwork pod of
 * DaemonSet node-exporter. Policies: default-deny ingress; web takes its named port http from anywhere; db takes
 * postgres from web and api; api takes 9090 from web. Every expectation below is worked out from those lines.
 */
const DUMP = 'test/golden/dump/shop.yaml';

describe('a kubectl dump', () => {
  it('lists pods as their top loaded owner or their controller, without finished pods', async () => {
    const run = await runCli(['list', DUMP]);
    assert.equal(run.stderr, '');
    assert.equal(
      run.stdout,
      [
        // node-exporter is node traffic: no policy isolates it, and it is no pod to selectors.
        '0.0.0.0-255.255.255.255[External] => shop/node-exporter[DaemonSet] : All Connections',
        '0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080',
        'shop/api-7f9c[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'shop/api-7f9c[ReplicaSet] => shop/db[StatefulSet] : TCP 5432',
        'shop/api-7f9c[ReplicaSet] => shop/node-exporter[DaemonSet] : All Connections',
        'shop/api-7f9c[ReplicaSet] => shop/web[Deployment] : TCP 8080',
        'shop/db[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'shop/db[Pod] => shop/node-exporter[DaemonSet] : All Connections',
        'shop/db[Pod] => shop/web[Deployment] : TCP 8080',
        'shop/db[StatefulSet] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'shop/db[StatefulSet] => shop/node-exporter[DaemonSet] : All Connections',
        'shop/db[StatefulSet] => shop/web[Deployment] : TCP 8080',
        'shop/node-exporter[DaemonSet] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'shop/node-exporter[DaemonSet] => shop/web[Deployment] : TCP 8080',
        'shop/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'shop/web[Deployment] => shop/api-7f9c[ReplicaSet] : TCP 9090',
        'shop/web[Deployment] => shop/db[StatefulSet] : TCP 5432',
        'shop/web[Deployment] => shop/node-exporter[DaemonSet] : All Connections',
        '',
      ].join('\n'),
    );
  });

  it('with --host-network-pods pod, takes node-exporter as a pod that default-deny isolates', async () => {
    const run = await runCli(['list', DUMP, '--host-network-pods', 'pod']);
    const lines = run.stdout.split('\n').filter((l) => l.includes('node-exporter'));
    assert.deepEqual(lines, [
      'shop/node-exporter[DaemonSet] => 0.0.0.0-255.255.255.255[External] : All Connections',
      'shop/node-exporter[DaemonSet] => shop/web[Deployment] : TCP 8080',
    ]);
    const check = await runCli(['check', DUMP, '--from', 'shop/web', '--to', 'shop/node-exporter', '--port', '9100']);
    assert.equal(check.code, 0, 'node traffic by default');
    const asPod = await runCli([
      ...['check', DUMP, '--from', 'shop/web', '--to', 'shop/node-exporter[DaemonSet]', '--port', '9100'],
      ...['--host-network-pods', 'pod'],
    ]);
    assert.equal(asPod.code, 1);
    assert.match(asPod.stdout, /isolated by NetworkPolicy shop\/default-deny/);
  });

  it('check takes what list prints, a pod, or an address, and a named port of the destination', async () => {
    const byWorkload = await runCli([
      'check',
      DUMP,
      '--from',
      'shop/web',
      '--to',
      'shop/db[StatefulSet]',
      '--port',
      'postgres',
    ]);
    assert.equal(byWorkload.code, 0);
    assert.match(
      byWorkload.stdout,
      /^allowed: shop\/web-5d4f-aaaaa \(10\.244\.1\.10\) => shop\/db-0 \(10\.244\.1\.20\) on TCP 5432\n/,
    );
    const byController = await runCli([
      'check',
      DUMP,
      '--from',
      'shop/api-7f9c[ReplicaSet]',
      '--to',
      'shop/db-0',
      '--port',
      '5432',
    ]);
    assert.equal(byController.code, 0);
    // 10.244.1.9 was the completed migrate pod's; it is api's now.
    const byAddress = await runCli(['check', DUMP, '--from', '10.244.1.9', '--to', 'shop/web', '--port', 'http']);
    assert.match(
      byAddress.stdout,
      /^allowed: shop\/api-7f9c-ccccc \(10\.244\.1\.9\) => shop\/web-5d4f-aaaaa \(10\.244\.1\.10\) on TCP 8080\n/,
    );
    const debugPod = await runCli([
      'check',
      DUMP,
      '--from',
      'shop/db[Pod]',
      '--to',
      'shop/db[StatefulSet]',
      '--port',
      'postgres',
    ]);
    assert.equal(debugPod.code, 1);
  });

  it('check refuses a name that fits two things, or a port name the destination lacks', async () => {
    const ambiguous = await runCli(['check', DUMP, '--from', 'shop/web', '--to', 'shop/db', '--port', 'postgres']);
    assert.equal(ambiguous.code, 2);
    assert.equal(
      ambiguous.stderr,
      'netpol: "shop/db" names 2 things: say which, as shop/db[Pod] or shop/db[StatefulSet]\n',
    );
    const noPort = await runCli(['check', DUMP, '--from', 'shop/db[Pod]', '--to', 'shop/web', '--port', 'https']);
    assert.equal(noPort.code, 2);
    assert.equal(
      noPort.stderr,
      'netpol: shop/web-5d4f-aaaaa has no container port named "https" for TCP; its named ports: http (TCP 8080)\n',
    );
    const external = await runCli(['check', DUMP, '--from', 'shop/web', '--to', '203.0.113.1', '--port', 'http']);
    assert.equal(external.stderr, 'netpol: the port name "http" resolves on a destination pod, not an address\n');
    const badName = await runCli(['check', DUMP, '--from', 'shop/web', '--to', 'shop/db-0', '--port', 'Postgres_1']);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /a port is a number from 1 to 65535, or a container port name such as http/);
  });

  it("check asks for one pod when a workload's pods differ in labels", async () => {
    const yaml = [1, 2]
      .map(
        (i) =>
          `apiVersion: v1\nkind: Pod\nmetadata: {name: w-${i}, namespace: x, labels: {track: t${i}}, ` +
          `ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: w, controller: true, uid: u}]}\n` +
          `spec: {containers: [{name: c}]}`,
      )
      .join('\n---\n');
    const run = await runCli(['check', '-', '--from', 'x/w', '--to', 'x/w-1', '--port', '80'], yaml);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'netpol: x/w[ReplicaSet] stands for 2 pods that policies tell apart (their labels or ports differ): ' +
        'name one, as x/w-1 or x/w-2\n',
    );
  });

  it('matrix takes --from and --to as list names them, and resolves a port name on each destination', async () => {
    const run = await runCli([
      ...['matrix', DUMP, '--port', 'postgres', '--from', 'shop/web'],
      ...['--to', 'shop/db[StatefulSet]', '--to', 'shop/api-7f9c'],
    ]);
    assert.equal(run.code, 0);
    assert.equal(
      run.stdout,
      '-\tshop/api-7f9c-ccccc\tshop/db-0\nshop/web-5d4f-aaaaa\tX\t.\nshop/web-5d4f-bbbbb\tX\t.\n',
    );
    assert.equal(
      run.stderr,
      'netpol: no container port named "postgres" for TCP on shop/api-7f9c-ccccc: their columns are X\n',
    );
  });

  it('warns when two running pods hold one address', async () => {
    const yaml = ['a', 'b']
      .map(
        (name) =>
          `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: x}\nspec: {containers: [{name: c}]}\n` +
          'status: {phase: Running, podIP: 10.0.0.5}',
      )
      .join('\n---\n');
    const run = await runCli(['list', '-'], yaml);
    assert.equal(run.code, 0);
    assert.equal(
      run.stderr,
      '<stdin>:7: warning: Pod x/b: 10.0.0.5 is also the address of Pod x/a, and both are running; ' +
        'the address stands for x/b\n',
    );
  });
  it('offers --host-network-pods on every analysis command, and not where rules are enforced', async () => {
    for (const command of [['check'], ['matrix'], ['list'], ['diff'], ['lint'], ['exposure']]) {
      const help = await runCli([...command, '--help']);
      assert.match(help.stdout, /--host-network-pods <model>/, command.join(' '));
    }
    for (const command of [['render', 'nftables'], ['agent']]) {
      const help = await runCli([...command, '--help']);
      assert.doesNotMatch(help.stdout, /--host-network-pods/, command.join(' '));
    }
    const bad = await runCli(['list', DUMP, '--host-network-pods', 'node-ish']);
    assert.equal(bad.code, 2);
  });
});
