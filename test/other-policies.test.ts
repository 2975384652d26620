import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

const object = (apiVersion: string, kind: string, name: string, namespace?: string): string => {
  const inNamespace = namespace === undefined ? '' : `, namespace: ${namespace}`;
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}${inNamespace}}\n`;
};
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {containers: [{name: c}]}\n';
const INPUT = [
  object('cilium.io/v2', 'CiliumNetworkPolicy', 'a', 'x'),
  object('cilium.io/v2', 'CiliumClusterwideNetworkPolicy', 'a2'),
  object('crd.projectcalico.org/v1', 'NetworkPolicy', 'b', 'x'),
  object('projectcalico.org/v3', 'NetworkPolicy', 'b2', 'x'),
  object('projectcalico.org/v3', 'GlobalNetworkPolicy', 'c'),
  object('crd.antrea.io/v1beta1', 'NetworkPolicy', 'd', 'x'),
  object('crd.antrea.io/v1beta1', 'ClusterNetworkPolicy', 'd2'),
  object('policy.networking.k8s.io/v1alpha1', 'ClusterNetworkPolicy', 'e'),
  object('v1', 'Service', 's', 'x'),
  object('crd.projectcalico.org/v1', 'NetworkPolicy', 'b3', 'x'),
  POD,
].join('---\n');
const WARNING =
  'netpol: warning: the results ignore 9 policies that netpol does not read but a cluster may enforce: ' +
  'NetworkPolicy.crd.projectcalico.org (2), CiliumClusterwideNetworkPolicy.cilium.io (1), ' +
  'CiliumNetworkPolicy.cilium.io (1), ClusterNetworkPolicy.crd.antrea.io (1), ' +
  'ClusterNetworkPolicy.policy.networking.k8s.io (1), GlobalNetworkPolicy.projectcalico.org (1), ' +
  'NetworkPolicy.crd.antrea.io (1), NetworkPolicy.projectcalico.org (1)\n';

describe('policies of other systems', () => {
  it('get a warning, even with -q, by kind and group with counts; the skip line names their groups', async () => {
    const run = await runCli(['list', '-'], INPUT);
    assert.equal(run.code, 0);
    assert.equal(
      run.stderr,
      'netpol: skipped 10 objects: NetworkPolicy.crd.projectcalico.org (2), CiliumClusterwideNetworkPolicy.cilium.io ' +
        '(1), CiliumNetworkPolicy.cilium.io (1), ClusterNetworkPolicy (1), ClusterNetworkPolicy.crd.antrea.io (1), ' +
        'GlobalNetworkPolicy.projectcalico.org (1), NetworkPolicy.crd.antrea.io (1), NetworkPolicy.projectcalico.org ' +
        `(1), Service (1); -v lists them\n${WARNING}`,
    );
    assert.equal((await runCli(['list', '-', '-q'], INPUT)).stderr, WARNING);
  });

  it('carry the warning in the JSON of validate, check and matrix', async () => {
    const message = WARNING.slice('netpol: warning: '.length, -1);
    const validate = JSON.parse((await runCli(['validate', '-', '-o', 'json', '-q'], INPUT)).stdout);
    assert.deepEqual(validate.warnings, [{ file: '<stdin>', line: 1, message }]);
    const check = await runCli(['check', '-', '--from', 'x/p', '--to', '1.2.3.4', '--port', '80', '-o', 'json'], INPUT);
    assert.deepEqual(JSON.parse(check.stdout).warnings, [{ file: '<stdin>', line: 1, message }]);
    const matrix = await runCli(['matrix', '-', '--port', '80', '-o', 'json'], INPUT);
    assert.deepEqual(JSON.parse(matrix.stdout).warnings, [{ file: '<stdin>', line: 1, message }]);
  });

  it('say nothing for the kinds of no policy system', async () => {
    const run = await runCli(['list', '-', '-q'], `${object('v1', 'Service', 's', 'x')}---\n${POD}`);
    assert.equal(run.stderr, '');
  });
});
