import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

const INPUT = `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, namespace: x}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x}
spec: {containers: [{name: c}]}
`;

describe('a peer named with its kind', () => {
  it('takes the kind in any case, as kubectl does', async () => {
    for (const kind of ['ReplicaSet', 'replicaset', 'REPLICASET']) {
      const run = await runCli(
        ['check', '-', '--from', 'x/client[pod]', '--to', `x/web[${kind}]`, '--port', '80'],
        INPUT,
      );
      assert.equal(run.code, 0, `${kind}: ${run.stderr}`);
      assert.equal(run.stderr, '');
    }
    const matrix = await runCli(
      ['matrix', '-', '--port', '80', '--from', 'x/web[replicaset]', '--to', 'x/client[POD]'],
      INPUT,
    );
    assert.equal(matrix.code, 0, matrix.stderr);
    assert.equal(matrix.stdout, '-\tx/client\nx/web\t.\n');
    const list = await runCli(
      ['list', '-', '--focus-workload', 'x/web[replicaset]', '--focus-direction', 'ingress'],
      INPUT,
    );
    assert.equal(list.stderr, '');
    assert.equal(
      list.stdout,
      '0.0.0.0-255.255.255.255[External] => x/web[ReplicaSet] : All Connections\n' +
        'x/client[Pod] => x/web[ReplicaSet] : All Connections\n',
    );
    const other = await runCli(
      ['check', '-', '--from', 'x/client', '--to', 'x/web[deployment]', '--port', '80'],
      INPUT,
    );
    assert.equal(other.code, 2, 'another kind is still no match');
  });
});

describe('a finished pod named as one end', () => {
  const FINISHED = 'test/fixtures/finished-pods.yaml';
  const check = (from: string, to: string) => runCli(['check', FINISHED, '--from', from, '--to', to, '--port', '80']);

  it('says that it has finished, with its phase, and holds no address', async () => {
    const pod = await check('x/client', 'x/batch-abc');
    assert.equal(pod.code, 2);
    assert.equal(
      pod.stderr,
      'netpol: x/batch-abc is a pod that has finished (phase Succeeded): ' +
        'it holds no address any more, so no flow goes to or from it\n',
    );
    const failed = await check('x/done[pod]', 'x/client');
    assert.equal(
      failed.stderr,
      'netpol: x/done is a pod that has finished (phase Failed): ' +
        'it holds no address any more, so no flow goes to or from it\n',
    );
  });

  it('says so of the Job whose pods have all finished', async () => {
    const expected =
      'netpol: x/batch[Job] has only pods that have finished, x/batch-abc (Succeeded): ' +
      'they hold no address any more, so no flow goes to or from them\n';
    assert.equal((await check('x/client', 'x/batch')).stderr, expected);
    assert.equal((await check('x/batch[Job]', 'x/client')).stderr, expected);
    const matrix = await runCli(['matrix', FINISHED, '--port', '80', '--to', 'x/batch']);
    assert.equal(matrix.code, 2);
    assert.equal(matrix.stderr, expected);
  });
});
