import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type PositionNode, discardPaths, parseYaml } from './index.js';
import {
  type Path,
  discardedRanges,
  keyPaths,
  positionsWithoutDiscarded,
  splitPath,
  withoutPaths,
} from './testing/discarded.js';
import {
  applyEdits,
  kubernetesDocument,
  managedFieldsDocument,
  printedDocument,
  textEdits,
} from './testing/generate.js';
import { sameJson } from './testing/oracle.js';

const MANAGED_FIELDS = discardPaths('metadata.managedFields', 'items.*.metadata.managedFields');

function nodeAt(root: PositionNode | undefined, ...path: (string | number)[]): PositionNode {
  let node = root;
  for (const step of path) node = node?.children?.get(step);
  assert.ok(node, `no position at ${path.join('.')}`);
  return node;
}

/** parseYaml with and without discarding, which must agree as the option promises. */
function checkAgainstFullRead(text: string, paths: readonly string[], positions: 'shallow' | 'full'): boolean {
  const split = paths.map(splitPath);
  const full = parseYaml(text, { positions });
  const ours = parseYaml(text, { positions, discard: discardPaths(...paths) });
  if (full.error !== undefined) {
    assert.deepEqual(ours.error, full.error);
    assert.equal(ours.value, undefined);
    return false;
  }
  assert.equal(ours.error, undefined, ours.error?.message);
  const expected = withoutPaths(full.value, split);
  assert.ok(sameJson(ours.value, expected), `${JSON.stringify(ours.value)} instead of ${JSON.stringify(expected)}`);
  assert.deepEqual(positionsWithoutDiscarded(ours.positions, split), positionsWithoutDiscarded(full.positions, split));
  checkWarnings(text, split, full.warnings, ours.warnings);
  return !sameJson(ours.value, full.value);
}

/** The full read's warnings, less those about keys inside discarded values, in order. */
function checkWarnings(
  text: string,
  paths: readonly Path[],
  full: readonly { offset: number; message: string }[],
  ours: readonly { offset: number; message: string }[],
): void {
  const ranges = discardedRanges(text, paths);
  const inside = (offset: number): boolean => ranges.some(([start, end]) => offset >= start && offset < end);
  let k = 0;
  for (const warning of full) {
    if (k < ours.length && ours[k]!.offset === warning.offset && ours[k]!.message === warning.message) k++;
    else assert.ok(inside(warning.offset), `warning left out: ${JSON.stringify(warning)}`);
  }
  assert.equal(k, ours.length, `warnings the full read does not give: ${JSON.stringify(ours.slice(k))}`);
}

/** Paths to discard: some that name keys of the (unchanged) document, some that may not. */
const SOME_KEYS = ['metadata', 'managedFields', 'items', 'spec', 'a', 'b', 'x', 'foo', 'true', '1', 'f:metadata', '<<'];
const somePaths = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.nat() },
    { weight: 2, arbitrary: fc.constantFrom(...MANAGED_FIELDS.paths) },
    fc
      .array(fc.constantFrom(...SOME_KEYS, '*'), { maxLength: 2 })
      .chain((prefix) => fc.constantFrom(...SOME_KEYS).map((last) => [...prefix, last].join('.'))),
  ),
  { minLength: 1, maxLength: 3 },
);

/**
 * Checks the option on documents, edited at times, with paths picked among their own keys (before
 * the edits), so that they name something. The property says something only if values are
 * discarded, and errors occur, often enough: at least the given shares of the runs.
 */
function checkProperty(
  documents: fc.Arbitrary<string>,
  editedShare: number,
  runs: number,
  atLeast: { discarding: number; refused: number },
): void {
  let discarding = 0;
  let refused = 0;
  fc.assert(
    fc.property(
      documents,
      fc.option(textEdits, { freq: Math.round(1 / (1 - editedShare)) }),
      somePaths,
      fc.constantFrom('shallow', 'full'),
      (document, edits, picks, positions) => {
        const named = keyPaths(parseYaml(document).value);
        const paths = picks.map((p) =>
          typeof p === 'number' ? (named.length > 0 ? named[p % named.length]! : 'a') : p,
        );
        const text = edits === null ? document : applyEdits(document, edits);
        if (checkAgainstFullRead(text, paths, positions as 'shallow' | 'full')) discarding++;
        if (parseYaml(text).error !== undefined) refused++;
      },
    ),
    { numRuns: runs },
  );
  assert.ok(discarding >= runs * atLeast.discarding, `only ${discarding} of ${runs} runs discarded something`);
  assert.ok(refused >= runs * atLeast.refused, `only ${refused} of ${runs} texts had an error`);
}

