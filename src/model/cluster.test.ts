import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterFrom } from '../testing/fixtures.js';
import { buildCluster } from '../policy/cluster.js';
import { loadText } from '../load/load.js';

const template = (labels: string, ports = '') =>
  `template:\n      metadata: {labels: ${labels}}\n` +
  `      spec:\n        containers:\n          - name: c\n            ports: [${ports}]`;

describe('cluster model', () => {
  it('makes one endpoint per workload from its pod template', () => {
    const kinds = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController', 'Job'];
    const groups: Record<string, string> = {
      Deployment: 'apps/v1',
      ReplicaSet: 'apps/v1',
      StatefulSet: 'apps/v1',
      DaemonSet: 'apps/v1',
      ReplicationController: 'v1',
      Job: 'batch/v1',
    };
    const yaml = kinds
      .map(
        (k) =>
          `---\napiVersion: ${groups[k]}\nkind: ${k}\nmetadata: {name: ${k.toLowerCase()}, namespace: w}\n` +
          `spec:\n  replicas: 3\n  ${template(`{kind: ${k}}`, '{name: http, containerPort: 8080}')}\n`,
      )
      .join('');
    const cronJob =
      '---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: w}\n' +
      'spec:\n  schedule: "0 0 * * *"\n  jobTemplate:\n    spec:\n' +
      `      ${template('{kind: CronJob}').replace(/\n/g, '\n    ')}\n`;
    const c = clusterFrom(yaml + cronJob);
    assert.deepEqual(
      c.endpoints.map(
        (e) =>
          `${e.id} ${e.owner.kind} ${e.labels['kind']} ` +
          e.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`).join(','),
      ),
      [
        'w/daemonset DaemonSet DaemonSet http:8080/TCP',
        'w/deployment Deployment Deployment http:8080/TCP',
        'w/job Job Job http:8080/TCP',
        'w/nightly CronJob CronJob ',
        'w/replicaset ReplicaSet ReplicaSet http:8080/TCP',
        'w/replicationcontroller ReplicationController ReplicationController http:8080/TCP',
        'w/statefulset StatefulSet StatefulSet http:8080/TCP',
      ],
    );
  });

  it('reports the pods of a kubectl dump as their top workload, once', () => {
    const yaml = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  ${template('{app: web}')}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d4f
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true, uid: u1}]
spec:
  ${template('{app: web}')}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d4f-abcde
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4f, controller: true, uid: u2}]
spec: {nodeName: n1, containers: [{name: c}]}
status: {podIP: 10.1.0.4, podIPs: [{ip: 10.1.0.4}, {ip: "fd00::4"}], hostIP: 192.168.1.1}
---
apiVersion: v1
kind: Pod
metadata:
  name: orphan
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: gone, controller: true, uid: u3}]
spec: {containers: [{name: c}]}
`;
    const c = clusterFrom(yaml);
    assert.deepEqual(
      c.endpoints.map((e) => `${e.id} ${e.owner.kind}/${e.owner.name} ${e.ips.length} ${e.node}`),
      ['shop/orphan ReplicaSet/gone 0 undefined', 'shop/web-5d4f-abcde Deployment/web 2 n1'],
    );
    assert.deepEqual(
      c.nodes.get('n1')?.addresses.map((a) => a.family),
      [4],
    );
  });

  it('creates referenced namespaces and labels every namespace with its name', () => {
    const c = clusterFrom(
      'apiVersion: v1\nkind: Namespace\n' +
        'metadata: {name: a, labels: {team: x, kubernetes.io/metadata.name: wrong}}\n---\n' +
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: b}\n' +
        'spec: {podSelector: {}}\n---\n' +
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: q}\nspec: {podSelector: {}}\n',
    );
    assert.deepEqual(
      [...c.namespaces.values()].map((n) => [n.name, n.implicit, n.labels]),
      [
        ['a', false, { team: 'x', 'kubernetes.io/metadata.name': 'a' }],
        ['b', true, { 'kubernetes.io/metadata.name': 'b' }],
        ['default', true, { 'kubernetes.io/metadata.name': 'default' }],
      ],
    );
  });
  it('reports a pod whose controller is not loaded as that controller, as netpol-analyzer does', () => {
    const pod = (name: string, refs: string) =>
      `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: kube-system\n` +
      `  ownerReferences: ${refs}\nspec: {containers: [{name: c}]}\n`;
    const c = clusterFrom(
      pod(
        'coredns-64897985d-fkl2w',
        '[{apiVersion: apps/v1, kind: ReplicaSet, name: coredns-64897985d, controller: true, uid: u1}]',
      ) +
        pod(
          'kube-proxy-6wd2b',
          '[{apiVersion: apps/v1, kind: DaemonSet, name: kube-proxy, controller: true, uid: u2}]',
        ) +
        pod(
          'kube-proxy-9xq4z',
          '[{apiVersion: apps/v1, kind: DaemonSet, name: kube-proxy, controller: true, uid: u2}]',
        ) +
        // A static pod: its mirror names the Node, which is no workload.
        pod('etcd-minikube', '[{apiVersion: v1, kind: Node, name: minikube, controller: true, uid: u3}]') +
        // Only the controller reference counts.
        pod('helper', '[{apiVersion: apps/v1, kind: ReplicaSet, name: not-the-controller, uid: u4}]') +
        pod(
          'rollout-7c9-x',
          '[{apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: shop, controller: true, uid: u5}]',
        ),
    );
    assert.deepEqual(
      c.endpoints.map((e) => `${e.id} ${e.owner.kind}/${e.owner.name}`),
      [
        'kube-system/coredns-64897985d-fkl2w ReplicaSet/coredns-64897985d',
        'kube-system/etcd-minikube Pod/etcd-minikube',
        'kube-system/helper Pod/helper',
        'kube-system/kube-proxy-6wd2b DaemonSet/kube-proxy',
        'kube-system/kube-proxy-9xq4z DaemonSet/kube-proxy',
        'kube-system/rollout-7c9-x Rollout/shop',
      ],
    );
  });

  it('climbs as far as the owners are loaded: a ReplicaSet without its Deployment reports its pods', () => {
    const c = clusterFrom(`---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d4f
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true, uid: u1}]
spec:
  ${template('{app: web}')}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d4f-abcde
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4f, controller: true, uid: u2}]
spec: {containers: [{name: c}]}
`);
    assert.deepEqual(
      c.endpoints.map((e) => `${e.id} ${e.owner.kind}/${e.owner.name}`),
      ['shop/web-5d4f-abcde ReplicaSet/web-5d4f'],
    );
  });

  it("takes no endpoint from a finished pod: its address is the running pod's, and its Job makes none either", () => {
    const c = clusterFrom(`---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  ${template('{job: migrate}')}
---
apiVersion: v1
kind: Pod
metadata:
  name: migrate-x7k2p
  namespace: shop
  labels: {job: migrate}
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: migrate, controller: true, uid: u1}]
spec: {containers: [{name: c}]}
status: {phase: Succeeded, podIP: 10.244.1.9, podIPs: [{ip: 10.244.1.9}]}
---
apiVersion: v1
kind: Pod
metadata: {name: crashed, namespace: shop}
spec: {containers: [{name: c}]}
status: {phase: Failed, podIP: 10.244.1.7}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec: {containers: [{name: c}]}
status: {phase: Running, podIP: 10.244.1.9, podIPs: [{ip: 10.244.1.9}]}
`);
    assert.deepEqual(
      c.endpoints.map((e) => e.id),
      ['shop/web'],
    );
    assert.equal(c.endpointByAddress.get('4/' + ((10n << 24n) + (244n << 16n) + (1n << 8n) + 9n))?.id, 'shop/web');
    assert.deepEqual(c.warnings, []);
  });

  it('warns when two running pods hold one address, and lets the later one by name answer for it', () => {
    const c = clusterFrom(`---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec: {containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x}
spec: {containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: node-agent-1, namespace: x}
spec: {hostNetwork: true, nodeName: n1, containers: [{name: c}]}
status: {phase: Running, podIP: 192.168.1.1, hostIP: 192.168.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: node-agent-2, namespace: x}
spec: {hostNetwork: true, nodeName: n1, containers: [{name: c}]}
status: {phase: Running, podIP: 192.168.1.1, hostIP: 192.168.1.1}
`);
    // hostNetwork pods share their node's address: no warning for them.
    assert.deepEqual(
      c.warnings.map((w) => `${w.origin.line}: ${w.message}`),
      ['8: Pod x/b: 10.0.0.5 is also the address of Pod x/a, and both are running; the address stands for x/b'],
    );
    assert.equal(c.endpointByAddress.get('4/' + ((10n << 24n) + 5n))?.id, 'x/b');
  });

  it('takes hostNetwork pods as node traffic, or with hostNetworkPods: pod as pods like any other', () => {
    const yaml = `---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: x}
spec: {hostNetwork: true, nodeName: n1, containers: [{name: c}]}
status: {podIP: 192.168.1.1, hostIP: 192.168.1.1}
`;
    const { objects } = loadText(yaml, 'f.yaml');
    const asNode = buildCluster(objects);
    const asPod = buildCluster(objects, { hostNetworkPods: 'pod' });
    assert.deepEqual(
      [asNode, asPod].map((c) => [c.endpoints[0]?.hostNetwork, c.endpoints[0]?.nodeNetwork, c.endpointByAddress.size]),
      [
        [true, true, 0],
        [false, true, 0],
      ],
    );
    // Either way the address is the node's.
    assert.deepEqual(
      [asNode, asPod].map((c) => c.nodes.get('n1')?.addresses.length),
      [1, 1],
    );
  });
});
