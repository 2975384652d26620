import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { golden, runCli } from './support/cli.js';

const V1 = 'test/golden/list/v1';
const V2 = 'test/golden/list/v2';

describe('netpol list', () => {
  it("prints one line per allowed pair, sorted, with external ranges cut at the rules' CIDRs", async () => {
    const run = await runCli(['list', V1]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, golden('list/list.txt'));
  });

  it('focuses on a workload and a direction', async () => {
    const egress = await runCli(['list', V1, '--focus-workload', 'web/frontend', '--focus-direction', 'egress']);
    assert.equal(egress.stdout, golden('list/list-focus-frontend-egress.txt'));
    const both = await runCli(['list', V1, '--focus-workload', 'postgres', '-o', 'csv']);
    assert.equal(both.stdout, golden('list/list-focus-postgres.csv'));
  });

  it('writes md, json and dot', async () => {
    const focus = ['--focus-workload', 'web/debug[Pod]', '--focus-direction', 'ingress'];
    assert.equal((await runCli(['list', V1, ...focus, '-o', 'md'])).stdout, golden('list/list-focus-debug-ingress.md'));
    assert.deepEqual(
      JSON.parse((await runCli(['list', V1, ...focus, '-o', 'json'])).stdout),
      JSON.parse(golden('list/list-focus-debug-ingress.json')),
    );
    assert.equal(
      (await runCli(['list', V1, ...focus, '-o', 'dot'])).stdout,
      golden('list/list-focus-debug-ingress.dot'),
    );
  });

  it('writes one self-contained html page with the matrix', async () => {
    const html = (await runCli(['list', V1, '-o', 'html'])).stdout;
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|<link|src=/, 'nothing loaded from elsewhere');
    const body = html.slice(html.indexOf('<tbody>'));
    const rows = body.match(/<tr><th>[^<]*<\/th>/g)!.map((r) => r.slice(8, -5));
    assert.deepEqual(rows, [
      '0.0.0.0-255.255.255.255[External]',
      'db/postgres[Deployment]',
      'web/debug[Pod]',
      'web/frontend[Deployment]',
    ]);
    assert.match(html, /<td class="some">TCP 5432,UDP 53<\/td>/);
  });

  it('keeps the sources of an ipBlock apart from its destinations when both are cut into as many ranges', async () => {
    // Ingress cuts at 10.0.0.0/30 and 10.0.0.2/32: 0.0.0.0-9.255.255.255, 10.0.0.0-10.0.0.1, 10.0.0.2, 10.0.0.3,
    // 10.0.0.4-255.255.255.255. Egress cuts at 10.0.0.2/32 and 192.0.2.0/24: five ranges as well. The same
    // ipBlock 10.0.0.2/32 is in both directions: it is the third source range and the second destination range.
    const yaml = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n' +
        'spec: {containers: [{name: c}]}\nstatus: {podIP: 10.0.0.1}',
      [
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: x}\nspec:',
        '  podSelector: {matchLabels: {app: a}}',
        '  ingress:',
        '  - {from: [{ipBlock: {cidr: 10.0.0.2/32}}], ports: [{port: 53}]}',
        '  - {from: [{ipBlock: {cidr: 10.0.0.0/30}}], ports: [{port: 80}]}',
        '  egress:',
        '  - {to: [{ipBlock: {cidr: 10.0.0.2/32}}], ports: [{port: 53}]}',
        '  - {to: [{ipBlock: {cidr: 192.0.2.0/24}}], ports: [{port: 443}]}',
      ].join('\n'),
    ].join('\n---\n');
    const run = await runCli(['list', '-'], yaml);
    assert.equal(
      run.stdout,
      [
        '10.0.0.0-10.0.0.1[External] => x/a[Pod] : TCP 80',
        '10.0.0.2-10.0.0.2[External] => x/a[Pod] : TCP 53,80',
        '10.0.0.3-10.0.0.3[External] => x/a[Pod] : TCP 80',
        'x/a[Pod] => 10.0.0.2-10.0.0.2[External] : TCP 53',
        'x/a[Pod] => 192.0.2.0-192.0.2.255[External] : TCP 443',
        '',
      ].join('\n'),
    );
  });

  it('refuses --focus-direction without a workload', async () => {
    assert.equal((await runCli(['list', V1, '--focus-direction', 'ingress'])).code, 2);
  });
});

describe('netpol diff', () => {
  it('prints each changed pair, on ranges cut by both sides, and exits 1', async () => {
    const run = await runCli(['diff', V1, V2]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, golden('list/diff.txt'));
    assert.equal((await runCli(['diff', V1, V2, '-o', 'csv'])).stdout, golden('list/diff.csv'));
    assert.equal((await runCli(['diff', V1, V2, '-o', 'md'])).stdout, golden('list/diff.md'));
    assert.deepEqual(
      JSON.parse((await runCli(['diff', V1, V2, '-o', 'json'])).stdout),
      JSON.parse(golden('list/diff.json')),
    );
  });

  it('exits 0 and prints nothing when nothing changes', async () => {
    const run = await runCli(['diff', V1, V1]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, '');
  });

  it('reads removed pairs in the other direction', async () => {
    const run = await runCli(['diff', V2, V1, '-o', 'json']);
    const types = JSON.parse(run.stdout).map((d: { diffType: string }) => d.diffType);
    assert.deepEqual(types, ['removed', 'removed', 'removed', 'changed']);
  });
});

describe('netpol exposure', () => {
  it(
    'reports unprotected workloads and what reaches each ' + 'from outside, from any namespace and from everything',
    async () => {
      const run = await runCli(['exposure', V1]);
      assert.equal(run.code, 0);
      assert.equal(run.stdout, golden('list/exposure.txt'));
    },
  );

  it('tells a namespaceSelector {} (any namespace, not outside) from an empty rule (everything)', async () => {
    const yaml = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: internal, namespace: x, labels: {app: internal}}\n' +
        'spec: {containers: [{name: c}]}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: public, namespace: x, labels: {app: public}}\n' +
        'spec: {containers: [{name: c}]}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: internal, namespace: x}\n' +
        'spec: {podSelector: {matchLabels: {app: internal}}, ' +
        'ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 8080}]}]}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: public, namespace: x}\n' +
        'spec: {podSelector: {matchLabels: {app: public}}, ingress: [{ports: [{port: 443}]}]}',
    ].join('\n---\n');
    const report = JSON.parse((await runCli(['exposure', '-', '-o', 'json'], yaml)).stdout);
    assert.deepEqual(
      report.map((w: Record<string, string>) => [w.workload, w.fromEverything, w.fromOutside, w.fromAnyNamespace]),
      [
        ['x/internal[Pod]', 'No Connections', 'No Connections', 'TCP 8080'],
        ['x/public[Pod]', 'TCP 443', 'TCP 443', 'TCP 443'],
      ],
    );
  });
});
