import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { type JSONObject } from '../util/json.js';
import { type SourcedObject } from '../resources/source.js';
import { formatFieldPath } from '../util/location.js';
import { ApiServer, type ApiServerOptions } from '../testing/apiserver/index.js';
import { writeKubeconfig } from '../testing/apiserver/kubeconfig.js';
import { KubeSource, type KubeSourceOptions } from './kube-source.js';
import { apiStateVersion } from './snapshot-builder.js';
import type { SourceSnapshot } from './source.js';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'netpol-kube-source-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const running: { server: ApiServer; source: KubeSource }[] = [];
afterEach(async () => {
  for (const { server, source } of running.splice(0)) {
    await source.stop();
    await server.stop();
  }
});

async function setUp(
  serverOptions: ApiServerOptions = {},
  sourceOptions: KubeSourceOptions = {},
  seed: (server: ApiServer) => void = () => {},
): Promise<{ server: ApiServer; source: KubeSource; log: string[] }> {
  const server = await ApiServer.start({ bookmarkIntervalMs: 200, ...serverOptions });
  seed(server);
  const log: string[] = [];
  const source = new KubeSource({
    kubeconfig: writeKubeconfig(mkdtempSync(join(dir, 'k-')), server.url),
    pageSize: 2,
    backoff: { initialMs: 40, maxMs: 1000, jitter: 0 },
    log: (m) => log.push(m),
    ...sourceOptions,
  });
  running.push({ server, source });
  return { server, source, log };
}

const pod = (name: string, labels: JSONObject = { app: name }, namespace = 'default'): JSONObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'nginx', ports: [{ containerPort: 80 }] }] },
  status: { podIP: '10.0.0.1' },
});

const policy = (name: string, spec: JSONObject): JSONObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'default' },
  spec,
});

const meta = (raw: JSONObject): JSONObject => raw['metadata'] as JSONObject;

const origins = (objects: readonly SourcedObject[]): string[] => objects.map((o) => o.origin.file).sort();

