import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { validateObjects } from '../validate/validate.js';
import { buildCluster } from '../policy/cluster.js';
import { loadPaths, loadText } from './load.js';

const NP =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n' +
  'metadata:\n  name: p\n  namespace: x\nspec:\n  podSelector: {}\n';

describe('loader', () => {
  it('reads multi-document YAML with the line each object starts on', () => {
    const text = `# a comment\n${NP}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n`;
    const { objects, problems, skipped } = loadText(text, 'f.yaml');
    assert.deepEqual(problems, []);
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      objects.map((o) => [o.kind, o.name, o.origin.line]),
      [
        ['NetworkPolicy', 'p', 2],
        ['Namespace', 'x', 10],
      ],
    );
    assert.equal(objects[0]!.locate(['spec', 'podSelector']).line, 8);
    assert.equal(
      objects[0]!.locate(['spec', 'ingress', 3]).line,
      7,
      'a missing field is placed at its nearest ancestor',
    );
  });

  it('reads JSON, and expands List and NetworkPolicyList, whose items may omit kind', () => {
    const list = JSON.stringify(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicyList',
        items: [{ metadata: { name: 'a', namespace: 'x' }, spec: { podSelector: {} } }],
      },
      null,
      2,
    );
    const loaded = loadText(list, 'l.json');
    assert.deepEqual(
      loaded.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.name}`),
      ['networking.k8s.io/v1 NetworkPolicy a'],
    );
    assert.equal(loaded.objects[0]!.origin.line, 5);
    const kubectl =
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: x}\n' +
      `- ${NP.replace(/\n/g, '\n  ')}`;
    assert.deepEqual(
      loadText(kubectl, 'k.yaml').objects.map((o) => o.kind),
      ['Pod', 'NetworkPolicy'],
    );
  });

  it('skips other kinds with one line each, never silently', () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: x}\n---\n' +
      'apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: c, namespace: x}\n';
    const { objects, skipped } = loadText(text, 's.yaml');
    assert.deepEqual(objects, []);
    assert.deepEqual(
      skipped.map((s) => `${s.location.line} ${s.message}`),
      [
        '1 skipped v1 Service x/web: not a kind netpol uses',
        '5 skipped crd.projectcalico.org/v1 NetworkPolicy x/c: not a kind netpol uses',
      ],
    );
  });

  it('stops a text at its first syntax error, as kubectl does, with the place', () => {
    const { objects, problems } = loadText(`${NP}---\na: [1, 2\n---\n${NP}`, 'bad.yaml');
    assert.deepEqual(
      objects.map((o) => o.name),
      ['p'],
    );
    assert.deepEqual(
      problems.map((p) => [p.location.line, p.message.split(':')[0]]),
      [[10, 'YAML syntax error']], // where the parser finds the flow sequence unclosed
    );
  });

  it('skips documents that are not Kubernetes objects with one line each, and refuses half an object', () => {
    const text = '- just\n- a list\n---\nname: my-tool\nversion: 1\n---\nplain\n---\nkind: Pod\n';
    const { objects, problems, skipped } = loadText(text, 'mixed.yaml');
    assert.deepEqual(objects, []);
    assert.deepEqual(
      skipped.map((s) => `${s.location.line} ${s.kind ?? '(no kind)'}: ${s.message}`),
      [
        '1 (no kind): skipped a document that is a list, not a Kubernetes object',
        '4 (no kind): skipped a document with neither apiVersion nor kind: not a Kubernetes object',
        '7 (no kind): skipped a document that is a string, not a Kubernetes object',
      ],
    );
    assert.deepEqual(
      problems.map((p) => `${p.location.line} ${p.message}`),
      ['9 Pod object without apiVersion: set apiVersion'],
    );
  });

  it('walks directories recursively, in order, reading .yaml, .yml and .json only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-load-'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'b', 'two.yml'), NP.replace('name: p', 'name: two'));
    writeFileSync(join(dir, 'a.yaml'), NP.replace('name: p', 'name: one'));
    writeFileSync(join(dir, 'notes.txt'), 'not: read');
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }),
    );
    const { objects, problems } = loadPaths([dir, join(dir, 'missing.yaml')]);
    assert.deepEqual(
      objects.map((o) => o.name),
      ['one', 'two', 'x'],
    );
    assert.deepEqual(
      problems.map((p) => p.message),
      ['no such file or directory'],
    );
  });

  it('reads standard input for -', () => {
    const { objects } = loadPaths(['-'], { readStdin: () => NP });
    assert.equal(objects[0]?.origin.file, '<stdin>');
  });

  it('gives objects or located problems for any text, and never throws', () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .tuple(fc.jsonValue(), fc.jsonValue())
        .map(([a, b]) => `${NP}  ingress: ${JSON.stringify(a)}\n---\n${stringify(b)}`),
      fc
        .array(
          fc.constantFrom(
            '---\n',
            'kind: Pod\n',
            'apiVersion: v1\n',
            '  - a\n',
            '{',
            '}',
            ': ',
            '&a x\n',
            '*a\n',
            '"\n',
            '\t',
            '#c\n',
          ),
          {
            maxLength: 20,
          },
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        const result = loadText(text, 'fuzz.yaml');
        for (const p of [...result.problems, ...result.skipped]) {
          assert.equal(p.location.file, 'fuzz.yaml');
          assert.ok(p.location.line >= 1, 'every problem has a line');
        }
        for (const o of result.objects) assert.ok(o.kind !== '' && o.apiVersion !== '');
        validateObjects(result.objects); // must not throw on any shape
      }),
      { numRuns: 500 },
    );
  });

  it('validates and builds any NetworkPolicy-shaped data without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (spec, ingress) => {
        const text = stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'p' },
          spec: { ...(typeof spec === 'object' && spec && !Array.isArray(spec) ? spec : {}), ingress },
        });
        const { objects } = loadText(text, 'np.yaml');
        if (validateObjects(objects).length === 0) buildCluster(objects);
      }),
      { numRuns: 300 },
    );
  });
});

describe('loader on inputs as users keep them', () => {
  const tree = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'netpol-tree-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };
  const named = (name: string): string => NP.replace('name: p', `name: ${name}`);

  it('leaves out what --exclude names: a name anywhere, or a path from the directory given', () => {
    const dir = tree({
      'app/policy.yaml': named('kept'),
      'app/kustomization.yaml': named('by-name'),
      'charts/x/templates/np.yaml': named('by-path'),
      'test/fixtures/np.yaml': named('by-directory-name'),
      'deep/test/np.yaml': named('by-directory-name-deep'),
    });
    const { objects, problems } = loadPaths([dir], { exclude: ['kustomization.yaml', 'charts/**', 'test'] });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      objects.map((o) => o.name),
      ['kept'],
    );
    assert.deepEqual(
      loadPaths([join(dir, 'app', 'kustomization.yaml')], { exclude: ['kustomization.yaml'] }).objects.map(
        (o) => o.name,
      ),
      ['by-name'],
      'a file named on the command line is read: exclusion is for what a walk finds',
    );
  });

  it('refuses an input over --max-input-bytes with its name, and reads the others', () => {
    const dir = tree({ 'a.yaml': named('small'), 'b.yaml': `${named('big')}${'#'.repeat(4096)}\n` });
    const { objects, problems } = loadPaths([dir], { maxInputBytes: 1024 });
    assert.deepEqual(
      objects.map((o) => o.name),
      ['small'],
    );
    assert.deepEqual(
      problems.map((p) => `${p.location.file.slice(dir.length)} ${p.message}`),
      ['/b.yaml larger than 1,024 bytes: refused, to keep memory in bounds; raise --max-input-bytes to read it'],
    );
  });

  it('reports a directory it cannot read with its path, and reads the rest', () => {
    const dir = tree({ 'a.yaml': named('readable'), 'locked/b.yaml': named('locked') });
    chmodSync(join(dir, 'locked'), 0o000);
    // Root reads any directory: the check runs as nobody, in a child process.
    const script = `
      if (process.getuid() === 0) { process.setgid(65534); process.setuid(65534); }
      const { loadPaths } = await import(${JSON.stringify(new URL('./load.ts', import.meta.url).pathname)});
      const { objects, problems } = loadPaths([${JSON.stringify(dir)}]);
      console.log(JSON.stringify({
        objects: objects.map((o) => o.name),
        problems: problems.map((p) => [p.location.file, p.message]),
      }));`;
    chmodSync(dir, 0o755);
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, TSX_TSCONFIG_PATH: '', HOME: tmpdir() },
    });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), {
      objects: ['readable'],
      problems: [[join(dir, 'locked'), 'cannot read directory: permission denied']],
    });
  });

  it('reads each directory once when symbolic links make a loop or reach it twice', () => {
    // Two trees, so that the walk before this fix fails fast: a loop beside a second link grew exponentially.
    const looped = tree({ 'a.yaml': named('top'), 'sub/b.yaml': named('below') });
    symlinkSync('..', join(looped, 'sub', 'loop'));
    const twice = tree({ 'a.yaml': named('top'), 'sub/b.yaml': named('below') });
    symlinkSync('sub', join(twice, 'again'));
    for (const dir of [looped, twice]) {
      const { objects, problems } = loadPaths([dir]);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        objects.map((o) => o.name),
        ['top', 'below'],
      );
    }
  });

  it('reads a JSON stream as kubectl does: values one after another; a trailing comma or a --- line is refused', () => {
    const a = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } });
    const b = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }, null, 4);
    const stream = loadText(`${a}\n${b}\n`, 's.json');
    assert.deepEqual(
      stream.objects.map((o) => [o.name, o.origin.line]),
      [
        ['a', 1],
        ['b', 2],
      ],
    );
    const comma = loadText('{"apiVersion": "v1", "kind": "Namespace",\n "metadata": {"name": "a"},}\n', 'c.json');
    assert.deepEqual(comma.objects, []);
    assert.deepEqual(
      comma.problems.map((p) => [p.location.line, p.message.split(':')[0]]),
      [[2, 'JSON syntax error']],
    );
    const separated = loadText(`${a}\n---\n${a.replace('"a"', '"c"')}\n`, 'd.json');
    assert.deepEqual(
      separated.objects.map((o) => o.name),
      ['a'],
    );
    assert.deepEqual(
      separated.problems.map((p) => [p.location.line, p.message.split(':')[0]]),
      [[2, 'JSON syntax error']],
    );
  });

  it('places every field of a List as the API server returns it, JSON or YAML, only when asked', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'np', namespace: 'x', managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }] },
      spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { a: 'b' } } }] }] },
    };
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } };
    const list = { apiVersion: 'v1', kind: 'List', items: [namespace, policy] };
    const json = JSON.stringify(list, null, 4);
    const yaml = stringify(list, { indentSeq: false });
    const lineOf = (text: string, needle: string, after = 0): number =>
      text.slice(0, text.indexOf(needle, after)).split('\n').length;
    // Where each place is, read off the text by hand:
    // an object or list item starts at its `{` in JSON, at its `- ` in YAML.
    const places = {
      json: {
        origin: lineOf(json, '{', json.indexOf('}', json.indexOf('"name": "x"'))),
        peer: lineOf(json, '{', json.indexOf('"from"')),
        label: lineOf(json, '"a": "b"'),
      },
      yaml: {
        origin: lineOf(yaml, '- apiVersion: networking'),
        peer: lineOf(yaml, '- podSelector'),
        label: lineOf(yaml, 'a: b'),
      },
    };
    for (const [format, text] of [
      ['json', json],
      ['yaml', yaml],
    ] as const) {
      const { objects, problems } = loadText(text, `dump.${format}`);
      assert.deepEqual(problems, []);
      const np = objects.find((o) => o.kind === 'NetworkPolicy')!;
      const found = {
        origin: np.origin.line,
        peer: np.locate(['spec', 'ingress', 0, 'from', 0]).line,
        label: np.locate(['spec', 'ingress', 0, 'from', 0, 'podSelector', 'matchLabels', 'a']).line,
      };
      assert.deepEqual(found, places[format], format);
      assert.equal(Object.hasOwn(np.raw['metadata'] as object, 'managedFields'), false, 'managedFields are dropped');
    }
  });

  it('drops the managedFields of a YAML List and its objects, and still refuses an error inside them', () => {
    const dump = [
      'apiVersion: v1', //                                      1
      'items:', //                                              2
      '- apiVersion: v1', //                                    3
      '  kind: Namespace', //                                   4
      '  metadata:', //                                         5
      '    managedFields:', //                                  6
      '    - manager: kubectl', //                              7
      '      fieldsV1: {f:metadata: {f:labels: {}}}', //        8
      '    name: x', //                                         9
      '    labels: {team: a}', //                               10
      'kind: List', //                                          11
      'metadata:', //                                           12
      '  managedFields: []', //                                 13
      '',
    ].join('\n');
    const loaded = loadText(dump, 'dump.yaml');
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(loaded.objects[0]!.raw, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x', labels: { team: 'a' } },
    });
    assert.equal(loaded.objects[0]!.locate(['metadata', 'labels', 'team']).line, 10);
    // The flow mapping on line 8 left open: kubectl refuses the whole text there.
    const broken = loadText(dump.replace('{f:labels: {}}}', '{f:labels: {}}'), 'dump.yaml');
    assert.deepEqual(broken.objects, []);
    assert.deepEqual(
      broken.problems.map((p) => [p.location.line, p.message]),
      [[9, "YAML syntax error: did not find expected ',' or '}'"]],
    );
    const badTimestamp = loadText(dump.replace('manager: kubectl', 'time: !!timestamp never'), 'dump.yaml');
    assert.deepEqual(
      badTimestamp.problems.map((p) => [p.location.line, p.message]),
      [[7, 'YAML syntax error: cannot decode !!str `never` as a !!timestamp']],
    );
  });

  it('keeps the items of an object that is not a List whole, managedFields and all', () => {
    const text = [
      'apiVersion: example.com/v1',
      'kind: Inventory',
      'metadata:',
      '  name: i',
      '  managedFields: [{manager: kubectl}]',
      'items:',
      '- metadata: {name: a, managedFields: [{manager: helm}]}',
      '',
    ].join('\n');
    const { skipped } = loadText(text, 'i.yaml');
    assert.equal(skipped.length, 1);
    const pod = loadText(text.replace('example.com/v1', 'v1').replace('Inventory', 'Pod'), 'p.yaml').objects[0]!;
    assert.deepEqual(pod.raw['items'], [{ metadata: { name: 'a', managedFields: [{ manager: 'helm' }] } }]);
    assert.equal(Object.hasOwn(pod.raw['metadata'] as object, 'managedFields'), false);
  });

  it('reads kind: constructor and __proto__ keys as data, with a place', () => {
    const text =
      'apiVersion: v1\nkind: constructor\nmetadata: {name: a}\n---\n' +
      'apiVersion: __proto__\nkind: toString\nmetadata: {name: b}\n---\n' +
      'apiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: x, labels: {toString: x, constructor: z}}\n' +
      'spec: {__proto__: {hostNetwork: true}, containers: []}\n';
    const { objects, skipped, problems } = loadText(text, 'proto.yaml');
    assert.deepEqual(problems, []);
    assert.deepEqual(
      skipped.map((s) => [s.location.line, s.kind]),
      [
        [1, 'constructor'],
        [5, 'toString'],
      ],
    );
    assert.deepEqual(validateObjects(objects), []);
    const cluster = buildCluster(objects);
    assert.deepEqual(cluster.endpoints[0]!.labels, { toString: 'x', constructor: 'z' });
    assert.equal(cluster.endpoints[0]!.hostNetwork, false, 'a __proto__ key is a field, not a prototype');
  });
});
