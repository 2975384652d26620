import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JSONObject } from '../../util/json.js';
import { EventReader, call, summary } from '../api-wire.js';
import { ApiServer } from './server.js';

const pod = (name: string, namespace = 'default', extra: JSONObject = {}): JSONObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: { containers: [{ name: 'main', image: 'nginx' }] },
  ...extra,
});

const meta = (object: JSONObject): JSONObject => object['metadata'] as JSONObject;
const names = (list: JSONObject): string[] =>
  (list['items'] as JSONObject[]).map((i) => `${String(meta(i)['namespace'] ?? '')}/${String(meta(i)['name'])}`);

async function withServer(
  run: (server: ApiServer) => Promise<void>,
  options: Parameters<typeof ApiServer.start>[0] = {},
) {
  const server = await ApiServer.start(options);
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

describe('test API server: discovery', () => {
  let server: ApiServer;
  before(async () => (server = await ApiServer.start({ installed: ['networks.networking.ironcore.dev'] })));
  after(() => server.stop());

  it('binds 127.0.0.1 on an ephemeral port', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server.url, 'http://127.0.0.1:0');
  });

  it('serves /api, /apis and the resource lists with their status subresources', async () => {
    const core = await call(server.url, 'GET', '/api');
    assert.deepEqual(core.body['versions'], ['v1']);
    assert.equal(core.body['kind'], 'APIVersions');
    const groups = await call(server.url, 'GET', '/apis');
    assert.equal(groups.body['kind'], 'APIGroupList');
    const groupNames = (groups.body['groups'] as JSONObject[]).map((g) => g['name']);
    // Only the Ironcore group that was installed, and no policy.networking.k8s.io: its CRDs are absent.
    assert.deepEqual(groupNames, ['networking.k8s.io', 'networking.ironcore.dev']);
    const v1 = await call(server.url, 'GET', '/api/v1');
    const resources = (v1.body['resources'] as JSONObject[]).map((r) => `${String(r['name'])}:${String(r['kind'])}`);
    assert.deepEqual(resources, [
      'namespaces:Namespace',
      'namespaces/status:Namespace',
      'nodes:Node',
      'nodes/status:Node',
      'pods:Pod',
      'pods/status:Pod',
    ]);
    const pods = (v1.body['resources'] as JSONObject[]).find((r) => r['name'] === 'pods')!;
    assert.equal(pods['namespaced'], true);
    assert.deepEqual(pods['shortNames'], ['po']);
    assert.deepEqual(pods['verbs'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  });

  it('answers 404 with a Status for a group version that is not installed', async () => {
    const answer = await call(server.url, 'GET', '/apis/policy.networking.k8s.io/v1alpha1');
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
  });

  it('installs and removes a CRD at run time', async () => {
    server.install('adminnetworkpolicies.policy.networking.k8s.io');
    const group = await call(server.url, 'GET', '/apis/policy.networking.k8s.io');
    assert.deepEqual(group.body['preferredVersion'], {
      groupVersion: 'policy.networking.k8s.io/v1alpha1',
      version: 'v1alpha1',
    });
    server.uninstall('adminnetworkpolicies.policy.networking.k8s.io');
    assert.equal((await call(server.url, 'GET', '/apis/policy.networking.k8s.io')).status, 404);
  });
});

describe('test API server: objects and Status errors', () => {
  it('creates, gets and refuses as the API server does', () =>
    withServer(async (server) => {
      const created = await call(server.url, 'POST', '/api/v1/namespaces/default/pods', pod('web'));
      assert.equal(created.status, 201);
      const m = meta(created.body);
      assert.match(String(m['uid']), /^[0-9a-f-]{36}$/);
      assert.match(String(m['creationTimestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(m['generation'], 1);
      // Four bootstrap namespaces took revisions 2 to 5.
      assert.equal(m['resourceVersion'], '6');

      const again = await call(server.url, 'POST', '/api/v1/namespaces/default/pods', pod('web'));
      assert.equal(again.status, 409);
      assert.deepEqual(again.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods "web" already exists',
        reason: 'AlreadyExists',
        details: { name: 'web', kind: 'pods' },
        code: 409,
      });

      const missing = await call(server.url, 'GET', '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/x');
      assert.equal(missing.status, 404);
      assert.equal(missing.body['message'], 'networkpolicies.networking.k8s.io "x" not found');
      assert.deepEqual(missing.body['details'], { name: 'x', group: 'networking.k8s.io', kind: 'networkpolicies' });

      const noNamespace = await call(server.url, 'POST', '/api/v1/namespaces/nowhere/pods', pod('a', 'nowhere'));
      assert.equal(noNamespace.status, 404);
      assert.equal(noNamespace.body['message'], 'namespaces "nowhere" not found');

      const unnamed = await call(server.url, 'POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {},
      });
      assert.equal(unnamed.status, 422);
      assert.equal(unnamed.body['reason'], 'Invalid');
      assert.equal(
        unnamed.body['message'],
        'Pod "" is invalid: metadata.name: Required value: name or generateName is required',
      );

      const collectionDelete = await call(server.url, 'DELETE', '/api/v1/namespaces/default/pods');
      assert.equal(collectionDelete.status, 405);
      assert.equal(collectionDelete.body['reason'], 'MethodNotAllowed');
      assert.equal(collectionDelete.body['message'], 'deletecollection is not supported on resources of kind "pods"');
    }));

  it('refuses an update from a stale resourceVersion with 409 Conflict', () =>
    withServer(async (server) => {
      const created = server.create(pod('web'));
      server.update({ ...created, metadata: { ...meta(created), labels: { app: 'other' } } });
      const stale = await call(server.url, 'PUT', '/api/v1/namespaces/default/pods/web', created);
      assert.equal(stale.status, 409);
      assert.equal(stale.body['reason'], 'Conflict');
      assert.equal(
        stale.body['message'],
        'Operation cannot be fulfilled on pods "web": the object has been modified; ' +
          'please apply your changes to the latest version and try again',
      );
    }));

  it('writes nothing for an unconditional update that changes nothing', () =>
    withServer(async (server) => {
      const created = server.create(pod('web'));
      const { resourceVersion: _rv, ...withoutVersion } = meta(created);
      const same = await call(server.url, 'PUT', '/api/v1/namespaces/default/pods/web', {
        ...created,
        metadata: withoutVersion,
      });
      assert.equal(same.status, 200);
      assert.equal(meta(same.body)['resourceVersion'], meta(created)['resourceVersion']);
      assert.equal(server.store.revision, Number(meta(created)['resourceVersion']));
    }));

  it('keeps status apart: the main resource ignores it, /status changes only it', () =>
    withServer(async (server) => {
      server.create(pod('web', 'default', { status: { phase: 'Running', podIP: '10.0.0.1' } }));
      const changed = await call(server.url, 'PUT', '/api/v1/namespaces/default/pods/web', {
        ...pod('web'),
        spec: { containers: [{ name: 'main', image: 'nginx:2' }] },
        status: { phase: 'Failed' },
      });
      assert.equal(changed.status, 200);
      assert.deepEqual(changed.body['status'], { phase: 'Running', podIP: '10.0.0.1' });
      assert.equal(meta(changed.body)['generation'], 2, 'a spec change is a new generation');

      const status = await call(server.url, 'PUT', '/api/v1/namespaces/default/pods/web/status', {
        ...pod('web', 'default', { status: { phase: 'Succeeded' } }),
        metadata: { name: 'web', namespace: 'default', labels: { ignored: 'yes' } },
      });
      assert.deepEqual(status.body['status'], { phase: 'Succeeded' });
      assert.deepEqual(meta(status.body)['labels'], { app: 'web' });
      assert.equal(meta(status.body)['generation'], 2, 'a status change is not a new generation');
    }));

  it('labels namespaces with their name, as the API server does', () =>
    withServer(async (server) => {
      const ns = await call(server.url, 'POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop' },
      });
      assert.deepEqual(meta(ns.body)['labels'], { 'kubernetes.io/metadata.name': 'shop' });
      assert.deepEqual(ns.body['status'], { phase: 'Active' });
    }));
});