describe('parseYaml discard', () => {
  it('gives what the full read gives with those values deleted: errors, values, positions (property)', () => {
    checkProperty(fc.oneof(printedDocument, kubernetesDocument), 0.5, Number(process.env.RUNS ?? 2000), {
      discarding: 0.15,
      refused: 0.2,
    });
  });

  it('does so on kubectl dumps with odd managedFields: anchors, aliases, tags, merges (property)', () => {
    checkProperty(managedFieldsDocument, 0.2, Number(process.env.RUNS ?? 1500), { discarding: 0.3, refused: 0.1 });
  });

  it("reads a kubectl List without managedFields, each still with its key's place", () => {
    const text = [
      'apiVersion: v1',
      'items:',
      '- kind: Pod',
      '  metadata:',
      '    managedFields:',
      '    - manager: kubectl',
      '      fieldsV1: {f:spec: {}}',
      '    name: a',
      'kind: List',
      '',
    ].join('\n');
    const parsed = parseYaml(text, { discard: MANAGED_FIELDS, positions: 'full' });
    assert.deepEqual(parsed.value, {
      apiVersion: 'v1',
      items: [{ kind: 'Pod', metadata: { name: 'a' } }],
      kind: 'List',
    });
    const managed = nodeAt(parsed.positions, 'items', 0, 'metadata', 'managedFields');
    // The key on line 5, the value from its '-' on line 6 to the '}' that closes line 7.
    assert.equal(managed.keyStart, text.indexOf('managedFields'));
    assert.equal(managed.start, text.indexOf('- manager'));
    assert.equal(managed.end, text.indexOf('}}') + 2);
    assert.equal(managed.column, 4);
    assert.equal(managed.children, undefined);
    const name = nodeAt(parsed.positions, 'items', 0, 'metadata', 'name');
    assert.deepEqual(
      [name.keyStart, name.start, name.end],
      [text.indexOf('name'), text.indexOf('a\nkind'), text.indexOf('a\nkind') + 1],
    );
    assert.equal(nodeAt(parsed.positions, 'kind').start, text.indexOf('List'));
  });

  it('lets an alias outside use an anchor inside a discarded value', () => {
    const text =
      'metadata:\n  managedFields: &m\n  - manager: kubectl\n  - &e {manager: helm}\n  name: a\nall: *m\none: *e\n';
    const parsed = parseYaml(text, { discard: MANAGED_FIELDS, positions: 'full' });
    assert.equal(parsed.error, undefined);
    assert.deepEqual(parsed.value, {
      metadata: { name: 'a' },
      all: [{ manager: 'kubectl' }, { manager: 'helm' }],
      one: { manager: 'helm' },
    });
    assert.equal(nodeAt(parsed.positions, 'one', 'manager').start, text.indexOf('helm'));
    assert.equal(nodeAt(parsed.positions, 'metadata', 'name').start, text.indexOf('a\nall'));
  });

  it('copies a mapping whole through an alias, though its own place drops a discarded value', () => {
    const text = 'metadata: &m\n  name: a\n  managedFields: [x]\ncopy: *m\n';
    assert.deepEqual(parseYaml(text, { discard: MANAGED_FIELDS }).value, {
      metadata: { name: 'a' },
      copy: { name: 'a', managedFields: ['x'] },
    });
  });

  it('deletes discarded values that an alias or a merge brings in', () => {
    const text =
      'base: &b {name: a, managedFields: [x]}\nitems:\n- metadata: *b\n- metadata:\n    <<: *b\n    uid: u\n';
    assert.deepEqual(parseYaml(text, { discard: MANAGED_FIELDS }).value, {
      base: { name: 'a', managedFields: ['x'] },
      items: [{ metadata: { name: 'a' } }, { metadata: { name: 'a', uid: 'u' } }],
    });
  });

  it('resolves an alias inside a discarded value, and refuses an unknown one, as the full read does', () => {
    const known = 'x: &x {a: 1}\nmetadata:\n  managedFields: [*x, *x]\n  name: web\n';
    assert.deepEqual(parseYaml(known, { discard: MANAGED_FIELDS }).value, { x: { a: 1 }, metadata: { name: 'web' } });
    const unknown = 'metadata:\n  managedFields: [*y]\n';
    assert.deepEqual(parseYaml(unknown, { discard: MANAGED_FIELDS }).error, {
      offset: unknown.indexOf('*y'),
      message: "unknown anchor 'y' referenced",
      goError: "yaml: unknown anchor 'y' referenced",
    });
  });

  it('fails the document for an error inside a discarded value, at the same place, as kubectl does', () => {
    // Each with go-yaml's (and sigs.k8s.io/yaml's) message; the offset is where the problem is.
    const cases: [string, string, string][] = [
      // The flow sequence runs on into the next line, where 'name' is an item and its ':' is not allowed.
      ['metadata:\n  managedFields:\n  - a: [1, 2\n  name: n\n', "did not find expected ',' or ']'", ': n'],
      [
        'metadata:\n  managedFields:\n  - time: !!timestamp yesterday\n',
        'cannot decode !!str `yesterday` as a !!timestamp',
        '!!timestamp',
      ],
      ['metadata:\n  managedFields:\n  - port: !!int eighty\n', 'cannot decode !!str `eighty` as a !!int', '!!int'],
      ['metadata:\n  managedFields:\n  - <<: 1\n', 'map merge requires map or sequence of maps as the value', '1\n'],
      ['metadata:\n  managedFields:\n  - ? [a]\n    : b\n', 'invalid map key: []interface {}{"a"}', '[a]'],
      ['metadata:\n  managedFields:\n  - ratio: .nan\n', 'json: unsupported value: NaN', '.nan'],
      [
        'metadata:\n  managedFields:\n  - ~: x\n',
        'Unsupported map key of type: %!s(<nil>), key: <nil>, value: "x"',
        '~',
      ],
      // An empty key with an anchor is nil too.
      [
        'metadata:\n  managedFields:\n  - &k : x\n',
        'Unsupported map key of type: %!s(<nil>), key: <nil>, value: "x"',
        '&k',
      ],
    ];
    for (const [text, message, at] of cases) {
      const full = parseYaml(text);
      const discarding = parseYaml(text, { discard: MANAGED_FIELDS });
      assert.equal(discarding.error?.message, message, text);
      assert.equal(discarding.error?.offset, text.indexOf(at), text);
      assert.deepEqual(discarding.error, full.error);
    }
  });

  it('accepts a NaN that a repeated key overrides, as go-yaml does, and warns about the repeat only', () => {
    const text = 'metadata:\n  managedFields: {a: .nan, b: 1, b: 2}\n  managedFields: []\n';
    const parsed = parseYaml(text, { discard: MANAGED_FIELDS });
    assert.deepEqual(parsed.value, { metadata: {} });
    assert.deepEqual(parsed.warnings, [
      {
        offset: text.lastIndexOf('managedFields'),
        message: 'key "managedFields" already set in map, the last value is used',
      },
    ]);
  });

  it("counts a discarded value's nodes in go-yaml's alias budget", () => {
    // go-yaml fails when aliases make up more than 99% of the nodes decoded. Here: an anchor of
    // 1000 nodes (a sequence of 999), 120 aliases to it (120 x 1000 aliased nodes, 120 x 1001
    // decoded), and 1009 other nodes besides managedFields' (document, keys, mappings, the anchor).
    const doc = (managed: string): string =>
      `metadata:\n  managedFields: ${managed}\na: &a [${Array(999).fill('x').join(',')}]\n` +
      `b: [${Array(120).fill('*a').join(',')}]\n`;
    // A sequence of 200: 1009 + 200 others, 120000 / (1209 + 120120) = 0.9891, accepted.
    const many = doc(`[${Array(200).fill('m').join(',')}]`);
    assert.equal(parseYaml(many, { discard: MANAGED_FIELDS }).error, undefined);
    assert.equal(parseYaml(many).error, undefined);
    // A scalar: 1009 others, 120000 / (1009 + 120120) = 0.9907, refused.
    const one = doc('m');
    assert.equal(parseYaml(one, { discard: MANAGED_FIELDS }).error?.message, 'document contains excessive aliasing');
    assert.equal(parseYaml(one).error?.message, 'document contains excessive aliasing');
  });

  it('parses a range alone with paths from its own root', () => {
    const text = 'items:\n- metadata:\n    managedFields: [1]\n    name: a\n';
    const item = parseYaml(text, { positions: 'full' }).positions!.children!.get('items')!.children!.get(0)!;
    const alone = parseYaml(text, { start: item.start, end: item.end, column: item.column, discard: MANAGED_FIELDS });
    assert.deepEqual(alone.value, { metadata: { name: 'a' } });
  });

  it('takes paths of keys joined by dots, * for sequence items, ending with a key', () => {
    assert.deepEqual(discardPaths('a.*.b', 'a.*.b.c', 'd').paths, ['a.*.b', 'a.*.b.c', 'd']);
    assert.deepEqual(parseYaml('a: [{b: 1, c: 2}, 3]\nd: 4\n', { discard: discardPaths('a.*.b', 'd') }).value, {
      a: [{ c: 2 }, 3],
    });
    // '*' stands for items only, never for mapping keys.
    assert.deepEqual(parseYaml('a: {x: {b: 1}}\n', { discard: discardPaths('a.*.b') }).value, { a: { x: { b: 1 } } });
    assert.throws(() => discardPaths('a.*'), /ending with a key/);
    assert.throws(() => discardPaths('a..b'), /ending with a key/);
    assert.throws(() => discardPaths(''), /ending with a key/);
  });
});
