import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type PositionNode, parseYaml } from './index.js';
import { kubernetesDocument } from './testing/generate.js';
import { sameJson } from './testing/oracle.js';

/** The text a position node covers, and the same for a child by path. */
function at(text: string, root: PositionNode | undefined, ...path: (string | number)[]): string {
  let node = root;
  for (const step of path) node = node?.children?.get(step);
  assert.ok(node, `no position at ${path.join('.')}`);
  return text.slice(node.start, node.end);
}

function nodeAt(root: PositionNode | undefined, ...path: (string | number)[]): PositionNode {
  let node = root;
  for (const step of path) node = node?.children?.get(step);
  assert.ok(node, `no position at ${path.join('.')}`);
  return node;
}

const LIST = [
  'apiVersion: v1', //                    0
  'kind: List', //                        15
  'items:', //                            26
  '- kind: Pod', //                       33
  '  metadata:', //                       45
  '    name: a', //                       57
  '    labels: {app: web}', //            69
  '- kind: Service', //                   92
  '  spec:', //                           108
  '    ports:', //                        116
  '    - port: 80', //                    127
  '',
].join('\n');

describe('yaml positions', () => {
  it('points at values, keys and their columns', () => {
    const { positions } = parseYaml(LIST, { positions: 'full' });
    const kind = nodeAt(positions, 'kind');
    assert.deepEqual([kind.start, kind.end, kind.column, kind.keyStart], [21, 25, 6, 15]);
    const name = nodeAt(positions, 'items', 0, 'metadata', 'name');
    assert.deepEqual([name.start, name.end, name.column, name.keyStart], [67, 68, 10, 61]);
    const item = nodeAt(positions, 'items', 1);
    assert.deepEqual([item.start, item.column, item.keyStart], [94, 2, undefined]);
    assert.equal(at(LIST, positions, 'items', 0, 'metadata', 'labels'), '{app: web}');
    assert.equal(at(LIST, positions, 'items', 1, 'spec', 'ports', 0, 'port'), '80');
    assert.equal(at(LIST, positions, 'items'), LIST.slice(33, LIST.length - 1));
  });

  it('records the root and two levels below it in shallow mode', () => {
    const { positions } = parseYaml(LIST);
    assert.equal(at(LIST, positions, 'items', 1), LIST.slice(94, LIST.length - 1));
    assert.equal(nodeAt(positions, 'items', 1).children, undefined);
    assert.equal(nodeAt(positions, 'kind').children, undefined);
  });

  it('re-parses one item of a list alone, with the same value and positions', () => {
    const full = parseYaml(LIST, { positions: 'full' });
    const item = nodeAt(full.positions, 'items', 1);
    const alone = parseYaml(LIST, { start: item.start, end: item.end, column: item.column, positions: 'full' });
    assert.equal(alone.error, undefined);
    assert.deepEqual(alone.value, { kind: 'Service', spec: { ports: [{ port: 80 }] } });
    assert.deepEqual(strip(alone.positions!), strip(item));
  });

  it('ends a block scalar after its last line break, so that it re-parses alike', () => {
    const text = 'a:\n  s: |+\n    x\n\n  t: 1\n';
    const { positions, value } = parseYaml(text, { positions: 'full' });
    assert.deepEqual(value, { a: { s: 'x\n\n', t: 1 } });
    assert.equal(at(text, positions, 'a', 's'), '|+\n    x\n\n');
  });

  it('gives an alias the anchored node’s children', () => {
    const text = 'a: &x {b: 1}\nc: *x\n';
    const { positions } = parseYaml(text, { positions: 'full' });
    assert.equal(at(text, positions, 'c'), '*x');
    assert.equal(at(text, positions, 'c', 'b'), '1');
  });

  it('re-parses every collection of generated Kubernetes YAML alike (property)', () => {
    fc.assert(
      fc.property(kubernetesDocument, (text) => {
        const full = parseYaml(text, { positions: 'full' });
        if (full.error !== undefined || /[&*]/.test(text)) return;
        const work: [PositionNode, unknown][] = [[full.positions!, full.value]];
        while (work.length > 0) {
          const [node, value] = work.pop()!;
          if (value === null || typeof value !== 'object') continue;
          const alone = parseYaml(text, { start: node.start, end: node.end, column: node.column, positions: 'full' });
          assert.ok(sameJson(alone.value, value), `${JSON.stringify(text.slice(node.start, node.end))}`);
          assert.deepEqual(strip(alone.positions!), strip(node));
          for (const [key, child] of node.children ?? []) {
            work.push([child, (value as Record<string | number, unknown>)[key]]);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** A position tree without the root's keyStart (a range parsed alone has no key). */
function strip(node: PositionNode): unknown {
  return { ...plain(node), keyStart: undefined };
}

function plain(node: PositionNode): Record<string, unknown> {
  const children = node.children === undefined ? undefined : [...node.children].map(([k, c]) => [k, plain(c)]);
  return { start: node.start, end: node.end, column: node.column, keyStart: node.keyStart, children };
}
