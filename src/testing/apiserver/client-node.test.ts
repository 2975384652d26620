import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  PatchStrategy,
  type V1Namespace,
  type V1Pod,
  Watch,
  makeInformer,
} from '@kubernetes/client-node';
import type { JSONObject } from '../../util/json.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ApiServer } from './server.js';

/** Waits for a condition that events make true; fails with what was seen. */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pod = (name: string): JSONObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'main', image: 'nginx' }] },
});

describe('@kubernetes/client-node against the test API server', () => {
  let server: ApiServer;
  let dir: string;
  let config: KubeConfig;
  before(async () => {
    server = await ApiServer.start({ bookmarkIntervalMs: 100 });
    dir = mkdtempSync(join(tmpdir(), 'netpol-client-node-'));
    config = new KubeConfig();
    config.loadFromFile(writeKubeconfig(dir, server.url));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists in chunks through the typed API with continue tokens', async () => {
    for (const name of ['a', 'b', 'c']) server.create(pod(name));
    const core = config.makeApiClient(CoreV1Api);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedPod({
        namespace: 'default',
        limit: 2,
        ...(token ? { _continue: token } : {}),
      });
      seen.push(...page.items.map((p) => p.metadata!.name!));
      token = page.metadata?._continue;
      pages++;
    } while (token);
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(pages, 2);
    for (const name of ['a', 'b', 'c']) server.delete({ apiVersion: 'v1', kind: 'Pod', name });
  });

  it('keeps an informer on namespaces in step: list, watch, events', async () => {
    const core = config.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Namespace>(config, '/api/v1/namespaces', () => core.listNamespace());
    const events: string[] = [];
    informer.on('add', (ns) => events.push(`add ${ns.metadata!.name!}`));
    informer.on('update', (ns) => events.push(`update ${ns.metadata!.name!}`));
    informer.on('delete', (ns) => events.push(`delete ${ns.metadata!.name!}`));
    await informer.start();
    assert.deepEqual(events, ['add default', 'add kube-node-lease', 'add kube-public', 'add kube-system']);
    events.length = 0;
    const shop = server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    server.update({ ...shop, metadata: { ...(shop['metadata'] as JSONObject), labels: { team: 'a' } } });
    server.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' });
    // Deleting a namespace marks it Terminating (MODIFIED), then removes it.
    await until(() => events.length === 4, 'four events');
    assert.deepEqual(events, ['add shop', 'update shop', 'update shop', 'delete shop']);
    assert.deepEqual(
      informer
        .list()
        .map((n) => n.metadata!.name)
        .sort(),
      ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
    );
    await informer.stop();
  });

  it('relists a pod informer after a 410 and converges on what changed meanwhile', async () => {
    server.create(pod('a'));
    server.create(pod('b'));
    const core = config.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Pod>(config, '/api/v1/namespaces/default/pods', () =>
      core.listNamespacedPod({ namespace: 'default' }),
    );
    const events: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (p) => events.push(`add ${p.metadata!.name!}`));
    informer.on('delete', (p) => events.push(`delete ${p.metadata!.name!}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    assert.deepEqual(events, ['add a', 'add b']);
    const lists = server.requests.count({ verb: 'list', resource: 'pods' });

    // The next watch fails: the informer reports it and stops, as client-node informers do.
    server.failNext(1, { type: 'error' }, { verb: 'watch', resource: 'pods' });
    server.closeWatches('pods');
    await until(() => errors.length === 1, 'the failed watch');
    assert.equal((errors[0] as { statusCode?: number }).statusCode, 500);

    // Meanwhile b goes, c comes, and the history the informer would resume from is compacted.
    server.delete({ apiVersion: 'v1', kind: 'Pod', name: 'b' });
    server.create(pod('c'));
    server.compact();
    events.length = 0;
    await informer.start();
    await until(() => events.length === 2, 'the relist');
    assert.deepEqual(events.sort(), ['add c', 'delete b']);
    assert.equal(server.requests.count({ verb: 'list', resource: 'pods' }), lists + 1, 'one relist, after the 410');
    assert.deepEqual(
      informer
        .list()
        .map((p) => p.metadata!.name)
        .sort(),
      ['a', 'c'],
    );
    await informer.stop();
    for (const name of ['a', 'c']) server.delete({ apiVersion: 'v1', kind: 'Pod', name });
  });

  it("delivers bookmarks and the 410 ERROR event through client-node's Watch", async () => {
    const watch = new Watch(config);
    const phases: string[] = [];
    const versions: string[] = [];
    let ended = false;
    const from = String(server.store.revision);
    const controller = await watch.watch(
      '/api/v1/namespaces',
      { allowWatchBookmarks: true, resourceVersion: from },
      (phase, object: KubernetesObject) => {
        phases.push(phase);
        versions.push(object.metadata?.resourceVersion ?? '');
      },
      () => (ended = true),
    );
    await until(() => phases.includes('BOOKMARK'), 'a bookmark');
    assert.equal(versions[phases.indexOf('BOOKMARK')], from);
    controller.abort();

    server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'later' } });
    server.compact();
    const errors: { code?: number; reason?: string }[] = [];
    await watch.watch(
      '/api/v1/namespaces',
      { resourceVersion: from },
      (phase, object: { code?: number; reason?: string }) => {
        if (phase === 'ERROR') errors.push(object);
      },
      () => (ended = true),
    );
    await until(() => ended && errors.length === 1, 'the ERROR event and the end of the stream');
    assert.equal(errors[0]!.code, 410);
    assert.equal(errors[0]!.reason, 'Expired');
    server.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'later' });
  });

  it('writes with server-side apply through KubernetesObjectApi, which reads discovery', async () => {
    const objects = KubernetesObjectApi.makeApiClient(config);
    const rule: KubernetesObject & { priority: number } = {
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'NetworkPolicyRule',
      metadata: { name: 'rule', namespace: 'default' },
      priority: 1000,
    };
    const applied = await objects.patch(
      rule,
      undefined,
      undefined,
      'netpol-controller',
      true,
      PatchStrategy.ServerSideApply,
    );
    assert.equal(applied.metadata?.name, 'rule');
    assert.equal(applied.metadata?.managedFields?.[0]?.manager, 'netpol-controller');
    assert.equal(applied.metadata?.managedFields?.[0]?.operation, 'Apply');
    const ref = {
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'NetworkPolicyRule',
      namespace: 'default',
      name: 'rule',
    };
    const stored = server.get(ref);
    assert.equal(stored?.['priority'], 1000);
    await objects.delete(rule);
    assert.equal(server.get(ref), undefined);
  });
});
