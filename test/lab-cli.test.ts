import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Lab } from '../src/dataplane/lab/lab.js';
import { parseTruthTable } from '../src/engine/truthtable.js';
import { runCli } from './support/cli.js';
import { requireKernelTools } from './support/root.js';

/**
 * The lab as a user drives it: up from the shop example, probe, apply a
 * change that the node agents take as a delta, probe again, and down twice.
 * The expected cells come from reading examples/shop/policies by hand.
 */
const NAME = 'clitest';
const LEGACY = 'legacy';
const IRONCORE = 'ironcore';
const NODE = 'hostnet';
const scratch = mkdtempSync(join(tmpdir(), 'netpol-lab-cli-'));

const labNamespaces = (): string[] =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.startsWith(`npl-${NAME}-`));
const allowed = (stdout: string, from: string, to: string): boolean | undefined => {
  const table = parseTruthTable(
    stdout
      .split('\n')
      .filter((line) => line.includes('\t'))
      .join('\n'),
  );
  return table.cells[table.sources.indexOf(from)]?.[table.destinations.indexOf(to)];
};

describe('netpol lab, from the command line', () => {
  before(async () => {
    requireKernelTools();
    await runCli(['lab', 'down', '--name', NAME]);
  });
  after(async () => {
    await runCli(['lab', 'down', '--name', NAME]);
    await runCli(['lab', 'down', '--name', LEGACY]);
    await runCli(['lab', 'down', '--name', IRONCORE]);
    await runCli(['lab', 'down', '--name', NODE]);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('enforces legacy namespace isolation on real packets', async () => {
    await runCli(['lab', 'down', '--name', LEGACY]);
    const up = await runCli(['lab', 'up', 'examples/legacy', '--name', LEGACY, '--semantics', 'legacy']);
    assert.equal(up.code, 0, up.stderr);
    const probe = await runCli(['lab', 'probe', '--port', '6379', '--name', LEGACY]);
    assert.equal(probe.code, 0, probe.stdout);
    // The table of test/legacy.test.ts, written from the manifests by hand: only shop isolates.
    for (const [from, to, expected] of [
      ['lab/web', 'shop/db', true],
      ['shop/frontend', 'shop/db', true],
      ['lab/web', 'shop/frontend', false],
      ['shop/db', 'shop/frontend', false],
      ['shop/db', 'lab/web', true],
      ['lab/web', 'lab/tool', true],
    ] as const) {
      assert.equal(allowed(probe.stdout, from, to), expected, `${from} -> ${to}`);
    }
    assert.equal((await runCli(['lab', 'down', '--name', LEGACY])).code, 0);
  });

  it('enforces an Ironcore policy between network interfaces on real packets', async () => {
    await runCli(['lab', 'down', '--name', IRONCORE]);
    const up = await runCli(['lab', 'up', 'examples/ironcore/shop', '--name', IRONCORE]);
    assert.equal(up.code, 0, up.stderr);
    // db-0 on pool-a and web-0 on pool-b by their machines; web-other, bound to none, on the lab's own node.
    assert.match(up.stdout, /lab ironcore is up: 3 nodes, 3 endpoints/);
    const db = 'default/db-0[NetworkInterface]';
    const web = 'default/web-0[NetworkInterface]';
    const other = 'default/web-other[NetworkInterface]';
    const postgres = await runCli(['lab', 'probe', '--port', '5432', '--name', IRONCORE]);
    assert.equal(postgres.code, 0, postgres.stdout);
    assert.match(
      postgres.stdout,
      /not probed: default\/other-lb\[LoadBalancer\], default\/web-lb\[LoadBalancer\], default\/web-vip\[VirtualIP\]/,
    );
    // Hand-read from the seed's policy: app=web interfaces of my-network reach db-0 on 5432; web-other is of
    // another network.
    assert.equal(allowed(postgres.stdout, web, db), true);
    assert.equal(allowed(postgres.stdout, other, db), false);
    assert.equal(allowed(postgres.stdout, db, web), false, 'db-0 sends only TCP 8080');
    assert.equal(allowed(postgres.stdout, other, web), true, 'nothing isolates web-0');
    const http = await runCli(['lab', 'probe', '--port', '8080', '--name', IRONCORE]);
    assert.equal(http.code, 0, http.stdout);
    assert.equal(allowed(http.stdout, db, web), true, '10.0.0.20 is in 10.0.0.0/24');
    assert.equal(allowed(http.stdout, db, other), false, '10.0.9.20 is not');
    assert.equal(allowed(http.stdout, web, db), false, 'ingress is 5432 only');
    assert.equal((await runCli(['lab', 'down', '--name', IRONCORE])).code, 0);
  });

  it("hosts a hostNetwork pod in its node's network, and enforces pods' egress to their own node", async () => {
    // test/fixtures/lab/node-traffic.yaml, read by hand: node-exporter runs in n1's network, with n1's address.
    // client (on n1, egress isolated to web on 80) may still reach its own node, as the evaluator allows it, unless
    // --no-local-node-egress; web (on n1, not isolated) meets the baseline's deny on 9101; other (on n2, its egress
    // isolated to ports named metrics) reaches node-exporter's metrics port and nothing else.
    const fixture = 'test/fixtures/lab/node-traffic.yaml';
    const exporter = 'monitoring/node-exporter';
    await runCli(['lab', 'down', '--name', NODE]);
    const up = await runCli(['lab', 'up', fixture, '--name', NODE]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /lab hostnet is up: 2 nodes, 4 endpoints/);
    const metrics = await runCli(['lab', 'probe', '--port', '9100', '--name', NODE]);
    assert.equal(metrics.code, 0, metrics.stdout);
    assert.match(metrics.stdout, /matches the engine's prediction on all 12 pairs/);
    for (const [from, to, expected] of [
      ['app/client', exporter, true], // the input hook: isolated, but its own node
      ['app/web', exporter, true],
      ['app/other', exporter, true], // from n2: the named port resolves on node-exporter, as for check
      ['app/other', 'app/web', false], // web has no port named metrics
      [exporter, 'app/web', true], // node traffic: no pod's ingress is isolated against its node
      [exporter, 'app/other', true],
      ['app/client', 'app/other', false],
    ] as const) {
      assert.equal(allowed(metrics.stdout, from, to), expected, `9100: ${from} -> ${to}`);
    }
    const debug = await runCli(['lab', 'probe', '--port', '9101', '--name', NODE]);
    assert.equal(debug.code, 0, debug.stdout);
    for (const [from, to, expected] of [
      ['app/client', exporter, true], // its namespaced policies decide, and allow its own node: no baseline
      ['app/web', exporter, false], // the baseline's deny, in n1's input hook
      ['app/other', exporter, false], // not its metrics port, in n2's forward hook
    ] as const) {
      assert.equal(allowed(debug.stdout, from, to), expected, `9101: ${from} -> ${to}`);
    }
    assert.equal((await runCli(['lab', 'down', '--name', NODE])).code, 0);

    const strict = await runCli(['lab', 'up', fixture, '--name', NODE, '--no-local-node-egress']);
    assert.equal(strict.code, 0, strict.stderr);
    const strictProbe = await runCli(['lab', 'probe', '--port', '9100', '--name', NODE]);
    assert.equal(strictProbe.code, 0, strictProbe.stdout);
    assert.equal(allowed(strictProbe.stdout, 'app/client', exporter), false, 'its policy allows only web on 80');
    assert.equal(allowed(strictProbe.stdout, 'app/web', exporter), true, 'web is not isolated');
    assert.equal((await runCli(['lab', 'down', '--name', NODE])).code, 0);
  });

  it('builds the shop, probes it, takes a change through the agents, and goes down without a trace', async () => {
    const up = await runCli(['lab', 'up', 'examples/shop', '--name', NAME]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /lab clitest is up: 1 node, 8 endpoints/);
    const agents = Object.values(
      (JSON.parse(readFileSync(join(Lab.dir(NAME), 'state.json'), 'utf8')) as { nodeAgents: Record<string, number> })
        .nodeAgents,
    );
    assert.equal(agents.length, 1);

    const first = await runCli(['lab', 'probe', '--port', '8080', '--name', NAME]);
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /matches the engine's prediction on all 56 pairs/);
    // policy frontend: ingress on its http port from anywhere; egress to cart and checkout on 8080.
    assert.equal(allowed(first.stdout, 'monitoring/prometheus', 'shop/frontend'), true);
    assert.equal(allowed(first.stdout, 'shop/frontend', 'shop/cart'), true);
    assert.equal(allowed(first.stdout, 'shop/cart', 'shop/frontend'), false);
    // No policy isolates coredns or prometheus, and neither listens on 8080: the reset proves the packet got through.
    assert.equal(allowed(first.stdout, 'kube-system/coredns', 'monitoring/prometheus'), true);
    assert.match(first.stdout, /2 pairs reached a port nothing listens on \(refused, not dropped\)/);

    // The frontend stops taking traffic from anyone.
    const change = join(scratch, 'frontend.yaml');
    const frontend = readFileSync('examples/shop/policies/10-app.yaml', 'utf8').split('\n---\n')[0]!;
    writeFileSync(change, frontend.replace(/  ingress:\n    - ports:\n        - port: http\n/, '  ingress: []\n'));
    const apply = await runCli(['lab', 'apply', change, '--name', NAME]);
    assert.equal(apply.code, 0, apply.stderr);
    const status = JSON.parse(readFileSync(join(Lab.dir(NAME), 'agent-lab-node-1.json'), 'utf8')) as {
      applied: number;
      lastCommands: number;
    };
    assert.ok(status.applied >= 2 && status.lastCommands > 0, JSON.stringify(status));

    const second = await runCli(['lab', 'probe', '--port', '8080', '--name', NAME]);
    assert.equal(second.code, 0, second.stdout);
    assert.equal(allowed(second.stdout, 'monitoring/prometheus', 'shop/frontend'), false);
    assert.equal(allowed(second.stdout, 'kube-system/coredns', 'shop/frontend'), false);
    assert.equal(allowed(second.stdout, 'shop/frontend', 'shop/cart'), true);

    const udp = await runCli(['lab', 'probe', '--port', '53', '--protocol', 'SCTP', '--name', NAME]);
    assert.equal(udp.code, 3, 'SCTP is not run');
    assert.match(udp.stdout, /not run/);

    for (let i = 0; i < 2; i++) {
      const down = await runCli(['lab', 'down', '--name', NAME]);
      assert.equal(down.code, 0, down.stderr);
    }
    assert.deepEqual(labNamespaces(), []);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const pid of agents) assert.throws(() => process.kill(pid, 0), `node agent ${pid} still runs`);
  });
});
