import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { JSONObject } from '../util/json.js';
import { ApiServer, type ObjectReference } from '../testing/apiserver/index.js';
import { writeKubeconfig } from '../testing/apiserver/kubeconfig.js';
import type { LogEntry } from '../util/log.js';
import { FIELD_MANAGER, FINALIZER, IroncoreController, type IroncoreControllerOptions } from './ironcore-controller.js';
import { loadKubeConfig } from './kube-source.js';
import { serveProbes } from './probe-server.js';

const IRONCORE = 'networking.ironcore.dev/v1alpha1';
const APINET = 'core.apinet.ironcore.dev/v1alpha1';
const NS = 'test';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'netpol-ironcore-controller-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const servers: ApiServer[] = [];
const controllers: IroncoreController[] = [];
afterEach(async () => {
  for (const controller of controllers.splice(0)) await controller.stop();
  for (const server of servers.splice(0)) await server.stop();
});

// ---- the world: ironcore's e2e sample (ironcore-cn2.md §1.5), with the labels the policy selects ----

const network = (name = 'network-sample'): JSONObject => ({
  apiVersion: IRONCORE,
  kind: 'Network',
  metadata: { name, namespace: NS },
});

const nic = (
  name: string,
  labels: Record<string, string>,
  ip: string,
  state = 'Available',
  net = 'network-sample',
) => ({
  apiVersion: IRONCORE,
  kind: 'NetworkInterface',
  metadata: { name, namespace: NS, labels },
  spec: { networkRef: { name: net }, ipFamilies: ['IPv4'], ips: [{ value: ip }] },
  status: { state },
});

/** The e2e sample's policy, selecting the `machine` labels its interfaces carry (the reference's §2.8). */
const e2ePolicy = (name = 'my-networkpolicy', networkName = 'network-sample'): JSONObject => ({
  apiVersion: IRONCORE,
  kind: 'NetworkPolicy',
  metadata: { name, namespace: NS },
  spec: {
    networkRef: { name: networkName },
    networkInterfaceSelector: { matchLabels: { machine: 'machine-sample2' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { machine: 'machine-sample1' } } }],
        ports: [{ endPort: 22, port: 22, protocol: 'TCP' }],
      },
    ],
  },
});

const sampleWorld = (server: ApiServer): void => {
  server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apinet' } });
  server.create(network());
  // What ironcore makes of the machines' ephemeral interfaces: `<machine>-<entry>`, the template's labels.
  server.create(nic('machine-sample1-primary', { machine: 'machine-sample1' }, '10.0.0.1'));
  server.create(nic('machine-sample2-primary', { machine: 'machine-sample2' }, '10.0.0.2'));
};

// ---- running it ----

async function setUp(
  seed: (server: ApiServer) => void = sampleWorld,
  options: Partial<IroncoreControllerOptions> = {},
): Promise<{ server: ApiServer; controller: IroncoreController; logs: LogEntry[]; kubeconfig: string }> {
  const server = await ApiServer.start({ bookmarkIntervalMs: 200 });
  servers.push(server);
  seed(server);
  const kubeconfig = writeKubeconfig(mkdtempSync(join(dir, 'k-')), server.url);
  const { controller, logs } = await startController(kubeconfig, options);
  return { server, controller, logs, kubeconfig };
}

async function startController(
  kubeconfig: string,
  options: Partial<IroncoreControllerOptions> = {},
): Promise<{ controller: IroncoreController; logs: LogEntry[] }> {
  const logs: LogEntry[] = [];
  const controller = new IroncoreController({
    config: loadKubeConfig({ kubeconfig }),
    backoff: { initialMs: 50, maxMs: 2000, jitter: 0 },
    sourceBackoff: { initialMs: 50, maxMs: 1000, jitter: 0 },
    requestTimeoutMs: 2000,
    log: (entry) => {
      logs.push(entry);
      if (process.env.DBG) console.error(Date.now(), JSON.stringify(entry));
    },
    ...options,
  });
  controllers.push(controller);
  await controller.start();
  return { controller, logs };
}