describe('test API server: lists', () => {
  it('cuts lists into chunks read at one revision, with remainingItemCount', () =>
    withServer(async (server) => {
      for (const name of ['a', 'b', 'c']) server.create(pod(name));
      server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
      server.create(pod('d', 'x'));
      const first = await call(server.url, 'GET', '/api/v1/pods?limit=2');
      assert.equal(first.body['kind'], 'PodList');
      assert.equal(first.body['apiVersion'], 'v1');
      assert.deepEqual(names(first.body), ['default/a', 'default/b']);
      const listMeta = meta(first.body);
      assert.equal(listMeta['resourceVersion'], '10');
      assert.equal(listMeta['remainingItemCount'], 2);
      // Items of built-in kinds come without apiVersion and kind, as from the API server.
      assert.equal((first.body['items'] as JSONObject[])[0]!['kind'], undefined);

      server.create(pod('aa'));
      server.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'x', name: 'd' });
      const second = await call(server.url, 'GET', `/api/v1/pods?limit=2&continue=${String(listMeta['continue'])}`);
      assert.deepEqual(names(second.body), ['default/c', 'x/d'], 'the rest as it was at revision 10');
      assert.equal(meta(second.body)['resourceVersion'], '10');
      assert.equal(meta(second.body)['continue'], undefined);
      assert.equal(meta(second.body)['remainingItemCount'], undefined);
    }));

  it('answers an expired continue token with 410 Expired and an inconsistent token', () =>
    withServer(async (server) => {
      for (const name of ['a', 'b', 'c']) server.create(pod(name));
      const first = await call(server.url, 'GET', '/api/v1/namespaces/default/pods?limit=1');
      server.create(pod('bb'));
      server.compact();
      const expired = await call(
        server.url,
        'GET',
        `/api/v1/namespaces/default/pods?limit=1&continue=${String(meta(first.body)['continue'])}`,
      );
      assert.equal(expired.status, 410);
      assert.equal(expired.body['reason'], 'Expired');
      assert.equal(expired.body['code'], 410);
      assert.match(
        String(expired.body['message']),
        /^The provided continue parameter is too old to display a consistent list result\. /,
      );
      const inconsistent = String(meta(expired.body)['continue']);
      const rest = await call(server.url, 'GET', `/api/v1/namespaces/default/pods?continue=${inconsistent}`);
      assert.deepEqual(names(rest.body), ['default/b', 'default/bb', 'default/c'], 'the rest as it is now');
    }));

  it('filters by label and field selectors, spec.nodeName included', () =>
    withServer(async (server) => {
      server.create(pod('a', 'default', { spec: { nodeName: 'n1', containers: [] } }));
      server.create(pod('b', 'default', { spec: { nodeName: 'n2', containers: [] } }));
      server.create({ ...pod('c'), metadata: { name: 'c', namespace: 'default', labels: { app: 'c', tier: 'db' } } });
      const onNode = await call(server.url, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1');
      assert.deepEqual(names(onNode.body), ['default/a']);
      const notOnNode = await call(
        server.url,
        'GET',
        '/api/v1/pods?fieldSelector=spec.nodeName!%3Dn1,metadata.name!%3Dc',
      );
      assert.deepEqual(names(notOnNode.body), ['default/b']);
      const byLabel = await call(
        server.url,
        'GET',
        `/api/v1/pods?labelSelector=${encodeURIComponent('app in (a, c),!tier')}`,
      );
      assert.deepEqual(names(byLabel.body), ['default/a']);
      const tier = await call(server.url, 'GET', '/api/v1/pods?labelSelector=tier');
      assert.deepEqual(names(tier.body), ['default/c']);
      const unknown = await call(server.url, 'GET', '/api/v1/pods?fieldSelector=spec.image%3Dx');
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body['message'], 'field label not supported: spec.image');
    }));
});

