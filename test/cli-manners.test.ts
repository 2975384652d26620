import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatFindings } from '../src/report/lint.js';
import { InvalidInputError } from '../src/pipeline/inputs.js';
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
      "error: option '--port <port>' argument '0' is invalid. a port is a number from 1 to 65535\n" +
        'see netpol matrix --help\n',
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

  it('takes -o txt and -o text alike wherever there is a text format', async () => {
    const commands: string[][] = [
      ['check', TINY, '--from', 'y/c', '--to', 'x/a', '--port', '80'],
      ['matrix', TINY, '--port', '80'],
      ['validate', TINY],
      ['list', TINY],
      ['diff', TINY, 'test/golden/list/v1'],
      ['lint', TINY],
      ['exposure', TINY],
    ];
    for (const command of commands) {
      const plain = await runCli(command);
      for (const format of ['txt', 'text']) {
        const run = await runCli([...command, '-o', format]);
        assert.equal(run.stdout, plain.stdout, `${command[0]} -o ${format}`);
        assert.equal(run.code, plain.code, `${command[0]} -o ${format}`);
      }
    }
    const table = await runCli(['render', 'contrail', 'examples/contrail', '-o', 'table']);
    assert.equal((await runCli(['render', 'contrail', 'examples/contrail', '-o', 'text'])).stdout, table.stdout);
    const wrong = await runCli(['list', TINY, '-o', 'yaml']);
    assert.equal(
      wrong.stderr,
      "error: option '-o, --output <format>' argument 'yaml' is invalid. " +
        'Allowed choices are txt, text, csv, json, md, dot, html.\nsee netpol list --help\n',
    );
  });

  it('validate writes JSON: what was read, and each problem with its place, object and field', async () => {
    const run = await runCli(['validate', 'test/golden/invalid.yaml', TINY, '-o', 'json']);
    assert.equal(run.code, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      valid: false,
      objects: 6,
      invalidObjects: 1,
      problems: [
        {
          file: 'test/golden/invalid.yaml',
          line: 11,
          kind: 'NetworkPolicy',
          namespace: 'x',
          name: 'broken',
          field: 'spec.ingress[0].ports[0].endPort',
          message: 'spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to `port`',
        },
        {
          file: 'test/golden/invalid.yaml',
          line: 8,
          kind: 'NetworkPolicy',
          namespace: 'x',
          name: 'broken',
          field: 'spec.ingress[0].from[0]',
          message: 'spec.ingress[0].from[0]: Required value: must specify a peer',
        },
      ],
      skipped: [{ file: TINY, line: 30, message: 'skipped v1 ConfigMap x/settings: not a kind netpol uses' }],
    });
    const valid = await runCli(['validate', TINY, '-o', 'json']);
    assert.equal(valid.code, 0);
    assert.equal(JSON.parse(valid.stdout).valid, true);
  });

  it('matrix writes JSON: every flow of the table, the diagonal left out', async () => {
    const run = await runCli(['matrix', TINY, '--port', '80', '-o', 'json']);
    assert.equal(run.code, 0);
    // From test/golden/matrix-tcp-80.txt: only y/c => x/a is denied.
    assert.deepEqual(JSON.parse(run.stdout), {
      protocol: 'TCP',
      port: 80,
      sources: ['x/a', 'x/b', 'y/c'],
      destinations: ['x/a', 'x/b', 'y/c'],
      flows: [
        { src: 'x/a', dst: 'x/b', allowed: true },
        { src: 'x/a', dst: 'y/c', allowed: true },
        { src: 'x/b', dst: 'x/a', allowed: true },
        { src: 'x/b', dst: 'y/c', allowed: true },
        { src: 'y/c', dst: 'x/a', allowed: false },
        { src: 'y/c', dst: 'x/b', allowed: true },
      ],
    });
  });

  it('counts in words: 1 error, 2 errors', async () => {
    const at = { file: 'p.yaml', line: 1 };
    const one = (severity: 'error' | 'warning' | 'info') => ({
      severity,
      code: 'c',
      location: at,
      message: 'm',
      fix: 'f',
    });
    assert.match(formatFindings([one('error'), one('warning'), one('info')], 'txt'), /\n1 error, 1 warning, 1 note\n$/);
    assert.match(formatFindings([one('error'), one('error')], 'txt'), /\n2 errors, 0 warnings, 0 notes\n$/);
    const policy =
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n' +
      'spec: {podSelector: {}, ingress: [{from: [{}]}]}';
    const invalid = await runCli(['validate', '-'], policy);
    assert.match(invalid.stdout, /\n1 of 1 object invalid, 1 problem\n$/);
    const valid = await runCli(['validate', TINY, 'test/golden/list/v1']);
    assert.match(valid.stdout, /^\d+ objects valid, 1 skipped\n$/m);
    assert.equal(new InvalidInputError([], []).message, '0 problems in the input');
    const render = await runCli(['render', 'ironcore', 'examples/ironcore/shop']);
    assert.match(render.stdout, /message: 1 address of network interfaces selected\n/);
    assert.match(render.stdout, /message: NetworkPolicyRule apinet\/default-my-network-policy holds 1 target\n/);
  });

  it('prints names and file names with control characters escaped, so no input can forge a line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-names-'));
    const file = join(dir, 'evil\nnetpol: all clear.yaml');
    const policy = (name: string) =>
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n' +
      `metadata: {name: ${JSON.stringify(name)}, namespace: x}\nspec: {podSelector: {}}`;
    writeFileSync(file, policy('a\nb\u001b[2K\u2028c'));
    const run = await runCli(['validate', dir]);
    assert.equal(run.code, 1);
    const lines = run.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 2, 'the problem and the summary');
    assert.equal(
      lines[0]!.slice(0, lines[0]!.indexOf(': metadata.name')),
      `${dir}/evil\\nnetpol: all clear.yaml:3: NetworkPolicy x/a\\nb\\x1b[2K\\u2028c`,
      'the name and the file escaped',
    );
    const configMap = 'apiVersion: v1\nkind: "Config\\rMap"\nmetadata: {name: "m\\nnetpol: forged", namespace: x}';
    const skipped = await runCli(['validate', '-', '-v'], configMap);
    assert.equal(
      skipped.stderr,
      '<stdin>:1: skipped v1 Config\\rMap x/m\\nnetpol: forged: not a kind netpol uses\n' +
        'netpol: skipped 1 object: Config\\rMap (1)\n' +
        'netpol: the input holds no object netpol reads\n',
    );
  });

  it(
    'focuses on several workloads, comma-separated, ' + 'and names close candidates for a name that matches none',
    async () => {
      const V1 = 'test/golden/list/v1';
      const both = await runCli([
        'list',
        V1,
        '--focus-workload',
        'web/frontend, postgres',
        '--focus-direction',
        'ingress',
      ]);
      assert.equal(both.code, 0, both.stderr);
      // From test/golden/list/list.txt, by hand: what reaches frontend, and what reaches postgres.
      assert.equal(
        both.stdout,
        [
          '0.0.0.0-255.255.255.255[External] => web/frontend[Deployment] : All Connections',
          'db/postgres[Deployment] => web/frontend[Deployment] : All Connections',
          'web/debug[Pod] => web/frontend[Deployment] : All Connections',
          'web/frontend[Deployment] => db/postgres[Deployment] : TCP 5432',
          '',
        ].join('\n'),
      );
      const typo = await runCli(['list', V1, '--focus-workload', 'fronted']);
      assert.equal(typo.code, 2);
      assert.equal(typo.stdout, '');
      assert.equal(
        typo.stderr,
        'netpol: --focus-workload "fronted" matches no workload; did you mean web/frontend[Deployment]?\n',
      );
      const namespace = await runCli(['list', V1, '--focus-workload', 'web/frontend,wbe/debug']);
      assert.equal(
        namespace.stderr,
        'netpol: --focus-workload "wbe/debug" matches no workload; did you mean web/debug[Pod]?\n',
      );
      const far = await runCli(['list', V1, '--focus-workload', 'zzzzzzzz']);
      assert.equal(
        far.stderr,
        'netpol: --focus-workload "zzzzzzzz" matches no workload; ' +
          'the workloads are db/postgres[Deployment], web/debug[Pod], web/frontend[Deployment]\n',
      );
    },
  );
});
