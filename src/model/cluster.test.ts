import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterFrom } from '../testing/fixtures.js';

const template = (labels: string, ports = '') =>
  `template:\n      metadata: {labels: ${labels}}\n      spec:\n        containers:\n          - name: c\n            ports: [${ports}]`;

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
          `---\napiVersion: ${groups[k]}\nkind: ${k}\nmetadata: {name: ${k.toLowerCase()}, namespace: w}\nspec:\n  replicas: 3\n  ${template(`{kind: ${k}}`, '{name: http, containerPort: 8080}')}\n`,
      )
      .join('');
    const cronJob = `---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: w}\nspec:\n  schedule: "0 0 * * *"\n  jobTemplate:\n    spec:\n      ${template('{kind: CronJob}').replace(/\n/g, '\n    ')}\n`;
    const c = clusterFrom(yaml + cronJob);
    assert.deepEqual(
      c.endpoints.map(
        (e) =>
          `${e.id} ${e.owner.kind} ${e.labels['kind']} ${e.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`).join(',')}`,
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
      ['shop/orphan Pod/orphan 0 undefined', 'shop/web-5d4f-abcde Deployment/web 2 n1'],
    );
    assert.deepEqual(
      c.nodes.get('n1')?.addresses.map((a) => a.family),
      [4],
    );
  });

  it('creates referenced namespaces and labels every namespace with its name', () => {
    const c = clusterFrom(
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: x, kubernetes.io/metadata.name: wrong}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: b}\nspec: {podSelector: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: q}\nspec: {podSelector: {}}\n`,
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
});