describe('test API server: watch', () => {
  it('sends the current objects, then each change, as one JSON event per line', () =>
    withServer(async (server) => {
      server.create(pod('a'));
      const watch = await EventReader.open(server.url, '/api/v1/namespaces/default/pods?watch=true');
      assert.equal(watch.status, 200);
      assert.equal(watch.contentType, 'application/json');
      assert.deepEqual(await watch.summaries(1), ['ADDED default/a']);
      const b = server.create(pod('b'));
      server.update({ ...b, metadata: { ...meta(b), labels: { app: 'b2' } } });
      server.delete({ apiVersion: 'v1', kind: 'Pod', name: 'a' });
      const events = [await watch.next(), await watch.next(), await watch.next()];
      assert.deepEqual(
        events.map((e) => summary(e!)),
        ['ADDED default/b', 'MODIFIED default/b', 'DELETED default/a'],
      );
      assert.deepEqual(
        events.map((e) => meta(e!.object)['resourceVersion']),
        ['7', '8', '9'],
        'each event carries the revision of its change',
      );
      assert.equal(events[1]!.object['kind'], 'Pod', 'watch objects carry their kind');
      watch.close();
    }));

  it('replays what followed a resourceVersion, and answers a compacted one with an ERROR event 410', () =>
    withServer(async (server) => {
      const a = server.create(pod('a'));
      server.create(pod('b'));
      const replay = await EventReader.open(
        server.url,
        `/api/v1/pods?watch=1&resourceVersion=${String(meta(a)['resourceVersion'])}`,
      );
      assert.deepEqual(await replay.summaries(1), ['ADDED default/b']);
      replay.close();

      server.create(pod('c'));
      server.compact();
      const old = await EventReader.open(server.url, '/api/v1/pods?watch=1&resourceVersion=6');
      assert.equal(old.status, 200, 'the API server answers 200 and an ERROR event');
      const error = await old.next();
      assert.deepEqual(error, {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'too old resource version: 6 (8)',
          reason: 'Expired',
          code: 410,
        },
      });
      assert.equal(await old.next(), undefined, 'the stream ends after the error');
    }));

  it('sends bookmarks periodically and on request, only to watches that asked', () =>
    withServer(
      async (server) => {
        const withBookmarks = await EventReader.open(
          server.url,
          '/api/v1/namespaces?watch=true&resourceVersion=5&allowWatchBookmarks=true',
        );
        const periodic = await withBookmarks.next();
        assert.deepEqual(periodic, {
          type: 'BOOKMARK',
          object: { kind: 'Namespace', apiVersion: 'v1', metadata: { resourceVersion: '5' } },
        });
        const without = await EventReader.open(server.url, '/api/v1/namespaces?watch=true&resourceVersion=5');
        server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
        server.sendBookmarks();
        assert.deepEqual(await without.summaries(1), ['ADDED x']);
        let event = await withBookmarks.next();
        while (event?.type === 'BOOKMARK' && meta(event.object)['resourceVersion'] === '5')
          event = await withBookmarks.next();
        assert.equal(summary(event!), 'ADDED x');
        const requested = await withBookmarks.next();
        assert.equal(requested?.type, 'BOOKMARK');
        assert.equal(meta(requested!.object)['resourceVersion'], '6');
        withBookmarks.close();
        without.close();
      },
      { bookmarkIntervalMs: 100 },
    ));

  it('ends a watch after timeoutSeconds', () =>
    withServer(async (server) => {
      const watch = await EventReader.open(server.url, '/api/v1/nodes?watch=true&resourceVersion=5&timeoutSeconds=1');
      const started = Date.now();
      assert.equal(await watch.next(3000), undefined);
      assert.ok(Date.now() - started >= 900, 'not before the timeout');
    }));

  it('turns changes that enter or leave a selector into ADDED and DELETED', () =>
    withServer(async (server) => {
      const a = server.create(pod('a'));
      const watch = await EventReader.open(
        server.url,
        '/api/v1/pods?watch=true&resourceVersion=6&labelSelector=app%3Dselected',
      );
      const selected = server.update({ ...a, metadata: { ...meta(a), labels: { app: 'selected' } } });
      server.update({ ...selected, metadata: { ...meta(selected), labels: { app: 'gone' } } });
      const events = [await watch.next(), await watch.next()];
      assert.deepEqual(
        events.map((e) => summary(e!)),
        ['ADDED default/a', 'DELETED default/a'],
      );
      assert.equal(meta(events[1]!.object)['resourceVersion'], '8');
      watch.close();
    }));

  it('watches one object through fieldSelector and through the legacy /watch/ path', () =>
    withServer(async (server) => {
      server.create(pod('a'));
      server.create(pod('b'));
      const byField = await EventReader.open(
        server.url,
        '/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Db',
      );
      const legacy = await EventReader.open(server.url, '/api/v1/watch/namespaces/default/pods/b');
      assert.deepEqual(await byField.summaries(1), ['ADDED default/b']);
      assert.deepEqual(await legacy.summaries(1), ['ADDED default/b']);
      byField.close();
      legacy.close();
    }));
});

