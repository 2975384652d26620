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
 * `lab up --source api` as a user drives it: the node agents follow the lab's API server, `lab apply` writes
 * through the API, kubectl reads the same server, and `lab down` stops the server with the agents.
 */
const NAME = 'apicli';
const IRONCORE = 'apiiron';
const scratch = mkdtempSync(join(tmpdir(), 'netpol-lab-api-'));

const allowed = (stdout: string, from: string, to: string): boolean | undefined => {
  const table = parseTruthTable(
    stdout
      .split('\n')
      .filter((line) => line.includes('\t'))
      .join('\n'),
  );
  return table.cells[table.sources.indexOf(from)]?.[table.destinations.indexOf(to)];
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('netpol lab up --source api', () => {
  before(async () => {
    requireKernelTools();
    await runCli(['lab', 'down', '--name', NAME]);
  });
  after(async () => {
    await runCli(['lab', 'down', '--name', NAME]);
    await runCli(['lab', 'down', '--name', IRONCORE]);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('builds the shop on the API, takes a change written through it, and goes down with its server', async () => {
    const up = await runCli(['lab', 'up', 'examples/shop', '--name', NAME, '--source', 'api']);
    assert.equal(up.code, 0, up.stderr);
    const kubeconfig = join(Lab.dir(NAME), 'kubeconfig');
    assert.equal(
      up.stdout,
      `lab ${NAME} is up: 1 node, 8 endpoints; its API server: kubectl --kubeconfig ${kubeconfig}\n`,
    );
    const state = JSON.parse(readFileSync(join(Lab.dir(NAME), 'state.json'), 'utf8')) as {
      nodeAgents: Record<string, number>;
      apiServer: { pid: number; url: string };
    };
    assert.match(state.apiServer.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'on the loopback address only');

    const first = await runCli(['lab', 'probe', '--port', '8080', '--name', NAME]);
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /matches the engine's prediction on all 56 pairs/);
    // policy frontend: ingress on its http port from anywhere; egress to cart and checkout on 8080.
    assert.equal(allowed(first.stdout, 'monitoring/prometheus', 'shop/frontend'), true);
    assert.equal(allowed(first.stdout, 'shop/cart', 'shop/frontend'), false);

    // The frontend stops taking traffic from anyone: written to the API server, read back by kubectl.
    const change = join(scratch, 'frontend.yaml');
    const frontend = readFileSync('examples/shop/policies/10-app.yaml', 'utf8').split('\n---\n')[0]!;
    writeFileSync(change, frontend.replace(/  ingress:\n    - ports:\n        - port: http\n/, '  ingress: []\n'));
    const apply = await runCli(['lab', 'apply', change, '--name', NAME]);
    assert.equal(apply.code, 0, apply.stderr);
    const got = spawnSync(
      'kubectl',
      ['--kubeconfig', kubeconfig, 'get', 'networkpolicy', 'frontend', '-n', 'shop', '-o', 'json'],
      {
        encoding: 'utf8',
      },
    );
    if (got.error) throw new Error('kubectl is not installed: apt-get install kubernetes-client');
    assert.equal(got.status, 0, got.stderr);
    assert.deepEqual((JSON.parse(got.stdout) as { spec: { ingress: unknown } }).spec.ingress, []);
    const pods = spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-n', 'shop', '-o', 'name'], {
      encoding: 'utf8',
    });
    // Five Deployments and the redis StatefulSet of examples/shop/workloads/shop.yaml: the lab runs one pod each.
    assert.equal(pods.stdout.split('\n').filter(Boolean).length, 6, 'each workload a Pod on the API server');

    const second = await runCli(['lab', 'probe', '--port', '8080', '--name', NAME]);
    assert.equal(second.code, 0, second.stdout);
    assert.equal(allowed(second.stdout, 'monitoring/prometheus', 'shop/frontend'), false);
    assert.equal(allowed(second.stdout, 'shop/frontend', 'shop/cart'), true);

    assert.equal((await runCli(['lab', 'down', '--name', NAME])).code, 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const pid of [state.apiServer.pid, ...Object.values(state.nodeAgents)])
      assert.equal(alive(pid), false, `process ${pid} still runs`);
  });

  it('enforces an Ironcore policy between interfaces written through the API', async () => {
    await runCli(['lab', 'down', '--name', IRONCORE]);
    const up = await runCli(['lab', 'up', 'examples/ironcore/shop', '--name', IRONCORE, '--source', 'api']);
    assert.equal(up.code, 0, up.stderr);
    const db = 'default/db-0[NetworkInterface]';
    const web = 'default/web-0[NetworkInterface]';
    const other = 'default/web-other[NetworkInterface]';
    // Hand-read from the seed's policy, as test/lab-cli.test.ts reads it for the file source.
    const postgres = await runCli(['lab', 'probe', '--port', '5432', '--name', IRONCORE]);
    assert.equal(postgres.code, 0, postgres.stdout);
    assert.equal(allowed(postgres.stdout, web, db), true);
    assert.equal(allowed(postgres.stdout, other, db), false, 'web-other is of another network');
    assert.equal(allowed(postgres.stdout, db, web), false, 'db-0 sends only TCP 8080');
    const http = await runCli(['lab', 'probe', '--port', '8080', '--name', IRONCORE]);
    assert.equal(allowed(http.stdout, db, web), true, '10.0.0.20 is in 10.0.0.0/24');
    assert.equal(allowed(http.stdout, db, other), false, '10.0.9.20 is not');
    assert.equal((await runCli(['lab', 'down', '--name', IRONCORE])).code, 0);
  });
});
