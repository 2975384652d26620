import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n';
const PODS =
  'apiVersion: v1\nkind: Pod\nmetadata: {name: web-0, namespace: app, labels: {app: web}}\n' +
  'spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n---\n' +
  'apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: app}\nspec: {containers: [{name: c}]}\n';
/** `app/web` allowing all ingress to the web pods. */
const ALLOW =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: app}\n' +
  'spec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{}]\n';
/** `app/web` again, denying all ingress to them. */
const DENY =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: app}\n' +
  'spec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n';

function directory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-dup-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('an object given twice (one kind, namespace and name)', () => {
  const dir = directory({ 'a.yaml': `${NS}---\n${PODS}`, 'b.yaml': ALLOW, 'c.yaml': DENY });
  const warning =
    `netpol: warning: NetworkPolicy app/web is defined twice, at ${dir}/b.yaml:1 and ${dir}/c.yaml:1: ` +
    'the results read the later, as kubectl apply leaves it\n';
  const check = ['check', dir, '--from', 'app/client', '--to', 'app/web-0', '--port', '80'];

  it('is read as kubectl apply leaves it: the later in input order, with one warning naming both places', async () => {
    const run = await runCli(check);
    assert.equal(run.code, 1, 'the later policy denies; the earlier, which allowed, is no longer in the cluster');
    assert.equal(run.stderr, warning);
    const quiet = await runCli([...check, '-q']);
    assert.equal(quiet.stderr, warning, '-q silences skip lines, not this');
    const swapped = directory({ 'a.yaml': `${NS}---\n${PODS}`, 'b.yaml': DENY, 'c.yaml': ALLOW });
    assert.equal((await runCli(['check', swapped, ...check.slice(2)])).code, 0);
  });

  it('in one file after ---, and in the JSON of check, matrix and validate', async () => {
    const run = await runCli(
      [...check.slice(0, 1), '-', ...check.slice(2), '-o', 'json'],
      `${NS}---\n${PODS}---\n${ALLOW}---\n${DENY}`,
    );
    assert.equal(run.code, 1);
    const message =
      'NetworkPolicy app/web is defined twice, at <stdin>:15 and <stdin>:22: ' +
      'the results read the later, as kubectl apply leaves it';
    assert.deepEqual(JSON.parse(run.stdout).warnings, [{ file: '<stdin>', line: 22, message }]);
    const matrix = await runCli(['matrix', dir, '--port', '80', '-o', 'json']);
    assert.equal(JSON.parse(matrix.stdout).warnings.length, 1);
    const validate = await runCli(['validate', dir, '-o', 'json']);
    assert.equal(validate.code, 0, 'kubectl apply accepts the second as an update of the first');
    const report = JSON.parse(validate.stdout);
    assert.equal(report.objects, 5);
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0].message, /NetworkPolicy app\/web is defined twice/);
    assert.equal(validate.stderr, warning);
  });

  it('is an error of lint duplicate-policy, as the README says for the same name twice', async () => {
    const run = await runCli(['lint', dir, '-o', 'json']);
    const duplicates = JSON.parse(run.stdout).filter((f: { code: string }) => f.code === 'duplicate-policy');
    assert.deepEqual(
      duplicates.map((f: { severity: string; location: { file: string; line: number } }) => [
        f.severity,
        f.location.file,
        f.location.line,
      ]),
      [['error', `${dir}/c.yaml`, 1]],
    );
    assert.equal(run.code, 1);
  });

  it('counts an extensions/v1beta1 and a networking.k8s.io/v1 NetworkPolicy of one name as one object', async () => {
    const legacy = ALLOW.replace('networking.k8s.io/v1', 'extensions/v1beta1');
    const run = await runCli(['list', '-'], `${NS}---\n${PODS}---\n${legacy}---\n${DENY}`);
    // The later (deny all ingress to web) is the cluster's: nothing reaches web-0, everything else is open.
    assert.equal(
      run.stdout,
      [
        '0.0.0.0-255.255.255.255[External] => app/client[Pod] : All Connections',
        'app/client[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'app/web-0[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections',
        'app/web-0[Pod] => app/client[Pod] : All Connections',
        '',
      ].join('\n'),
    );
    assert.match(run.stderr, /NetworkPolicy app\/web is defined twice/);
  });
});
