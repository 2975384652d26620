import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { validateObjects } from '../validate/validate.js';
import { buildCluster } from './cluster.js';
import { loadPaths, loadText } from './load.js';

const NP =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: x\nspec:\n  podSelector: {}\n';

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
    const kubectl = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: x}\n- ${NP.replace(/\n/g, '\n  ')}`;
    assert.deepEqual(
      loadText(kubectl, 'k.yaml').objects.map((o) => o.kind),
      ['Pod', 'NetworkPolicy'],
    );
  });

  it('skips other kinds with one line each, never silently', () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: x}\n---\napiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: c, namespace: x}\n';
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

  it('reports syntax errors and non-objects with their place', () => {
    const { problems } = loadText('a: [1, 2\n---\n- just\n- a list\n---\nkind: Pod\n', 'bad.yaml');
    assert.deepEqual(
      problems.map((p) => [p.location.line, p.message.split(':')[0]]),
      [
        [2, 'YAML syntax error'], // where the parser finds the flow sequence unclosed
        [3, 'document is not an object'],
        [6, 'not a Kubernetes object'],
      ],
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
