import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { planLab } from '../src/dataplane/lab/plan.js';
import { loadPaths } from '../src/load/load.js';
import type { JSONObject } from '../src/util/json.js';
import { CONFORMANCE_DIR } from './support/conformance.js';

// Planning only: no network namespace is made.
describe('lab plan', () => {
  it('places a loaded pod without an address as itself, whatever workload reports it', () => {
    const pod = (name: string, owner: string): JSONObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'x',
        labels: { app: name },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, controller: true, uid: 'u' }],
      },
      spec: { containers: [{ name: 'c' }] },
    });
    // web-5d4f is not loaded: the pod is reported as ReplicaSet web-5d4f, and is still the one pod web-5d4f-aaaaa.
    const plan = planLab('t', [pod('web-5d4f-aaaaa', 'web-5d4f')]);
    const pods = plan.objects.filter((o) => o['kind'] === 'Pod');
    assert.equal(pods.length, 1);
    assert.deepEqual(
      plan.pods.map((p) => p.id),
      ['x/web-5d4f-aaaaa'],
    );
  });

  it("refuses a node name that is not a DNS subdomain: it names the agents' files in the lab directory", () => {
    const pod: JSONObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'x' },
      spec: { nodeName: 'x/../../pwned', containers: [{ name: 'c' }] },
      status: { podIP: '10.250.0.9' },
    };
    assert.throws(() => planLab('t', [pod]), /node name "x\/\.\.\/\.\.\/pwned": a lowercase RFC 1123 subdomain/);
  });
});

describe('lab plan: nodes and pods in their network', () => {
  const model = loadPaths([join(CONFORMANCE_DIR, 'cnp', 'model.yaml')]).objects.map((o) => o.raw);

  it("gives nodes the manifests' InternalIP, and hosts a hostNetwork pod in its node's namespace", () => {
    const plan = planLab('t', model, undefined, { serve: ['8080/TCP', '5353/UDP'] });
    assert.deepEqual(
      plan.nodes.map((n) => [n.name, n.address, n.addresses]),
      [
        ['conformance-worker', '172.18.0.2', ['172.18.0.2']],
        ['conformance-worker2', '172.18.0.3', ['172.18.0.3']],
      ],
    );
    const worker2 = plan.nodes.find((n) => n.name === 'conformance-worker2')!;
    const centaur = plan.pods.find((p) => p.id === 'network-policy-conformance-forbidden-forrest/centaur-1')!;
    assert.equal(centaur.nodeNetwork, true);
    assert.equal(centaur.netns, worker2.netns, "in its node's namespace");
    assert.equal(centaur.hostInterface, undefined);
    assert.equal(centaur.ip, '172.18.0.3');
    // Its declared ports only (SCTP 34351/34352 are not declared, and this kernel has none): the extra ports are
    // for pods in a namespace of their own.
    assert.deepEqual(centaur.ports, ['34345/TCP', '34346/TCP', '34347/UDP', '34349/UDP']);
    const harry = plan.pods.find((p) => p.id === 'network-policy-conformance-gryffindor/harry-potter-1')!;
    assert.equal(harry.nodeNetwork, false);
    assert.notEqual(harry.netns, worker2.netns);
    assert.deepEqual(harry.ports, ['80/TCP', '53/UDP', '8080/TCP', '5353/UDP']);
    assert.equal(plan.pods.length, 10, 'every pod of the model, the two centaurs included');
    assert.equal(new Set(plan.pods.map((p) => p.key)).size, 10, 'each with an agent of its own');
    assert.ok(!plan.objects.some((o) => o['kind'] === 'Node' && JSON.stringify(o).includes('made-by-lab')));
  });

  it('gives nodes the manifests do not describe a fabric address, in the Node object the lab makes for them', () => {
    const pod = (name: string, node: string, ip: string): JSONObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'x' },
      spec: { nodeName: node, containers: [{ name: 'c' }] },
      status: { podIP: ip },
    });
    const plan = planLab('t', [pod('a', 'n1', '10.0.0.1'), pod('b', 'n2', '10.0.0.2')]);
    assert.deepEqual(
      plan.nodes.map((n) => [n.name, n.addresses]),
      [
        ['n1', ['100.64.0.1']],
        ['n2', ['100.64.0.2']],
      ],
    );
    const n2 = plan.objects.find((o) => o['kind'] === 'Node' && (o['metadata'] as JSONObject)['name'] === 'n2')!;
    assert.deepEqual(n2['status'], { addresses: [{ type: 'InternalIP', address: '100.64.0.2' }] });
    assert.deepEqual((n2['spec'] as JSONObject)['podCIDRs'], ['10.0.0.2/32']);
  });

  it("places a hostNetwork workload on the lab's node with the node's address, which is not a pod network", () => {
    const daemonSet: JSONObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { hostNetwork: true, containers: [{ name: 'c', ports: [{ containerPort: 9100 }] }] },
        },
      },
    };
    const plan = planLab('t', [daemonSet]);
    assert.deepEqual(
      plan.pods.map((p) => [p.id, p.node, p.nodeNetwork, p.ip, p.ports]),
      [['kube-system/agent', 'lab-node-1', true, '100.64.0.1', ['9100/TCP']]],
    );
    const node = plan.objects.find((o) => o['kind'] === 'Node')!;
    assert.deepEqual((node['spec'] as JSONObject)['podCIDRs'], []);
  });

  it('refuses two hostNetwork pods that serve one port on one node, as the scheduler would not place them', () => {
    const hostPod = (name: string): JSONObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'x' },
      spec: { nodeName: 'n1', hostNetwork: true, containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
      status: { podIP: '192.168.0.1' },
    });
    assert.throws(
      () => planLab('t', [hostPod('a'), hostPod('b')]),
      /^Error: x\/a and x\/b both serve 80\/TCP in the network of node n1/,
    );
  });
});
