import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { golden, runCli } from './support/cli.js';

describe('netpol lint', () => {
  it('finds each planted mistake, with severity, file:line and a fix', async () => {
    const run = await runCli(['lint', 'test/golden/lint/mistakes.yaml']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, golden('lint/mistakes.txt'));
  });

  it('is quiet on a sound setup, and exits 0', async () => {
    const run = await runCli(['lint', 'examples/shop']);
    assert.equal(run.stdout, '0 errors, 0 warnings, 0 notes\n');
    assert.equal(run.code, 0);
  });

  it('finds DNS blocked in the conformance deny-all-egress shape against a real kube-dns pod', async () => {
    const yaml = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}\nspec: {containers: [{name: c, ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]}]}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c}]}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns-udp-only, namespace: x}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{protocol: UDP, port: 53}]}]}',
    ].join('\n---\n');
    const run = await runCli(['lint', '-', '-o', 'json', '--fail-on', 'error'], yaml);
    const codes = JSON.parse(run.stdout).map((f: { code: string }) => f.code);
    assert.deepEqual(codes, ['egress-blocks-dns'], 'UDP alone is not enough: DNS falls back to TCP');
    assert.equal(run.code, 1);
  });
});
