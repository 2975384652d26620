import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

const TINY = 'test/golden/tiny.yaml';

describe('netpol command-line manners', () => {
  it('answers a usage error with its one line and where to read more, not the whole help', async () => {
    const missing = await runCli(['list']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, "error: missing required argument 'paths'\nsee netpol list --help\n");
    const badPort = await runCli(['matrix', TINY, '--port', '0']);
    assert.equal(
      badPort.stderr,
      "error: option '--port <port>' argument '0' is invalid. a port is a number from 1 to 65535\nsee netpol matrix --help\n",
    );
    const nested = await runCli(['render', 'nftables', TINY]);
    assert.equal(
      nested.stderr,
      "error: required option '--node <name>' not specified\nsee netpol render nftables --help\n",
    );
    const unknown = await runCli(['lsit', TINY]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "error: unknown command 'lsit'\n(Did you mean list?)\nsee netpol --help\n");
    const direction = await runCli(['list', TINY, '--focus-direction', 'ingress']);
    assert.equal(direction.code, 2);
    assert.equal(direction.stderr, 'error: --focus-direction needs --focus-workload\nsee netpol list --help\n');
  });
});