/** Reads until the snapshot satisfies `condition`, accumulating the changes seen on the way. */
async function readUntil(
  source: KubeSource,
  condition: (snapshot: SourceSnapshot) => boolean,
  what: string,
  timeoutMs = 8000,
): Promise<{ snapshot: SourceSnapshot; added: string[]; removed: string[] }> {
  const deadline = Date.now() + timeoutMs;
  const added: string[] = [];
  const removed: string[] = [];
  for (;;) {
    const snapshot = source.read();
    added.push(...origins(snapshot.change.added));
    removed.push(...origins(snapshot.change.removed));
    if (condition(snapshot)) return { snapshot, added, removed };
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}; health ${JSON.stringify(source.health())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** start() resolves once the caches are listed; the watches connect right after. */
async function watching(server: ApiServer, source: KubeSource): Promise<void> {
  const deadline = Date.now() + 5000;
  while (server.openWatches() < source.health().resources.length) {
    assert.ok(Date.now() < deadline, 'the watches connected');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const has = (snapshot: SourceSnapshot, file: string): boolean => snapshot.objects.some((o) => o.origin.file === file);

describe('KubeSource', () => {
  it('syncs every cache before start resolves, listing in chunks', async () => {
    const { server, source } = await setUp({ installed: [] }, {}, (s) => {
      for (const name of ['a', 'b', 'c']) s.create(pod(name));
      s.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
    });
    await source.start();
    const snapshot = source.read();
    assert.deepEqual(origins(snapshot.objects), [
      'kube:namespaces/default',
      'kube:namespaces/kube-node-lease',
      'kube:namespaces/kube-public',
      'kube:namespaces/kube-system',
      'kube:nodes/node-1',
      'kube:pods/default/a',
      'kube:pods/default/b',
      'kube:pods/default/c',
    ]);
    assert.deepEqual(snapshot.problems, []);
    assert.equal(snapshot.change.added.length, 8, 'everything is new on the first read');
    const a = snapshot.objects.find((o) => o.name === 'a')!;
    assert.equal(a.kind, 'Pod', 'list items get the kind their list left out');
    assert.equal(a.apiVersion, 'v1');
    assert.equal(a.namespace, 'default');
    assert.equal((a.raw['metadata'] as JSONObject)['managedFields'], undefined);
    // Three pods in pages of two: two list requests.
    assert.equal(server.requests.count({ verb: 'list', resource: 'pods' }), 2);
    const health = source.health();
    assert.equal(health.synced, true);
    assert.equal(health.errors, 0);
    assert.deepEqual(health.resources, ['namespaces', 'networkpolicies.networking.k8s.io', 'nodes', 'pods']);
  });

  it('names the API state it holds, as a writer computes it from the objects it reads back', async () => {
    const { server, source } = await setUp({ installed: [] }, {}, (s) => {
      s.create(pod('a'));
      s.create(policy('deny', { podSelector: {}, policyTypes: ['Ingress'] }));
    });
    await source.start();
    const first = source.read();
    const again = source.read();
    assert.deepEqual(again.change, { added: [], removed: [] }, 'a read with nothing new changes nothing');
    assert.equal(again.version, first.version);
    assert.equal(again.objects, first.objects, 'the same list, not a copy');
    // The keys KubeSource gives its objects, over every object of every followed kind.
    const state = (): string =>
      apiStateVersion([
        ...server.list('v1', 'Namespace').map((raw) => ({ key: `namespaces/${meta(raw)['name']}`, raw })),
        ...server.list('v1', 'Pod').map((raw) => ({ key: `pods/default/${meta(raw)['name']}`, raw })),
        ...server
          .list('networking.k8s.io/v1', 'NetworkPolicy')
          .map((raw) => ({ key: `networkpolicies.networking.k8s.io/default/${meta(raw)['name']}`, raw })),
      ]);
    assert.equal(first.version, state());
    const a = server.get({ apiVersion: 'v1', kind: 'Pod', name: 'a' })!;
    server.update({ ...a, metadata: { ...meta(a), labels: { app: 'moved' } } });
    const { snapshot } = await readUntil(source, (s) => s.version !== first.version, 'the new version');
    assert.equal(snapshot.version, state());
    assert.match(snapshot.version!, /^6-[0-9a-f]{12}$/, 'six objects: four namespaces, a pod, a policy');
  });

  it('reflects additions, changes and deletions, and keeps unchanged objects identical', async () => {
    const { server, source } = await setUp({ installed: [] }, {}, (s) => {
      s.create(pod('a'));
      s.create(pod('b'));
    });
    await source.start();
    const first = source.read();
    const b = first.objects.find((o) => o.name === 'b')!;
    let notified = 0;
    source.onChange(() => notified++);

    const a = server.get({ apiVersion: 'v1', kind: 'Pod', name: 'a' })!;
    server.update({ ...a, metadata: { ...(a['metadata'] as JSONObject), labels: { app: 'a', tier: 'web' } } });
    server.create(pod('c'));
    server.create(policy('deny', { podSelector: {}, policyTypes: ['Ingress'] }));
    const { snapshot, added, removed } = await readUntil(
      source,
      (s) => has(s, 'kube:networkpolicies.networking.k8s.io/default/deny') && has(s, 'kube:pods/default/c'),
      'the new objects',
    );
    const newA = snapshot.objects.find((o) => o.name === 'a')!;
    assert.deepEqual((newA.raw['metadata'] as JSONObject)['labels'], { app: 'a', tier: 'web' });
    assert.ok(snapshot.objects.includes(b), 'an unchanged object is the same SourcedObject as before');
    assert.deepEqual(added.sort(), [
      'kube:networkpolicies.networking.k8s.io/default/deny',
      'kube:pods/default/a',
      'kube:pods/default/c',
    ]);
    assert.deepEqual(removed, ['kube:pods/default/a'], 'the old version of a');
    assert.ok(notified >= 1);

    server.delete({ apiVersion: 'v1', kind: 'Pod', name: 'b' });
    const gone = await readUntil(source, (s) => !has(s, 'kube:pods/default/b'), 'b to go');
    assert.deepEqual(gone.removed, ['kube:pods/default/b']);
  });

  it('skips an object netpol refuses and reports it with its place and the API server message', async () => {
    const { server, source } = await setUp({ installed: [] }, {}, (s) => {
      s.create(policy('broken', { podSelector: {}, ingress: [{ from: [{}] }] }));
      s.create(policy('fine', { podSelector: {} }));
    });
    await source.start();
    const snapshot = source.read();
    assert.ok(has(snapshot, 'kube:networkpolicies.networking.k8s.io/default/fine'));
    assert.ok(!has(snapshot, 'kube:networkpolicies.networking.k8s.io/default/broken'));
    assert.deepEqual(
      snapshot.problems.map((p) => [p.location.file, formatFieldPath(p.error.path), p.message]),
      [
        [
          'kube:networkpolicies.networking.k8s.io/default/broken',
          'spec.ingress[0].from[0]',
          'spec.ingress[0].from[0]: Required value: must specify a peer',
        ],
      ],
    );

    // Fixed in the API: it joins the objects, and the problem is gone.
    const broken = server.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'broken' })!;
    server.update({ ...broken, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] } });
    const fixed = await readUntil(source, (s) => s.problems.length === 0, 'the fix');
    assert.ok(has(fixed.snapshot, 'kube:networkpolicies.networking.k8s.io/default/broken'));
  });

  it('keeps the last valid version of an object whose new version does not validate', async () => {
    const key = 'kube:networkpolicies.networking.k8s.io/default/deny';
    const { server, source } = await setUp({ installed: [] }, {}, (s) =>
      s.create(policy('deny', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] })),
    );
    await source.start();
    const ports = (snapshot: ReturnType<typeof source.read>): unknown =>
      (snapshot.objects.find((o) => o.origin.file === key)?.raw['spec'] as JSONObject | undefined)?.['ingress'];
    assert.deepEqual(ports(source.read()), [{ ports: [{ port: 80 }] }]);

    const valid = server.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'deny' })!;
    server.update({ ...valid, spec: { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] } });
    const invalid = await readUntil(source, (s) => s.problems.length > 0, 'the invalid version');
    assert.deepEqual(ports(invalid.snapshot), [{ ports: [{ port: 80 }] }], 'the valid version stays in force');
    assert.deepEqual(invalid.removed, []);

    const broken = server.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'deny' })!;
    server.update({ ...broken, spec: { podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] } });
    const fixed = await readUntil(source, (s) => s.problems.length === 0, 'the fix');
    assert.deepEqual(ports(fixed.snapshot), [{ ports: [{ port: 443 }] }]);
    assert.equal(fixed.snapshot.objects.filter((o) => o.origin.file === key).length, 1);

    server.update({
      ...server.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'deny' })!,
      spec: { podSelector: {}, ingress: [{ ports: [{ port: -1 }] }] },
    });
    await readUntil(source, (s) => s.problems.length > 0, 'invalid again');
    server.delete({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'deny' });
    const gone = await readUntil(source, (s) => !has(s, key), 'the deletion');
    assert.deepEqual(gone.snapshot.problems, [], 'a deleted object has no problems left');
  });

  it('lists again after a 410 and converges on what changed while it was away', async () => {
    const { server, source } = await setUp({ installed: [] }, {}, (s) => {
      s.create(pod('a'));
      s.create(pod('b'));
    });
    await source.start();
    await watching(server, source);
    source.read();
    const lists = server.requests.count({ verb: 'list', resource: 'pods' });
    // In one turn of the event loop: the watches end, b goes, c comes, history is compacted. The informer
    // comes back from a resourceVersion the server no longer has.
    server.closeWatches();
    server.delete({ apiVersion: 'v1', kind: 'Pod', name: 'b' });
    server.create(pod('c'));
    server.compact();
    const { snapshot, added, removed } = await readUntil(
      source,
      (s) => has(s, 'kube:pods/default/c') && !has(s, 'kube:pods/default/b'),
      'the relist',
    );
    assert.ok(server.requests.count({ verb: 'list', resource: 'pods' }) > lists, 'the pods were listed again');
    assert.deepEqual(added, ['kube:pods/default/c']);
    assert.deepEqual(removed, ['kube:pods/default/b']);
    assert.ok(has(snapshot, 'kube:pods/default/a'));
    assert.equal(source.health().errors, 0, 'a 410 is no error: it is how a watch says "list again"');
  });

  it('retries a failing server with exponential backoff and converges', async () => {
    const { server, source, log } = await setUp({ installed: [] });
    await source.start();
    await watching(server, source);
    source.read();
    server.failNext(4, { type: 'error' }, { resource: 'pods' });
    server.closeWatches('pods');
    server.create(pod('late'));
    const { snapshot } = await readUntil(source, (s) => has(s, 'kube:pods/default/late'), 'the pod after the outage');
    assert.ok(snapshot.objects.length > 0);
    assert.equal(source.health().errors, 4);
    assert.equal(source.health().synced, true);
    assert.ok(log.some((m) => m.startsWith('pods: GET /api/v1/pods: 500 Internal error occurred: injected failure')));
    // Backoff of 40 ms doubling, no jitter. The first watch is the one closed, the second the first failure:
    // from there the gaps between tries grow 40, 80, 160 ms.
    const times = server.requests.list({ verb: 'watch', resource: 'pods' }).map((r) => r.at);
    const gaps = [2, 3, 4].map((i) => times[i]! - times[i - 1]!);
    for (const [i, expected] of [40, 80, 160].entries()) {
      assert.ok(gaps[i]! >= expected * 0.9, `gap ${i} is ${gaps[i]} ms, backoff says ${expected} ms`);
    }
  });

  it('honours Retry-After of a 429', async () => {
    const { server, source } = await setUp({ installed: [] });
    await source.start();
    await watching(server, source);
    server.failNext(1, { type: 'throttle', retryAfterSeconds: 1 }, { verb: 'watch', resource: 'nodes' });
    server.closeWatches('nodes');
    const closedAt = Date.now();
    while (server.requests.count({ verb: 'watch', resource: 'nodes' }) < 3) {
      assert.ok(Date.now() - closedAt < 5000, 'the watch came back');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const watches = server.requests.list({ verb: 'watch', resource: 'nodes' });
    assert.ok(watches[2]!.at - watches[1]!.at >= 950, 'not before the second Retry-After asked for');
  });

  it('gives up on a request that never answers, and tries again', async () => {
    const { server, source } = await setUp({ installed: [] }, { requestTimeoutMs: 300 });
    server.failNext(1, { type: 'hang' }, { verb: 'list', resource: 'pods' });
    await source.start();
    assert.equal(source.health().errors, 1);
    assert.equal(server.requests.count({ verb: 'list', resource: 'pods' }), 2);
  });

  it('retries discovery until the server answers', async () => {
    const { server, source } = await setUp({ installed: [] }, {}, (s) =>
      s.failNext(2, { type: 'error' }, { verb: 'discovery' }),
    );
    await source.start();
    assert.equal(source.health().errors, 2);
    assert.ok(server.requests.count({ verb: 'discovery' }) >= 3);
  });

  it('follows the tier kinds only when their CRDs exist, and starts when one appears', async () => {
    const { server, source } = await setUp({ installed: [] }, { discoveryIntervalMs: 100 });
    await source.start();
    assert.ok(!source.health().resources.includes('adminnetworkpolicies.policy.networking.k8s.io'));
    server.install('adminnetworkpolicies.policy.networking.k8s.io');
    server.create({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'deny-all' },
      spec: { priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] },
    });
    const anp = 'kube:adminnetworkpolicies.policy.networking.k8s.io/deny-all';
    const { snapshot } = await readUntil(source, (s) => has(s, anp), 'the AdminNetworkPolicy');
    assert.deepEqual(snapshot.problems, []);
    assert.ok(source.health().resources.includes('adminnetworkpolicies.policy.networking.k8s.io'));

    server.uninstall('adminnetworkpolicies.policy.networking.k8s.io');
    await readUntil(source, (s) => !has(s, anp), 'the CRD to go');
    await readUntil(
      source,
      () => !source.health().resources.includes('adminnetworkpolicies.policy.networking.k8s.io'),
      'the informer to stop',
    );
  });

  it('follows the Ironcore kinds when their APIs are served', async () => {
    const { server, source } = await setUp({ installed: ['networkinterfaces.networking.ironcore.dev'] }, {}, (s) =>
      s.create({
        apiVersion: 'networking.ironcore.dev/v1alpha1',
        kind: 'NetworkInterface',
        metadata: { name: 'nic', namespace: 'default' },
        spec: { networkRef: { name: 'net' } },
      }),
    );
    await source.start();
    assert.ok(has(source.read(), 'kube:networkinterfaces.networking.ironcore.dev/default/nic'));
    assert.ok(!source.health().resources.includes('networks.networking.ironcore.dev'));
    await watching(server, source);
    assert.equal(server.openWatches('networkinterfaces.networking.ironcore.dev'), 1);
  });

  it('refuses a context the kubeconfig does not have', async () => {
    const server = await ApiServer.start();
    try {
      const kubeconfig = writeKubeconfig(mkdtempSync(join(dir, 'k-')), server.url);
      assert.throws(() => new KubeSource({ kubeconfig, context: 'prod' }), {
        message: `${kubeconfig}: context "prod" not found`,
      });
    } finally {
      await server.stop();
    }
  });

  it('resumes a watch from the resourceVersion of the last bookmark', async () => {
    const { server, source } = await setUp({ installed: [], bookmarkIntervalMs: 100 });
    await source.start();
    await watching(server, source);
    // A change elsewhere moves the revision on; the pods' watch hears of it only through a bookmark.
    server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
    const revision = server.store.revision;
    const since = Date.now();
    while (Date.now() - since < 400) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(source.health().lastEventAgeMs! < 300, 'bookmarks keep arriving on quiet watches');
    server.closeWatches('pods');
    const deadline = Date.now() + 3000;
    while (server.requests.count({ verb: 'watch', resource: 'pods' }) < 2) {
      assert.ok(Date.now() < deadline, 'the watch came back');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const resumed = server.requests.list({ verb: 'watch', resource: 'pods' })[1]!;
    assert.equal(new URLSearchParams(resumed.query).get('resourceVersion'), String(revision));
    assert.equal(new URLSearchParams(resumed.query).get('allowWatchBookmarks'), 'true');
  });

  it('says how long changes have waited to be read', async () => {
    const { server, source } = await setUp({ installed: [] });
    await source.start();
    source.read();
    assert.equal(source.health().watchLagMs, undefined);
    server.create(pod('x'));
    let lag: number | undefined;
    const deadline = Date.now() + 3000;
    while ((lag = source.health().watchLagMs) === undefined) {
      assert.ok(Date.now() < deadline, 'the change arrived');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(lag >= 0);
    source.read();
    assert.equal(source.health().watchLagMs, undefined);
    assert.ok(source.health().lastEventAgeMs! < 3000);
  });
});