describe('test API server: finalizers, deletion and garbage collection', () => {
  it('marks an object with finalizers, and deletes it when they are gone', () =>
    withServer(async (server) => {
      server.create({ ...pod('a'), metadata: { name: 'a', namespace: 'default', finalizers: ['example.com/keep'] } });
      const watch = await EventReader.open(server.url, '/api/v1/namespaces/default/pods?watch=true&resourceVersion=6');
      const marked = await call(server.url, 'DELETE', '/api/v1/namespaces/default/pods/a');
      assert.equal(marked.status, 200);
      assert.match(String(meta(marked.body)['deletionTimestamp']), /Z$/);
      assert.equal(meta(marked.body)['generation'], 2);
      assert.deepEqual(await watch.summaries(1), ['MODIFIED default/a']);

      const more = await call(
        server.url,
        'PATCH',
        '/api/v1/namespaces/default/pods/a',
        { metadata: { finalizers: ['example.com/keep', 'x/y'] } },
        'application/merge-patch+json',
      );
      assert.equal(more.status, 422);
      assert.equal(
        more.body['message'],
        'Pod "a" is invalid: metadata.finalizers: Forbidden: ' +
          'no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/y"}',
      );

      const released = await call(
        server.url,
        'PATCH',
        '/api/v1/namespaces/default/pods/a',
        { metadata: { finalizers: null } },
        'application/merge-patch+json',
      );
      assert.equal(released.status, 200);
      assert.deepEqual(await watch.summaries(1), ['DELETED default/a']);
      assert.equal(server.get({ apiVersion: 'v1', kind: 'Pod', name: 'a' }), undefined);
      watch.close();
    }));

  it('deletes dependents with their owner, or orphans them', () =>
    withServer(async (server) => {
      const owner = server.create({
        apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
        kind: 'NetworkPolicy',
        metadata: { name: 'np', namespace: 'default' },
      });
      const ref = {
        apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
        kind: 'NetworkPolicy',
        name: 'np',
        uid: meta(owner)['uid']!,
        controller: true,
      };
      server.create({
        apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
        kind: 'NetworkPolicyRule',
        metadata: { name: 'np', namespace: 'default', ownerReferences: [ref] },
      });
      const deleted = await call(
        server.url,
        'DELETE',
        '/apis/core.apinet.ironcore.dev/v1alpha1/namespaces/default/networkpolicies/np',
      );
      assert.equal(deleted.status, 200);
      assert.equal(server.list('core.apinet.ironcore.dev/v1alpha1', 'NetworkPolicyRule').length, 0);

      const owner2 = server.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'owner', namespace: 'default' },
      });
      server.create({
        ...pod('dep'),
        metadata: {
          name: 'dep',
          namespace: 'default',
          ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: meta(owner2)['uid']! }],
        },
      });
      await call(server.url, 'DELETE', '/api/v1/namespaces/default/pods/owner?propagationPolicy=Orphan');
      const orphan = server.get({ apiVersion: 'v1', kind: 'Pod', name: 'dep' });
      assert.equal(meta(orphan!)['ownerReferences'], undefined);
    }));

  it('answers a delete of a NetworkPolicy with a Success Status, and of a pod with the pod', () =>
    withServer(async (server) => {
      const np = server.create({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'np', namespace: 'default' },
        spec: { podSelector: {} },
      });
      const answer = await call(
        server.url,
        'DELETE',
        '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/np',
      );
      assert.deepEqual(answer.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'np', group: 'networking.k8s.io', kind: 'networkpolicies', uid: meta(np)['uid']! },
      });
      server.create(pod('p'));
      assert.equal((await call(server.url, 'DELETE', '/api/v1/namespaces/default/pods/p')).body['kind'], 'Pod');
    }));

  it('deletes a namespace with its content', () =>
    withServer(async (server) => {
      server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
      server.create(pod('a', 'shop'));
      const watch = await EventReader.open(server.url, '/api/v1/pods?watch=true&resourceVersion=7');
      await call(server.url, 'DELETE', '/api/v1/namespaces/shop');
      assert.deepEqual(await watch.summaries(1), ['DELETED shop/a']);
      assert.equal(server.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' }), undefined);
      watch.close();
    }));
});

