/**
 * `netpol agent`'s choice of source and its probe address, checked before anything touches the kernel or the
 * network: no root needed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

describe('netpol agent: files or the Kubernetes API', () => {
  it('refuses paths together with --kubeconfig or --context, naming both', async () => {
    const withKubeconfig = await runCli(['agent', 'examples/shop', '--node', 'n1', '--kubeconfig', 'k.yaml']);
    assert.equal(withKubeconfig.code, 2);
    assert.equal(
      withKubeconfig.stderr,
      'netpol: the agent follows files or the Kubernetes API, not both: paths (examples/shop) and --kubeconfig ' +
        'exclude each other\n',
    );
    const withContext = await runCli(['agent', 'a', 'b', '--node', 'n1', '--context', 'prod']);
    assert.equal(withContext.code, 2);
    assert.match(withContext.stderr, /paths \(a, b\) and --context exclude each other/);
  });

  it('refuses --exclude without paths: the API has no files to leave out', async () => {
    const run = await runCli(['agent', '--node', 'n1', '--kubeconfig', 'k.yaml', '--exclude', '*.bak']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^netpol: --exclude leaves out files under the paths/);
  });

  it('says which kubeconfig cannot be read, and exits 2', async () => {
    const run = await runCli(['agent', '--node', 'n1', '--kubeconfig', '/nonexistent/kubeconfig']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^netpol: cannot read the kubeconfig \/nonexistent\/kubeconfig: no such file/);
    const dir = mkdtempSync(join(tmpdir(), 'netpol-kubeconfig-'));
    const broken = join(dir, 'config');
    writeFileSync(broken, 'garbage: [\n');
    const unparsable = await runCli(['agent', '--node', 'n1', '--kubeconfig', broken]);
    rmSync(dir, { recursive: true });
    assert.equal(unparsable.code, 2);
    assert.ok(unparsable.stderr.startsWith(`netpol: cannot read the kubeconfig ${broken}: `), unparsable.stderr);
  });

  it('refuses a resync period longer than a timer can wait (it would fire at once, over and over)', async () => {
    for (const command of [
      ['agent', '--node', 'n1'],
      ['controller', 'ironcore'],
    ]) {
      const run = await runCli([...command, '--resync', '1e9']);
      assert.equal(run.code, 2, command.join(' '));
      assert.match(run.stderr, /'1e9' is invalid\. a number of seconds, from 0 \(never\) to 2147483/);
    }
  });

  it('takes --metrics-address as the controller does, and refuses what is not HOST:PORT', async () => {
    const bad = await runCli(['agent', '--node', 'n1', '--metrics-address', '9710']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--metrics-address <host:port>.*9710: not HOST:PORT/);
    const v6 = await runCli(['agent', '--node', 'n1', '--metrics-address', '::1:9710']);
    assert.equal(v6.code, 2);
    assert.match(v6.stderr, /an IPv6 address goes in brackets/);
    const help = await runCli(['agent', '--help']);
    assert.match(help.stdout, /--metrics-address <host:port>[\s\S]*\(default: 127\.0\.0\.1:9710\)/);
    assert.match(help.stdout, /Usage: netpol agent \[options\] \[paths\.\.\.\]/);
  });
});
