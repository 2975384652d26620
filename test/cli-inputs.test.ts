import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { golden, runCli } from './support/cli.js';

const TINY = 'test/golden/tiny.yaml';
const INVALID = 'test/golden/invalid.yaml';

const object = (kind: string, name: string, apiVersion = 'v1') =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}, namespace: x}`;
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {containers: [{name: c}]}';
/** A directory as users keep it: a pod among Services and ConfigMaps. */
const KEPT = [
  POD,
  ...['a', 'b', 'c', 'd', 'e'].map((n) => object('Service', n)),
  object('ConfigMap', 'one'),
  object('ConfigMap', 'two'),
].join('\n---\n');

describe('netpol reading paths', () => {
  it('sums up what it skipped in one line, by kind; -v lists each, -q says nothing', async () => {
    const run = await runCli(['list', '-'], KEPT);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, 'netpol: skipped 7 objects: Service (5), ConfigMap (2); -v lists them\n');
    const verbose = await runCli(['list', '-', '-v'], KEPT);
    assert.equal(
      verbose.stderr,
      [
        '<stdin>:6: skipped v1 Service x/a: not a kind netpol uses',
        '<stdin>:10: skipped v1 Service x/b: not a kind netpol uses',
        '<stdin>:14: skipped v1 Service x/c: not a kind netpol uses',
        '<stdin>:18: skipped v1 Service x/d: not a kind netpol uses',
        '<stdin>:22: skipped v1 Service x/e: not a kind netpol uses',
        '<stdin>:26: skipped v1 ConfigMap x/one: not a kind netpol uses',
        '<stdin>:30: skipped v1 ConfigMap x/two: not a kind netpol uses',
        'netpol: skipped 7 objects: Service (5), ConfigMap (2)',
        '',
      ].join('\n'),
    );
    assert.equal((await runCli(['list', '-', '-q'], KEPT)).stderr, '');
    const one = await runCli(['matrix', TINY, '--port', '80']);
    assert.equal(one.stderr, 'netpol: skipped 1 object: ConfigMap (1); -v lists it\n');
    const validate = await runCli(['validate', '-'], KEPT);
    assert.equal(validate.stderr, 'netpol: skipped 7 objects: Service (5), ConfigMap (2); -v lists them\n');
    assert.equal(validate.stdout, '1 object valid, 7 skipped\n');
    const both = await runCli(['list', '-', '-q', '-v'], KEPT);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^error: option '-q, --quiet' cannot be used with option '-v, --verbose'\n/);
  });

  it('says when the input is empty, or holds nothing netpol reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-empty-'));
    const empty = await runCli(['list', dir]);
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, '');
    assert.equal(empty.stderr, `netpol: the input is empty: no Kubernetes object in ${dir}\n`);
    const stdin = await runCli(['lint', '-'], '');
    assert.equal(stdin.stderr, 'netpol: the input is empty: no Kubernetes object in standard input\n');
    const skippedOnly = await runCli(['list', '-'], object('ConfigMap', 'one'));
    assert.equal(
      skippedOnly.stderr,
      'netpol: skipped 1 object: ConfigMap (1); -v lists it\nnetpol: the input holds no object netpol reads\n',
    );
    const validate = await runCli(['validate', dir]);
    assert.equal(validate.stdout, '0 objects valid\n');
    assert.equal(validate.stderr, `netpol: the input is empty: no Kubernetes object in ${dir}\n`);
  });

  it(
    'refuses invalid objects by default; ' + '--skip-invalid analyses the rest and says first what it left out',
    async () => {
      const refused = await runCli(['matrix', INVALID, TINY, '--port', '80']);
      assert.equal(refused.code, 2);
      assert.equal(refused.stdout, '');
      const run = await runCli(['matrix', INVALID, TINY, '--port', '80', '--skip-invalid']);
      assert.equal(run.code, 0, run.stderr);
      // By hand: x/fine (podSelector {}, no rules) isolates x/a and x/b for ingress; x/a-from-b still lets b into a.
      assert.equal(run.stdout, ['-\tx/a\tx/b\ty/c', 'x/a\t#\tX\t.', 'x/b\t.\t#\t.', 'y/c\tX\tX\t#', ''].join('\n'));
      assert.equal(
        run.stderr,
        [
          'netpol: skipped 1 object: ConfigMap (1); -v lists it',
          'netpol: --skip-invalid: the results leave out 1 invalid object: ' +
            'NetworkPolicy x/broken (test/golden/invalid.yaml:1)',
          'test/golden/invalid.yaml:11: NetworkPolicy x/broken: spec.ingress[0].ports[0].endPort: ' +
            'Invalid value: 70: must be greater than or equal to `port`',
          'test/golden/invalid.yaml:8: NetworkPolicy x/broken: spec.ingress[0].from[0]: ' +
            'Required value: must specify a peer',
          '',
        ].join('\n'),
      );
      const unreadable = await runCli(
        ['check', '-', TINY, '--from', 'x/b', '--to', 'x/a', '--port', '80', '--skip-invalid', '-q'],
        'a: [',
      );
      assert.equal(unreadable.code, 0, unreadable.stderr);
      assert.equal(unreadable.stdout, golden('check-allowed.txt'));
      assert.match(
        unreadable.stderr,
        new RegExp(
          String.raw`^netpol: --skip-invalid: the results leave out 1 document that could not be read: <stdin>:\d+\n` +
            String.raw`<stdin>:\d+: YAML syntax error: `,
        ),
      );
    },
  );
});