describe('test API server: patches and server-side apply', () => {
  const applyPath = '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/deny';
  const policy = (labels: JSONObject, spec: JSONObject = { podSelector: {}, policyTypes: ['Ingress'] }): string =>
    JSON.stringify({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', labels },
      spec,
    });

  it('creates on apply and records the applier as manager of the fields it sent', () =>
    withServer(async (server) => {
      const yaml = [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: deny',
        '  labels: {team: a}',
        'spec:',
        '  podSelector: {}',
        '  policyTypes: [Ingress]',
      ].join('\n');
      const created = await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=ctl`,
        yaml,
        'application/apply-patch+yaml',
      );
      assert.equal(created.status, 201);
      const entries = meta(created.body)['managedFields'] as JSONObject[];
      assert.equal(entries.length, 1);
      assert.equal(entries[0]!['manager'], 'ctl');
      assert.equal(entries[0]!['operation'], 'Apply');
      assert.equal(entries[0]!['fieldsType'], 'FieldsV1');
      assert.deepEqual(entries[0]!['fieldsV1'], {
        'f:metadata': { 'f:labels': { 'f:team': {} } },
        'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} },
      });
      const same = await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=ctl`,
        yaml,
        'application/apply-patch+yaml',
      );
      assert.equal(
        meta(same.body)['resourceVersion'],
        meta(created.body)['resourceVersion'],
        'a no-op apply writes nothing',
      );
    }));

  it('answers a conflict with another manager with 409 unless forced', () =>
    withServer(async (server) => {
      await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=one`,
        policy({ team: 'a' }),
        'application/apply-patch+yaml',
      );
      const conflict = await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=two`,
        policy({ team: 'b' }),
        'application/apply-patch+yaml',
      );
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body['reason'], 'Conflict');
      assert.equal(
        conflict.body['message'],
        'Apply failed with 1 conflict: conflict with "one": .metadata.labels.team',
      );
      assert.deepEqual(conflict.body['details'], {
        causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "one"', field: '.metadata.labels.team' }],
      });
      const forced = await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=two&force=true`,
        policy({ team: 'b' }),
        'application/apply-patch+yaml',
      );
      assert.equal(forced.status, 200);
      assert.deepEqual(meta(forced.body)['labels'], { team: 'b' });
      const managers = (meta(forced.body)['managedFields'] as JSONObject[]).map((e) => [e['manager'], e['fieldsV1']]);
      assert.deepEqual(managers, [
        ['one', { 'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} } }],
        [
          'two',
          { 'f:metadata': { 'f:labels': { 'f:team': {} } }, 'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} } },
        ],
      ]);
    }));

  it('words several conflicts per manager, an Update manager with its version and time', () =>
    withServer(async (server) => {
      await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=one`,
        policy({ team: 'a', tier: 'x' }),
        'application/apply-patch+yaml',
      );
      const edit = await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=editor`,
        { spec: { policyTypes: ['Egress'] } },
        'application/merge-patch+json',
      );
      const time = String(
        (meta(edit.body)['managedFields'] as JSONObject[]).find((e) => e['manager'] === 'editor')!['time'],
      );
      const conflict = await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=two`,
        policy({ team: 'b', tier: 'y' }, { podSelector: {}, policyTypes: ['Ingress'] }),
        'application/apply-patch+yaml',
      );
      assert.equal(
        conflict.body['message'],
        'Apply failed with 3 conflicts: conflicts with "editor" using networking.k8s.io/v1 at ' +
          `${time}:\n- .spec.policyTypes\nconflicts with "one":\n- .metadata.labels.team\n- .metadata.labels.tier`,
      );
    }));

  it('removes a field its applier no longer sends, unless another manager owns it', () =>
    withServer(async (server) => {
      await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=one`,
        policy({ team: 'a', tier: 'x' }),
        'application/apply-patch+yaml',
      );
      await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=two`,
        policy({ tier: 'x' }),
        'application/apply-patch+yaml',
      );
      const dropped = await call(
        server.url,
        'PATCH',
        `${applyPath}?fieldManager=one`,
        policy({}),
        'application/apply-patch+yaml',
      );
      assert.deepEqual(meta(dropped.body)['labels'], { tier: 'x' }, 'team went; tier stays, "two" owns it');
    }));

  it('applies a status through /status as a manager of that subresource', () =>
    withServer(async (server) => {
      server.create(pod('web'));
      const body = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web' },
        status: { phase: 'Running' },
      });
      const path = '/api/v1/namespaces/default/pods/web/status?fieldManager=kubelet';
      const applied = await call(server.url, 'PATCH', path, body, 'application/apply-patch+yaml');
      assert.equal(applied.status, 200);
      assert.deepEqual(applied.body['status'], { phase: 'Running' });
      const entry = (meta(applied.body)['managedFields'] as JSONObject[]).find((e) => e['manager'] === 'kubelet')!;
      assert.equal(entry['subresource'], 'status');
      assert.deepEqual(entry['fieldsV1'], { 'f:status': { 'f:phase': {} } });
      const missing = await call(
        server.url,
        'PATCH',
        '/api/v1/namespaces/default/pods/nope/status?fieldManager=kubelet',
        body.replace('"web"', '"nope"'),
        'application/apply-patch+yaml',
      );
      assert.equal(missing.status, 404);
    }));

  it('requires a field manager for apply', () =>
    withServer(async (server) => {
      const answer = await call(server.url, 'PATCH', applyPath, policy({}), 'application/apply-patch+yaml');
      assert.equal(answer.status, 422);
      assert.equal(
        answer.body['message'],
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }));

  it('merges strategic patches by key, JSON merge patches by field, JSON patches by operation', () =>
    withServer(async (server) => {
      server.create({
        ...pod('web'),
        spec: {
          containers: [
            { name: 'main', image: 'nginx' },
            { name: 'side', image: 'envoy' },
          ],
        },
      });
      const path = '/api/v1/namespaces/default/pods/web';
      const strategic = await call(
        server.url,
        'PATCH',
        path,
        { spec: { containers: [{ name: 'side', image: 'envoy:2' }] } },
        'application/strategic-merge-patch+json',
      );
      assert.deepEqual((strategic.body['spec'] as JSONObject)['containers'], [
        { name: 'main', image: 'nginx' },
        { name: 'side', image: 'envoy:2' },
      ]);
      const merge = await call(
        server.url,
        'PATCH',
        path,
        { spec: { containers: [{ name: 'only', image: 'x' }] } },
        'application/merge-patch+json',
      );
      assert.deepEqual(
        (merge.body['spec'] as JSONObject)['containers'],
        [{ name: 'only', image: 'x' }],
        'a merge patch replaces lists',
      );
      const json = await call(
        server.url,
        'PATCH',
        path,
        [{ op: 'add', path: '/metadata/labels/tier', value: 'web' }],
        'application/json-patch+json',
      );
      assert.deepEqual(meta(json.body)['labels'], { app: 'web', tier: 'web' });
      const crd = await call(
        server.url,
        'PATCH',
        '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies/x',
        {},
        'application/strategic-merge-patch+json',
      );
      assert.equal(crd.status, 404);
    }));
});