/** Waits until `check` passes (it asserts), failing with its last assertion when the time is up. */
async function eventually(check: () => void, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const ref = (apiVersion: string, kind: string, name: string, namespace = NS): ObjectReference => ({
  apiVersion,
  kind,
  name,
  namespace,
});
const policyRef = (name = 'my-networkpolicy') => ref(IRONCORE, 'NetworkPolicy', name);
const meta = (o: JSONObject | undefined): JSONObject => (o?.['metadata'] ?? {}) as JSONObject;
const uidOf = (o: JSONObject | undefined): string => meta(o)['uid'] as string;
const apinetPolicyOf = (server: ApiServer, policy: JSONObject) =>
  server.get(ref(APINET, 'NetworkPolicy', uidOf(policy), 'apinet'));
const ruleOf = (server: ApiServer, policy: JSONObject) =>
  server.get(ref(APINET, 'NetworkPolicyRule', uidOf(policy), 'apinet'));
const conditions = (o: JSONObject | undefined): JSONObject[] =>
  (((o?.['status'] ?? {}) as JSONObject)['conditions'] ?? []) as JSONObject[];
/** Conditions without their transition times, which the clock decides. */
const conditionsWithoutTimes = (o: JSONObject | undefined): JSONObject[] =>
  conditions(o).map(({ lastTransitionTime: _time, ...rest }) => rest);

/** Edits an object held by the server through the test controls (no resourceVersion: unconditional). */
function edit(server: ApiServer, reference: ObjectReference, change: (o: JSONObject) => JSONObject): void {
  const current = server.get(reference);
  assert.ok(current, `${reference.kind} ${reference.name} exists`);
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = meta(current);
  server.update(change({ ...current, metadata }));
}

describe('netpol controller ironcore', () => {
  it('applies the apinet NetworkPolicy and rule of a new policy, adds the finalizer, sets the status', async () => {
    const { server } = await setUp();
    server.create(e2ePolicy());
    const policy = server.get(policyRef())!;
    const uid = uidOf(policy);
    const networkUid = uidOf(server.get(ref(IRONCORE, 'Network', 'network-sample')));
    await eventually(() => {
      assert.ok(ruleOf(server, policy), 'the rule is there');
      assert.equal(conditions(server.get(policyRef())).length, 3);
    });

    // Written by hand from apinetlet (ironcore-cn2.md §2.4): named after the policy's UID, in the apinet
    // namespace, origin labels and annotation, the network by its UID, priority 1000, rules copied.
    const apinet = apinetPolicyOf(server, policy)!;
    assert.equal(apinet['apiVersion'], APINET);
    assert.deepEqual(meta(apinet)['labels'], {
      'apinetlet.ironcore.dev/networkpolicy-uid': uid,
      'apinetlet.ironcore.dev/networkpolicy-namespace': NS,
    });
    assert.deepEqual(meta(apinet)['annotations'], { 'apinetlet.ironcore.dev/networkpolicy-name': 'my-networkpolicy' });
    assert.deepEqual(apinet['spec'], {
      networkRef: { name: networkUid },
      networkInterfaceSelector: { matchLabels: { machine: 'machine-sample2' } },
      priority: 1000,
      ingress: [
        {
          from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { machine: 'machine-sample1' } } }],
          ports: [{ protocol: 'TCP', port: 22, endPort: 22 }],
        },
      ],
      policyTypes: ['Ingress'],
    });

    // The reference's worked example (§2.8): nic2 the target, nic1's address the peer, TCP 22-22.
    const rule = ruleOf(server, policy)!;
    assert.deepEqual(rule['networkRef'], { name: networkUid });
    assert.deepEqual(rule['targets'], [{ ip: '10.0.0.2', targetRef: { name: 'machine-sample2-primary' } }]);
    assert.equal(rule['priority'], 1000);
    assert.deepEqual(rule['ingressRule'], [
      {
        ipBlock: [],
        ips: [{ ipFamily: 'IPv4', prefix: '10.0.0.1/32' }],
        networkPolicyPorts: [{ protocol: 'TCP', port: 22, endPort: 22 }],
      },
    ]);
    assert.equal(rule['egressRule'], undefined);
    assert.deepEqual(meta(rule)['ownerReferences'], [
      {
        apiVersion: APINET,
        kind: 'NetworkPolicy',
        name: uid,
        uid: uidOf(apinet),
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    // Server-side apply, by the controller's field manager.
    for (const o of [apinet, rule]) {
      const managers = (meta(o)['managedFields'] as JSONObject[]).map((m) => [m['manager'], m['operation']]);
      assert.deepEqual(managers, [[FIELD_MANAGER, 'Apply']]);
    }

    const updated = server.get(policyRef())!;
    assert.deepEqual(meta(updated)['finalizers'], [FINALIZER]);
    assert.deepEqual(conditionsWithoutTimes(updated), [
      {
        type: 'NetworkFound',
        status: 'True',
        reason: 'NetworkFound',
        message: 'network network-sample',
        observedGeneration: 1,
      },
      {
        type: 'TargetsFound',
        status: 'True',
        reason: 'TargetsFound',
        message: '1 address of network interfaces selected',
        observedGeneration: 1,
      },
      {
        type: 'Applied',
        status: 'True',
        reason: 'Applied',
        message: `NetworkPolicyRule apinet/${uid} holds 1 target`,
        observedGeneration: 1,
      },
    ]);
    for (const c of conditions(updated))
      assert.match(c['lastTransitionTime'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const statusWriters = (meta(updated)['managedFields'] as JSONObject[]).filter((m) => m['subresource'] === 'status');
    assert.deepEqual(
      statusWriters.map((m) => [m['manager'], m['operation']]),
      [[FIELD_MANAGER, 'Apply']],
      'the status through its subresource',
    );
  });

  it('keeps the rule targets in step as interfaces are relabelled and go Pending and Available', async () => {
    const { server } = await setUp();
    server.create(e2ePolicy());
    const policy = server.get(policyRef())!;
    await eventually(() => assert.ok(ruleOf(server, policy), 'the rule is there'));

    // A third interface takes the selected label: it becomes a target.
    server.create(nic('machine-sample3-primary', { machine: 'machine-sample2' }, '10.0.0.3'));
    await eventually(() =>
      assert.deepEqual(ruleOf(server, policy)!['targets'], [
        { ip: '10.0.0.2', targetRef: { name: 'machine-sample2-primary' } },
        { ip: '10.0.0.3', targetRef: { name: 'machine-sample3-primary' } },
      ]),
    );
    // The peer is relabelled: the rule names no address any more.
    edit(server, ref(IRONCORE, 'NetworkInterface', 'machine-sample1-primary'), (o) => ({
      ...o,
      metadata: { ...meta(o), labels: { machine: 'elsewhere' } },
    }));
    await eventually(() => assert.deepEqual((ruleOf(server, policy)!['ingressRule'] as JSONObject[])[0]!['ips'], []));
    // Both targets go Pending: no target, and the status says why.
    for (const name of ['machine-sample2-primary', 'machine-sample3-primary']) {
      edit(server, ref(IRONCORE, 'NetworkInterface', name), (o) => ({ ...o, status: { state: 'Pending' } }));
    }
    await eventually(() => {
      assert.deepEqual(ruleOf(server, policy)!['targets'], []);
      const targets = conditions(server.get(policyRef())).find((c) => c['type'] === 'TargetsFound')!;
      assert.equal(targets['status'], 'False');
      assert.equal(targets['reason'], 'NoTargets');
    });
    // One comes back Available, and the peer gets its label back.
    edit(server, ref(IRONCORE, 'NetworkInterface', 'machine-sample3-primary'), (o) => ({
      ...o,
      status: { state: 'Available' },
    }));
    edit(server, ref(IRONCORE, 'NetworkInterface', 'machine-sample1-primary'), (o) => ({
      ...o,
      metadata: { ...meta(o), labels: { machine: 'machine-sample1' } },
    }));
    await eventually(() => {
      const rule = ruleOf(server, policy)!;
      assert.deepEqual(rule['targets'], [{ ip: '10.0.0.3', targetRef: { name: 'machine-sample3-primary' } }]);
      assert.deepEqual((rule['ingressRule'] as JSONObject[])[0]!['ips'], [{ ipFamily: 'IPv4', prefix: '10.0.0.1/32' }]);
      const targets = conditions(server.get(policyRef())).find((c) => c['type'] === 'TargetsFound')!;
      assert.equal(targets['status'], 'True');
    });
  });

  it('keeps the rule peers in step with load balancers and virtual IPs', async () => {
    const { server } = await setUp((s) => {
      sampleWorld(s);
      s.create(network('other-network'));
      s.create(nic('other-0', { app: 'other' }, '10.9.0.1', 'Available', 'other-network'));
      const lb = (name: string, net: string, ip: string) => ({
        apiVersion: IRONCORE,
        kind: 'LoadBalancer',
        metadata: { name, namespace: NS, labels: { app: 'web' } },
        spec: { type: 'Internal', networkRef: { name: net }, ipFamilies: ['IPv4'], ips: [{ value: ip }] },
      });
      s.create(lb('web-lb', 'network-sample', '10.0.0.30'));
      // Same labels, another network: apinetlet would let it in; netpol does not.
      s.create(lb('other-lb', 'other-network', '10.9.0.30'));
      s.create({
        apiVersion: IRONCORE,
        kind: 'VirtualIP',
        metadata: { name: 'web-vip', namespace: NS, labels: { app: 'web' } },
        spec: { type: 'Public', ipFamily: 'IPv4', targetRef: { name: 'machine-sample1-primary' } },
        status: { ip: '203.0.113.20' },
      });
    });
    const policy = e2ePolicy('from-web');
    (policy['spec'] as JSONObject)['ingress'] = [
      {
        from: [
          { objectSelector: { kind: 'LoadBalancer', matchLabels: { app: 'web' } } },
          { objectSelector: { kind: 'VirtualIP', matchLabels: { app: 'web' } } },
        ],
        ports: [{ port: 443 }],
      },
    ];
    server.create(policy);
    const created = server.get(policyRef('from-web'))!;
    const ips = () => (ruleOf(server, created)?.['ingressRule'] as JSONObject[] | undefined)?.[0]?.['ips'];
    await eventually(() =>
      assert.deepEqual(ips(), [
        { ipFamily: 'IPv4', prefix: '10.0.0.30/32' },
        { ipFamily: 'IPv4', prefix: '203.0.113.20/32' },
      ]),
    );
    // apinet refuses VirtualIP selectors: the apinet policy leaves the peer out, the rule has its address.
    assert.deepEqual((apinetPolicyOf(server, created)!['spec'] as JSONObject)['ingress'], [
      {
        from: [{ objectSelector: { kind: 'LoadBalancer', matchLabels: { app: 'web' } } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);

    edit(server, ref(IRONCORE, 'LoadBalancer', 'web-lb'), (o) => ({
      ...o,
      spec: { ...(o['spec'] as JSONObject), ips: [{ value: '10.0.0.31' }] },
    }));
    edit(server, ref(IRONCORE, 'VirtualIP', 'web-vip'), (o) => ({ ...o, status: { ip: '203.0.113.21' } }));
    await eventually(() =>
      assert.deepEqual(ips(), [
        { ipFamily: 'IPv4', prefix: '10.0.0.31/32' },
        { ipFamily: 'IPv4', prefix: '203.0.113.21/32' },
      ]),
    );
    // The virtual IP moves to an interface of the other network: it is no peer of this one any more.
    edit(server, ref(IRONCORE, 'VirtualIP', 'web-vip'), (o) => ({
      ...o,
      spec: { ...(o['spec'] as JSONObject), targetRef: { name: 'other-0' } },
    }));
    await eventually(() => assert.deepEqual(ips(), [{ ipFamily: 'IPv4', prefix: '10.0.0.31/32' }]));
    server.delete(ref(IRONCORE, 'LoadBalancer', 'web-lb'));
    await eventually(() => assert.deepEqual(ips(), []));
  });

  it('puts back apinet objects that someone else deleted or changed', async () => {
    const { server } = await setUp();
    server.create(e2ePolicy());
    const policy = server.get(policyRef())!;
    await eventually(() => assert.ok(ruleOf(server, policy), 'the rule is there'));
    const rule = ruleOf(server, policy)!;

    server.delete(ref(APINET, 'NetworkPolicyRule', uidOf(policy), 'apinet'));
    await eventually(() => {
      const back = ruleOf(server, policy);
      assert.ok(back, 'the rule is back');
      assert.notEqual(uidOf(back), uidOf(rule), 'a new object');
      assert.deepEqual(back['targets'], rule['targets']);
    });
    edit(server, ref(APINET, 'NetworkPolicy', uidOf(policy), 'apinet'), (o) => ({
      ...o,
      spec: { ...(o['spec'] as JSONObject), priority: 1 },
    }));
    await eventually(() =>
      assert.equal((apinetPolicyOf(server, policy)!['spec'] as JSONObject)['priority'], 1000, 'forced back'),
    );
    // Deleting the apinet policy takes its rule along (garbage collection); both come back.
    const owner = apinetPolicyOf(server, policy)!;
    server.delete(ref(APINET, 'NetworkPolicy', uidOf(policy), 'apinet'));
    await eventually(() => {
      const back = apinetPolicyOf(server, policy);
      assert.ok(back && uidOf(back) !== uidOf(owner), 'a new apinet policy');
      assert.equal(
        (meta(ruleOf(server, policy))['ownerReferences'] as JSONObject[] | undefined)?.[0]?.['uid'],
        uidOf(back),
        'the rule is owned by the new one',
      );
    });
  });

  it('deletes the apinet NetworkPolicy with the policy, the rule by GC, then the finalizer', async () => {
    const { server, logs } = await setUp();
    server.create(e2ePolicy());
    const policy = server.get(policyRef())!;
    await eventually(() => assert.ok(ruleOf(server, policy), 'the rule is there'));
    const marked = server.delete(policyRef());
    assert.ok(meta(marked)['deletionTimestamp'], 'the finalizer holds the policy');
    await eventually(() => {
      assert.equal(server.get(policyRef()), undefined);
      // The server removes the policy before the controller reads its answer and logs.
      assert.ok(
        logs.some((l) => l.msg.startsWith(`NetworkPolicy ${NS}/my-networkpolicy deleted`)),
        'the deletion is logged',
      );
    });
    assert.equal(apinetPolicyOf(server, policy), undefined);
    assert.equal(ruleOf(server, policy), undefined, 'the rule went with its owner');
    assert.equal(server.list(APINET, 'NetworkPolicyRule').length, 0);
    // The apinet policy is deleted by name; a finalizer patch that met a write of someone else's (a 409) is
    // retried, and so may the delete before it be (a 404 then). The rule is never deleted by the controller.
    const deletes = server.requests.list({ verb: 'delete', resource: 'networkpolicies.core.apinet.ironcore.dev' });
    assert.ok(deletes.length >= 1, 'the apinet policy was deleted');
    assert.deepEqual(new Set(deletes.map((d) => d.name)), new Set([uidOf(policy)]));
    assert.equal(server.requests.count({ verb: 'delete', resource: 'networkpolicyrules.core.apinet.ironcore.dev' }), 0);
  });

  it('says NetworkFound=False, applies nothing while the network is missing, follows it coming and going', async () => {
    const { server } = await setUp();
    server.create(e2ePolicy('orphan', 'no-such-network'));
    const policy = server.get(policyRef('orphan'))!;
    await eventually(() =>
      assert.deepEqual(conditionsWithoutTimes(server.get(policyRef('orphan'))), [
        {
          type: 'NetworkFound',
          status: 'False',
          reason: 'NetworkNotFound',
          message: `network no-such-network does not exist in namespace ${NS}; nothing is enforced until it does`,
          observedGeneration: 1,
        },
      ]),
    );
    assert.equal(apinetPolicyOf(server, policy), undefined);
    assert.equal(ruleOf(server, policy), undefined);
    assert.equal(server.requests.count({ verb: 'patch', resource: 'networkpolicies.core.apinet.ironcore.dev' }), 0);

    server.create(network('no-such-network'));
    await eventually(() => {
      assert.ok(ruleOf(server, policy), 'the rule is there');
      assert.deepEqual(
        conditions(server.get(policyRef('orphan'))).map((c) => [c['type'], c['status']]),
        [
          ['NetworkFound', 'True'],
          ['TargetsFound', 'False'],
          ['Applied', 'True'],
        ],
      );
    });
    server.delete(ref(IRONCORE, 'Network', 'no-such-network'));
    await eventually(() => {
      assert.equal(apinetPolicyOf(server, policy), undefined);
      assert.equal(ruleOf(server, policy), undefined);
      assert.equal(conditions(server.get(policyRef('orphan')))[0]!['status'], 'False');
    });
  });

  it('gives an invalid policy a condition with the API server message and no apinet objects', async () => {
    const { server, logs } = await setUp();
    server.create(e2ePolicy('valid-first'));
    const policy = server.get(policyRef('valid-first'))!;
    await eventually(() => assert.ok(ruleOf(server, policy), 'the rule is there'));
    // The test server stores what ironcore's API server would refuse.
    edit(server, policyRef('valid-first'), (o) => {
      const spec = o['spec'] as JSONObject;
      return {
        ...o,
        spec: { ...spec, ingress: [{ from: [{ objectSelector: { kind: 'Pod' } }], ports: [{ port: 22 }] }] },
      };
    });
    await eventually(() => {
      assert.deepEqual(conditionsWithoutTimes(server.get(policyRef('valid-first'))), [
        {
          type: 'Applied',
          status: 'False',
          reason: 'Invalid',
          message:
            `NetworkPolicy.networking.ironcore.dev "${NS}/valid-first" is invalid: ` +
            'spec.ingress[0].from[0].objectSelector.kind: Unsupported value: "Pod": supported values: ' +
            '"LoadBalancer", "NetworkInterface", "VirtualIP"',
          observedGeneration: 2,
        },
      ]);
      assert.equal(apinetPolicyOf(server, policy), undefined, 'what was applied for it is gone');
      assert.equal(ruleOf(server, policy), undefined);
    });
    assert.ok(
      logs.some(
        (l) =>
          l.level === 'warn' &&
          l.location?.file === `kube:networkpolicies.networking.ironcore.dev/${NS}/valid-first` &&
          l.msg.includes('Unsupported value: "Pod"'),
      ),
      'the refused policy is logged with its place',
    );
    // Fixed: applied again.
    edit(server, policyRef('valid-first'), (o) => ({ ...o, spec: e2ePolicy()['spec']! }));
    await eventually(() => {
      assert.ok(ruleOf(server, policy), 'the rule is there');
      assert.equal(conditions(server.get(policyRef('valid-first'))).length, 3);
    });
  });

  it('retries 500s with exponential backoff and converges', async () => {
    const { server, logs, controller } = await setUp();
    server.failNext(3, { type: 'error' }, { verb: 'patch', resource: 'networkpolicyrules.core.apinet.ironcore.dev' });
    server.create(e2ePolicy());
    const policy = server.get(policyRef())!;
    await eventually(() => {
      assert.ok(ruleOf(server, policy), 'the rule is there');
      assert.equal(conditions(server.get(policyRef())).length, 3);
    });
    const failures = logs.filter((l) => l.level === 'error');
    assert.equal(failures.length, 3);
    // 50 ms doubling, no jitter in this test; the message is the API server's.
    assert.deepEqual(
      failures.map((l) => [l.fields?.['failures'], l.fields?.['retryInMs']]),
      [
        [1, 50],
        [2, 100],
        [3, 200],
      ],
    );
    assert.match(failures[0]!.msg, /500 Internal error occurred: injected failure; trying again in 50 ms$/);
    const metrics = await controller.metrics.registry.metrics();
    assert.match(metrics, /^netpol_controller_reconcile_errors_total\{controller="ironcore"\} 3$/m);
  });

  it('waits as long as a 429 Retry-After asks, whatever events come', async () => {
    const { server, logs } = await setUp();
    server.failNext(
      1,
      { type: 'throttle', retryAfterSeconds: 1 },
      {
        verb: 'patch',
        resource: 'networkpolicies.core.apinet.ironcore.dev',
      },
    );
    server.create(e2ePolicy());
    const policy = server.get(policyRef())!;
    await eventually(() => assert.ok(ruleOf(server, policy), 'the rule is there'));
    const applies = server.requests.list({ verb: 'patch', resource: 'networkpolicies.core.apinet.ironcore.dev' });
    assert.ok(applies[1]!.at - applies[0]!.at >= 990, `retried after ${applies[1]!.at - applies[0]!.at} ms`);
    const throttled = logs.find((l) => l.level === 'error')!;
    assert.match(throttled.msg, /429 Too many requests, please try again later\.; trying again in 1000 ms$/);
  });

  it('retries a 409 Conflict on the finalizer and converges', async () => {
    const { server, logs } = await setUp();
    server.failNext(2, { type: 'conflict' }, { verb: 'patch', resource: 'networkpolicies.networking.ironcore.dev' });
    server.create(e2ePolicy());
    const policy = server.get(policyRef())!;
    await eventually(() => {
      assert.ok(ruleOf(server, policy), 'the rule is there');
      assert.deepEqual(meta(server.get(policyRef()))['finalizers'], [FINALIZER]);
    });
    const conflicts = logs.filter((l) => l.level === 'error');
    assert.equal(conflicts.length, 2);
    assert.match(
      conflicts[0]!.msg,
      new RegExp(
        String.raw`409 Operation cannot be fulfilled on networkpolicies\.networking\.ironcore\.dev ` +
          '"my-networkpolicy": the object has been modified',
      ),
    );
  });

  it('says in the status when the API server refuses what it applies, and applies once it can', async () => {
    const { server } = await setUp((s) => {
      sampleWorld(s);
      s.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'apinet' });
    });
    server.create(e2ePolicy());
    const policy = server.get(policyRef())!;
    await eventually(() => {
      const applied = conditions(server.get(policyRef())).find((c) => c['type'] === 'Applied');
      assert.equal(applied?.['status'], 'False');
      assert.equal(applied?.['reason'], 'ApplyFailed');
      assert.equal(applied?.['message'], 'namespaces "apinet" not found');
    });
    server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apinet' } });
    await eventually(() => {
      assert.ok(ruleOf(server, policy), 'the rule is there');
      assert.equal(conditions(server.get(policyRef())).find((c) => c['type'] === 'Applied')?.['status'], 'True');
    }, 10_000);
  });

  it('converges after a restart in the middle of a reconcile, without duplicates', async () => {
    const { server, kubeconfig, controller } = await setUp((s) => {
      sampleWorld(s);
      s.create(nic('db-0', { machine: 'machine-sample2' }, '10.0.0.5', 'Pending'));
    });
    for (const name of ['p1', 'p2', 'p5']) server.create(e2ePolicy(name));
    const uid = (name: string) => uidOf(server.get(policyRef(name)));
    const policies = () => Object.fromEntries(['p1', 'p2', 'p5'].map((n) => [n, server.get(policyRef(n))!]));
    const first = policies();
    await eventually(() => {
      for (const p of Object.values(first)) assert.ok(ruleOf(server, p), 'the rule is there');
    });

    // p3's rule never answers: the controller stops with p3 half done (its apinet policy applied, no rule).
    server.create(e2ePolicy('p3'));
    const p3 = server.get(policyRef('p3'))!;
    server.failNext(
      1,
      { type: 'hang' },
      { verb: 'patch', resource: 'networkpolicyrules.core.apinet.ironcore.dev', name: uidOf(p3) },
    );
    await eventually(() => assert.ok(apinetPolicyOf(server, p3), 'the apinet policy of p3 is there'));
    await controller.stop();
    assert.equal(ruleOf(server, p3), undefined);

    // While nothing runs: an interface comes up, p2 is deleted (the finalizer holds it), p4 is made, and p5
    // loses its finalizer by hand and goes, leaving its apinet objects behind.
    edit(server, ref(IRONCORE, 'NetworkInterface', 'db-0'), (o) => ({ ...o, status: { state: 'Available' } }));
    server.delete(policyRef('p2'));
    server.create(e2ePolicy('p4'));
    edit(server, policyRef('p5'), (o) => ({ ...o, metadata: { ...meta(o), finalizers: [] } }));
    server.delete(policyRef('p5'));
    assert.equal(server.get(policyRef('p5')), undefined);

    await startController(kubeconfig);
    const remaining = ['p1', 'p3', 'p4'];
    await eventually(() => {
      assert.equal(server.get(policyRef('p2')), undefined, 'p2 finalized');
      for (const name of remaining) {
        const p = server.get(policyRef(name))!;
        assert.deepEqual(ruleOf(server, p)?.['targets'], [
          { ip: '10.0.0.5', targetRef: { name: 'db-0' } },
          { ip: '10.0.0.2', targetRef: { name: 'machine-sample2-primary' } },
        ]);
        assert.deepEqual(meta(p)['finalizers'], [FINALIZER]);
        assert.deepEqual(
          conditions(p).map((c) => c['type']),
          ['NetworkFound', 'TargetsFound', 'Applied'],
        );
      }
      // One apinet policy and one rule per remaining policy, and nothing for p2 and p5.
      const names = (kind: string) =>
        server
          .list(APINET, kind)
          .map((o) => meta(o)['name'])
          .sort();
      const expected = remaining.map(uid).sort();
      assert.deepEqual(names('NetworkPolicy'), expected);
      assert.deepEqual(names('NetworkPolicyRule'), expected);
    });
    assert.ok(!remaining.map(uid).includes(uidOf(first['p2'])), 'p2 is not among them');
    assert.equal(apinetPolicyOf(server, first['p5']!), undefined, 'the orphan of p5 was cleaned up');
  });

  it('writes the apinet objects to the cluster that serves apinet, when that is another one', async () => {
    const ironcoreGroups = ['networks', 'networkinterfaces', 'loadbalancers', 'virtualips', 'networkpolicies'];
    const ironcore = await ApiServer.start({
      installed: ironcoreGroups.map((r) => `${r}.networking.ironcore.dev`),
    });
    const apinet = await ApiServer.start({
      installed: ['networkpolicies.core.apinet.ironcore.dev', 'networkpolicyrules.core.apinet.ironcore.dev'],
    });
    servers.push(ironcore, apinet);
    sampleWorld(ironcore);
    apinet.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apinet' } });
    const kubeconfig = (server: ApiServer) => writeKubeconfig(mkdtempSync(join(dir, 'k-')), server.url);
    const controller = new IroncoreController({
      config: loadKubeConfig({ kubeconfig: kubeconfig(ironcore) }),
      apinetConfig: loadKubeConfig({ kubeconfig: kubeconfig(apinet) }),
      backoff: { initialMs: 50, maxMs: 2000, jitter: 0 },
    });
    controllers.push(controller);
    await controller.start();
    ironcore.create(e2ePolicy());
    const policy = ironcore.get(policyRef())!;
    await eventually(() => {
      assert.ok(ruleOf(apinet, policy), 'the rule is in the apinet cluster');
      assert.equal(conditions(ironcore.get(policyRef())).length, 3, 'the status is in the Ironcore cluster');
    });
    assert.equal(ironcore.requests.count({ resource: 'networkpolicyrules.core.apinet.ironcore.dev' }), 0);
  });

  it('serves /metrics, /healthz and /readyz', async () => {
    const { server, controller, logs } = await setUp();
    const probes = await serveProbes(
      { host: '127.0.0.1', port: 0 },
      { registry: controller.metrics.registry, live: () => controller.live(), ready: () => controller.ready() },
    );
    try {
      server.create(e2ePolicy());
      const policy = server.get(policyRef())!;
      await eventually(() => assert.ok(ruleOf(server, policy), 'the rule is there'));
      // The server holds the writes before the controller has read their answers and counted the reconcile.
      await eventually(() => assert.ok(controller.ready().ok && logs.some((l) => l.fields?.['policy']), 'reconciled'));
      const get = async (path: string) => {
        const res = await fetch(`http://${probes.address}${path}`);
        return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
      };
      assert.deepEqual(await get('/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });
      assert.equal((await get('/readyz')).status, 200);
      const metrics = await get('/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.type!, /^text\/plain; version=0\.0\.4/);
      const value = (name: string): number => {
        const line = metrics.body.split('\n').find((l) => l.startsWith(`${name}{controller="ironcore"`));
        assert.ok(line, `${name} is exported`);
        return Number(line.split(' ').pop());
      };
      assert.ok(value('netpol_controller_reconcile_total') >= 1, 'reconciles are counted');
      assert.equal(value('netpol_controller_reconcile_errors_total'), 0);
      assert.equal(value('netpol_controller_workqueue_depth'), 0);
      const age = value('netpol_controller_last_reconcile_age_seconds');
      assert.ok(age >= 0 && age < 10, `last reconcile ${age} s ago`);
      assert.equal(value('netpol_controller_source_synced'), 1);
      assert.match(metrics.body, /^process_resident_memory_bytes \d+/m);
      assert.equal((await get('/other')).status, 404);

      await controller.stop();
      assert.deepEqual(await get('/healthz'), { status: 503, type: 'text/plain; charset=utf-8', body: 'stopping\n' });
    } finally {
      await probes.close();
    }
  });
});
