import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planLab } from '../src/dataplane/lab/plan.js';
import type { JSONObject } from '../src/util/json.js';

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