describe('test API server: faults and request counts', () => {
  it('fails the next requests as told, then answers again, and counts requests by verb and resource', () =>
    withServer(async (server) => {
      server.failNext(1, { type: 'throttle', retryAfterSeconds: 3 });
      server.failNext(2, { type: 'error' }, { verb: 'list', resource: 'pods' });
      const throttled = await call(server.url, 'GET', '/api/v1/pods');
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers.get('retry-after'), '3');
      assert.equal(throttled.body['reason'], 'TooManyRequests');
      assert.deepEqual(throttled.body['details'], { retryAfterSeconds: 3 });
      assert.equal((await call(server.url, 'GET', '/api/v1/namespaces')).status, 200, 'not a pods list');
      const failed = await call(server.url, 'GET', '/api/v1/pods');
      assert.equal(failed.status, 500);
      assert.equal(failed.body['reason'], 'InternalError');
      assert.equal((await call(server.url, 'GET', '/api/v1/pods')).status, 500);
      assert.equal((await call(server.url, 'GET', '/api/v1/pods')).status, 200);
      assert.equal(server.requests.count({ verb: 'list', resource: 'pods' }), 4);
      assert.equal(server.requests.count({ verb: 'list' }), 5);
    }));

  it('leaves a hanging request unanswered until the client gives up', () =>
    withServer(async (server) => {
      server.failNext(1, { type: 'hang' });
      await assert.rejects(
        fetch(`${server.url}/api/v1/pods`, { signal: AbortSignal.timeout(300) }),
        /aborted|timeout/i,
      );
      assert.equal((await call(server.url, 'GET', '/api/v1/pods')).status, 200);
    }));

  it('closes every watch on request', () =>
    withServer(async (server) => {
      const watch = await EventReader.open(server.url, '/api/v1/pods?watch=true&resourceVersion=5');
      assert.equal(server.openWatches('pods'), 1);
      server.closeWatches();
      assert.equal(await watch.next(), undefined);
      assert.equal(server.openWatches(), 0);
    }));
});
