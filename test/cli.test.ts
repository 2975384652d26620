import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { golden, runCli } from './support/cli.js';

const TINY = 'test/golden/tiny.yaml';

describe('netpol CLI', () => {
  it('matrix prints the upstream truth table', async () => {
    const run80 = await runCli(['matrix', TINY, '--port', '80']);
    assert.equal(run80.code, 0);
    assert.equal(run80.stdout, golden('matrix-tcp-80.txt'));
    assert.equal(run80.stderr, 'netpol: skipped 1 object: ConfigMap (1); -v lists it\n');
    const verbose = await runCli(['matrix', TINY, '--port', '80', '-v']);
    assert.equal(
      verbose.stderr,
      'test/golden/tiny.yaml:30: skipped v1 ConfigMap x/settings: not a kind netpol uses\n' +
        'netpol: skipped 1 object: ConfigMap (1)\n',
    );
    const run81 = await runCli(['matrix', TINY, '--port', '81', '--protocol', 'tcp']);
    assert.equal(run81.stdout, golden('matrix-tcp-81.txt'), "81 is not a's http port, so nobody reaches a on 81");
  });

  it('check explains a denial and exits 1', async () => {
    const run = await runCli(['check', TINY, '--from', 'y/c', '--to', 'x/a', '--port', '80']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, golden('check-denied.txt'));
  });

  it('check explains an allowed flow and exits 0, as text and as JSON', async () => {
    const text = await runCli(['check', TINY, '--from', 'x/b', '--to', 'x/a', '--port', '80']);
    assert.equal(text.code, 0);
    assert.equal(text.stdout, golden('check-allowed.txt'));
    const json = await runCli(['check', TINY, '--from', 'x/b', '--to', 'x/a', '--port', '80', '-o', 'json']);
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.stdout), JSON.parse(golden('check-allowed.json')));
  });

  it('check treats an address outside every endpoint as an external peer, and a pod address as the pod', async () => {
    const external = await runCli([
      'check',
      TINY,
      '--from',
      '203.0.113.9',
      '--to',
      'x/a',
      '--port',
      '80',
      '-o',
      'json',
    ]);
    assert.equal(external.code, 1);
    assert.deepEqual(JSON.parse(external.stdout).flow.src, { kind: 'external', ip: '203.0.113.9' });
    const byAddress = await runCli(['check', TINY, '--from', '10.0.0.2', '--to', '10.0.0.1', '--port', '80']);
    assert.equal(byAddress.code, 0);
    assert.match(byAddress.stdout, /^allowed: x\/b \(10\.0\.0\.2\) => x\/a/);
  });

  it('check names the endpoints it knows when a peer is unknown', async () => {
    const run = await runCli(['check', TINY, '--from', 'x/nope', '--to', 'x/a', '--port', '80']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no workload, pod or IP address "x\/nope"; in x: x\/a\[Pod\], x\/b\[Pod\]\n/);
  });

  it('validate reports each problem with file:line and exits 1', async () => {
    const run = await runCli(['validate', 'test/golden/invalid.yaml']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, golden('validate-invalid.txt'));
    const ok = await runCli(['validate', TINY]);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout, '4 objects valid, 1 skipped\n');
  });

  it('analysis commands refuse invalid input with the same messages', async () => {
    const run = await runCli(['matrix', 'test/golden/invalid.yaml', TINY, '--port', '80']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /invalid\.yaml:8: NetworkPolicy x\/broken: spec\.ingress\[0\]\.from\[0\]: Required value: must specify a peer/,
    );
    assert.match(run.stderr, /refusing to analyse invalid input \(2 problems\)/);
  });

  it('reads standard input for -', async () => {
    const run = await runCli(['matrix', '-', '--port', '80'], readFileSync(TINY, 'utf8'));
    assert.equal(run.stdout, golden('matrix-tcp-80.txt'));
  });

  it('rejects bad arguments with exit 2', async () => {
    assert.equal((await runCli(['matrix', TINY, '--port', '0'])).code, 2);
    assert.equal((await runCli(['matrix', TINY, '--port', '80', '--protocol', 'ICMP'])).code, 2);
    assert.equal((await runCli(['check', TINY, '--to', 'x/a', '--port', '80'])).code, 2);
  });

  it('runs as an executable, with the exit code scripts rely on', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'check', TINY, '--from', 'y/c', '--to', 'x/a', '--port', '80'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(run.status, 1);
    assert.equal(run.stdout, golden('check-denied.txt'));
  });
});
