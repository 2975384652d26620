import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { golden, runCli } from './support/cli.js';

const TEXTBOOK = 'test/fixtures/textbook';

interface JsonFinding {
  severity: string;
  code: string;
  message: string;
  fix: string;
}
const findings = (stdout: string): JsonFinding[] => JSON.parse(stdout) as JsonFinding[];

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

  it('passes correct textbook policies with the default --fail-on warning', async () => {
    const files = readdirSync(TEXTBOOK).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 8, 'the textbook examples are there');
    for (const file of files) {
      const run = await runCli(['lint', `${TEXTBOOK}/${file}`]);
      assert.equal(run.code, 0, `${file}:\n${run.stdout}`);
      const json = await runCli(['lint', `${TEXTBOOK}/${file}`, '-o', 'json']);
      const serious = findings(json.stdout).filter((f) => f.severity !== 'info');
      assert.deepEqual(serious, [], file);
    }
  });

  it('takes the DNS rule it suggests as the fix, with no kube-system namespace in the input', async () => {
    const run = await runCli(['lint', `${TEXTBOOK}/default-deny-with-dns.yaml`, '-o', 'json']);
    assert.deepEqual(findings(run.stdout), [], 'neither egress-blocks-dns nor peer-matches-nothing on the DNS peer');
  });

  it('names the protocol on which kube-dns cannot be reached', async () => {
    const policy = (namespace: string, ports: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns, namespace: ${namespace}}\n` +
      `spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: ${ports}}]}`;
    const pod = (namespace: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: ${namespace}}\nspec: {containers: [{name: c}]}`;
    const yaml = [
      pod('udp'),
      policy('udp', '[{protocol: UDP, port: 53}]'),
      pod('tcp'),
      policy('tcp', '[{protocol: TCP, port: 53}]'),
      pod('none'),
      policy('none', '[{protocol: TCP, port: 443}]'),
    ].join('\n---\n');
    const run = await runCli(['lint', '-', '-o', 'json'], yaml);
    const dns = findings(run.stdout).filter((f) => f.code === 'egress-blocks-dns');
    const fix =
      'add an egress rule to namespaceSelector {kubernetes.io/metadata.name: kube-system} ' +
      'with podSelector {k8s-app: kube-dns} on';
    assert.deepEqual(
      dns.map((f) => [f.message, f.fix]),
      [
        [
          'egress isolation by udp/dns leaves udp/a[Pod] unable to reach kube-dns on TCP 53 ' +
            '(kube-dns assumed in kube-system)',
          `${fix} TCP 53`,
        ],
        [
          'egress isolation by tcp/dns leaves tcp/a[Pod] unable to reach kube-dns on UDP 53 ' +
            '(kube-dns assumed in kube-system)',
          `${fix} UDP 53`,
        ],
        [
          'egress isolation by none/dns leaves none/a[Pod] unable to reach kube-dns on UDP and TCP 53 ' +
            '(kube-dns assumed in kube-system)',
          `${fix} UDP 53 and TCP 53`,
        ],
      ],
    );
  });

  it('finds DNS blocked in the conformance deny-all-egress shape against a real kube-dns pod', async () => {
    const yaml = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}\n' +
        'spec: {containers: [{name: c, ports: ' +
        '[{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]}]}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c}]}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns-udp-only, namespace: x}\n' +
        'spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{protocol: UDP, port: 53}]}]}',
    ].join('\n---\n');
    const run = await runCli(['lint', '-', '-o', 'json', '--fail-on', 'error'], yaml);
    const codes = JSON.parse(run.stdout).map((f: { code: string }) => f.code);
    assert.deepEqual(codes, ['egress-blocks-dns'], 'UDP alone is not enough: DNS falls back to TCP');
    assert.equal(run.code, 1);
  });
});
