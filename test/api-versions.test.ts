import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { knownKind } from '../src/resources/kinds.js';
import { runCli } from './support/cli.js';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: x}\nspec: {containers: [{name: c}]}\n';
const CLIENT = POD.replace('name: web', 'name: client');
const DENY_V1BETA1 =
  'apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\n' +
  'spec: {podSelector: {}, policyTypes: [Ingress]}\n';

describe('a known kind in a version netpol does not read', () => {
  it('is skipped, as kubectl refuses it ("no matches for kind"), with the version netpol reads', async () => {
    const input = `${POD}---\n${CLIENT}---\n${DENY_V1BETA1}---\n${POD.replace('v1', 'v2').replace('web', 'p2')}`;
    const run = await runCli(['check', '-', '--from', 'x/client', '--to', 'x/web', '--port', '80', '-v'], input);
    assert.equal(run.code, 0, 'no NetworkPolicy isolates web: the v1beta1 one is not read as v1');
    assert.equal(
      run.stderr,
      [
        '<stdin>:11: skipped networking.k8s.io/v1beta1 NetworkPolicy x/deny: ' +
          'netpol reads NetworkPolicy as networking.k8s.io/v1',
        '<stdin>:16: skipped v2 Pod x/p2: netpol reads Pod as v1',
        'netpol: skipped 2 objects: NetworkPolicy (1), Pod (1)',
        '',
      ].join('\n'),
    );
  });

  it('keeps every version the API server serves (or served) for the kinds netpol reads', () => {
    const served: [string, string][] = [
      ['v1', 'Pod'],
      ['v1', 'Namespace'],
      ['v1', 'Node'],
      ['v1', 'ReplicationController'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['extensions/v1beta1', 'NetworkPolicy'],
      ['apps/v1', 'Deployment'],
      ['apps/v1beta1', 'Deployment'],
      ['apps/v1beta2', 'Deployment'],
      ['extensions/v1beta1', 'Deployment'],
      ['apps/v1', 'ReplicaSet'],
      ['apps/v1beta2', 'ReplicaSet'],
      ['extensions/v1beta1', 'ReplicaSet'],
      ['apps/v1', 'StatefulSet'],
      ['apps/v1beta1', 'StatefulSet'],
      ['apps/v1beta2', 'StatefulSet'],
      ['apps/v1', 'DaemonSet'],
      ['apps/v1beta2', 'DaemonSet'],
      ['extensions/v1beta1', 'DaemonSet'],
      ['batch/v1', 'Job'],
      ['batch/v1', 'CronJob'],
      ['batch/v1beta1', 'CronJob'],
      ['batch/v2alpha1', 'CronJob'],
    ];
    for (const [apiVersion, kind] of served) assert.equal(knownKind(apiVersion, kind), kind, `${apiVersion} ${kind}`);
    assert.equal(knownKind('networking.ironcore.dev/v1alpha1', 'NetworkPolicy'), 'IroncoreNetworkPolicy');
    const never: [string, string][] = [
      ['networking.k8s.io/v1beta1', 'NetworkPolicy'],
      ['v2', 'Pod'],
      ['apps/v2', 'Deployment'],
      ['extensions/v1beta1', 'StatefulSet'],
      ['batch/v1beta1', 'Job'],
      ['networking.ironcore.dev/v1beta1', 'NetworkInterface'],
    ];
    for (const [apiVersion, kind] of never)
      assert.equal(knownKind(apiVersion, kind), undefined, `${apiVersion} ${kind}`);
  });
});
