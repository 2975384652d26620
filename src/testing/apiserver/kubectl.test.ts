import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JSONObject } from '../../util/json.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ApiServer } from './server.js';

/** kubectl must be there: CI installs Debian's kubernetes-client; a missing one fails, never skips. */
function requireKubectl(): void {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  assert.ok(
    probe.error === undefined && probe.status === 0,
    'kubectl is not installed: install Debian\'s "kubernetes-client" package (apt-get install kubernetes-client) ' +
      'to run the test API server against a real kubectl',
  );
}

describe('kubectl against the test API server', () => {
  let server: ApiServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    requireKubectl();
    server = await ApiServer.start({ installed: ['networkinterfaces.networking.ironcore.dev'] });
    dir = mkdtempSync(join(tmpdir(), 'netpol-kubectl-'));
    env = { ...process.env, KUBECONFIG: writeKubeconfig(dir, server.url), HOME: dir };
  });
  after(async () => {
    await server?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--cache-dir', join(dir, 'cache'), ...args],
        { env, timeout: 20_000 },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
      );
    });

  it('gets objects through discovery, by resource, short name and group', async () => {
    server.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: {} });
    server.create({
      apiVersion: 'networking.ironcore.dev/v1alpha1',
      kind: 'NetworkInterface',
      metadata: { name: 'nic', namespace: 'default' },
    });
    const pods = await kubectl('get', 'po', '-A', '-o', 'name');
    assert.equal(pods.stderr, '');
    assert.equal(pods.stdout, 'pod/web\n');
    const namespaces = await kubectl('get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.equal(namespaces.stdout, 'default kube-node-lease kube-public kube-system');
    const nics = await kubectl('get', 'networkinterfaces.networking.ironcore.dev', '-n', 'default', '-o', 'name');
    assert.equal(nics.stdout, 'networkinterface.networking.ironcore.dev/nic\n');
    const table = await kubectl('get', 'pods');
    assert.match(table.stdout, /^NAME\s+AGE\nweb\s+\d+s\n$/);
    const absent = await kubectl('get', 'adminnetworkpolicies');
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /the server doesn't have a resource type "adminnetworkpolicies"/);
  });

  it('watches with get -w: the current objects, then each change', async () => {
    const watcher: ChildProcess = spawn(
      'kubectl',
      ['--cache-dir', join(dir, 'cache'), 'get', 'pods', '-n', 'default', '-w', '-o', 'name'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    let stderr = '';
    watcher.stdout!.on('data', (chunk: Buffer) =>
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      ),
    );
    watcher.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor(
        () => lines.length >= 1,
        () => `the first line (stderr: ${stderr})`,
      );
      server.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'later', namespace: 'default' }, spec: {} });
      await waitFor(
        () => lines.length >= 2,
        () => `the ADDED line (stderr: ${stderr})`,
      );
      server.delete({ apiVersion: 'v1', kind: 'Pod', name: 'later' });
      await waitFor(
        () => lines.length >= 3,
        () => `the DELETED line (stderr: ${stderr})`,
      );
      assert.deepEqual(lines, ['pod/web', 'pod/later', 'pod/later']);
      assert.equal(server.openWatches('pods'), 1);
    } finally {
      watcher.kill();
    }
  });

  it('applies server-side, reports conflicts in the API wording, and forces them', async () => {
    const file = join(dir, 'policy.yaml');
    const manifest = (team: string): string =>
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: deny',
        '  namespace: default',
        `  labels: {team: ${team}}`,
        'spec:',
        '  podSelector: {}',
        '  policyTypes: [Ingress]',
        '',
      ].join('\n');
    writeFileSync(file, manifest('a'));
    const applied = await kubectl('apply', '--server-side', '-f', file);
    assert.equal(applied.stderr, '');
    assert.equal(applied.stdout, 'networkpolicy.networking.k8s.io/deny serverside-applied\n');
    const stored = server.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'deny' })!;
    const entries = (stored['metadata'] as JSONObject)['managedFields'] as JSONObject[];
    assert.deepEqual(
      entries.map((e) => [e['manager'], e['operation']]),
      [['kubectl', 'Apply']],
    );

    writeFileSync(file, manifest('b'));
    const conflict = await kubectl('apply', '--server-side', '--field-manager', 'other', '-f', file);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.metadata\.labels\.team/);
    const forced = await kubectl('apply', '--server-side', '--field-manager', 'other', '--force-conflicts', '-f', file);
    assert.equal(forced.stdout, 'networkpolicy.networking.k8s.io/deny serverside-applied\n');
    const labels = (
      server.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'deny' })!['metadata'] as JSONObject
    )['labels'];
    assert.deepEqual(labels, { team: 'b' });
  });

  it('deletes, and waits until the object is gone', async () => {
    server.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'doomed', namespace: 'default', finalizers: ['example.com/hold'] },
      spec: {},
    });
    // kubectl delete waits for the object to go: release the finalizer while it waits.
    const deleting = kubectl('delete', 'pod', 'doomed', '--timeout=10s');
    await waitFor(
      () =>
        server.get({ apiVersion: 'v1', kind: 'Pod', name: 'doomed' })?.['metadata'] !== undefined &&
        (server.get({ apiVersion: 'v1', kind: 'Pod', name: 'doomed' })!['metadata'] as JSONObject)[
          'deletionTimestamp'
        ] !== undefined,
      () => 'the deletionTimestamp',
    );
    const marked = server.get({ apiVersion: 'v1', kind: 'Pod', name: 'doomed' })!;
    server.update({ ...marked, metadata: { ...(marked['metadata'] as JSONObject), finalizers: [] } });
    const deleted = await deleting;
    assert.equal(deleted.stderr, '');
    assert.equal(deleted.stdout, 'pod "doomed" deleted\n');
    assert.equal(server.get({ apiVersion: 'v1', kind: 'Pod', name: 'doomed' }), undefined);

    const policy = await kubectl('delete', 'networkpolicy', 'deny');
    assert.equal(policy.stdout, 'networkpolicy.networking.k8s.io "deny" deleted\n');
    const missing = await kubectl('delete', 'networkpolicy', 'deny');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error from server (NotFound): networkpolicies.networking.k8s.io "deny" not found\n');
  });
});

async function waitFor(condition: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
