/**
 * YAML texts for differential testing against go-yaml: documents built as trees and printed in
 * many styles (block and flow, every scalar style, anchors, tags, comments, odd indentation), the
 * same texts mutated character by character, and garbage from YAML's significant characters.
 * The generated texts need not be valid: the oracle says what kubectl makes of each.
 */

import fc from 'fast-check';

type Tree =
  | { readonly kind: 'scalar'; readonly text: string }
  | { readonly kind: 'seq'; readonly items: readonly Tree[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [Tree, Tree])[] };

/** Scalar texts that exercise go-yaml's resolution and the scanner's plain-scalar rules. */
const SCALARS = [
  ...'a b foo x y Y n N yes Yes YES no No NO on On ON off Off OFF true True TRUE false False FALSE'.split(' '),
  ...'~ null Null NULL .inf .Inf .INF -.inf +.inf .nan .NaN .NAN .in .'.split(' '),
  ...'0 -0 +0 00 07 08 09 012 0120 0o120 0O17 0x50 0X5f 0x 0b101 -0b101 0b 8_0 _80 1_000 +80 -80 1__2'.split(' '),
  ...'1.10 .5 -.5 +.5 1. 1e3 1E-3 6.02e+23 1e400 .5e400 1.5_0 1:20 1:2:3 0.1 3.141592653589793'.split(' '),
  ...'9223372036854775807 9223372036854775808 -9223372036854775808 -9223372036854775809'.split(' '),
  ...'18446744073709551615 18446744073709551616 0xFFFFFFFFFFFFFFFF 99999999999999999999'.split(' '),
  ...'2001-12-14 2001-12-14t21:59:43.10-05:00 2001-12-14 21:59:43.10 2002-02-30 2001-12-14T21:59:43Z'.split(' '),
  '<<',
  'a b',
  'a  b',
  'a#b',
  'a #b',
  'a:b',
  'a: b',
  '-a',
  '- a',
  '?a',
  ':a',
  'http://x.y/z?q=1',
  'image:1.4.2',
  '100m',
  '256Mi',
  '"q"',
  "it's",
  'a\\b',
  'tab\there',
  'é',
  '😀',
  'line1\nline2',
  'line1\n\nline3',
  ' lead',
  'trail ',
  '',
  '{ "a": 1 }',
  '[x]',
  '@x',
  '`x',
  '%x',
  '&x',
  '*x',
  '!x',
  '|x',
  '>x',
  '#x',
  ',x',
  'a,b',
  'x]',
  'x}',
  'a\u0085b',
  'a\u2028b',
  'a\u00a0b',
  'x'.repeat(1100),
];

const scalarText = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SCALARS) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ab1 :-#\'"\\\n\t.,[]{}'.split('')), maxLength: 8 }) },
);

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalarText.map((text): Tree => ({ kind: 'scalar', text })) },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 4 }).map((items): Tree => ({ kind: 'seq', items })) },
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.tuple(
            scalarText.map((text): Tree => ({ kind: 'scalar', text })),
            tie('node'),
          ),
          { maxLength: 4 },
        )
        .map((entries): Tree => ({ kind: 'map', entries })),
    },
  ),
})).node;

/** A small deterministic random source, so that one seed decides every style choice of a printing. */
class Choices {
  constructor(private state: number) {}
  next(): number {
    this.state = (Math.imul(this.state ^ (this.state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) | 0;
    return ((this.state >>> 0) % 1_000_000) / 1_000_000;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

class Printer {
  private readonly anchors: string[] = [];
  constructor(private readonly c: Choices) {}

  document(root: Tree): string {
    const c = this.c;
    let text = '';
    if (c.chance(0.05)) text += c.pick(['%YAML 1.1\n', '%YAML 1.2\n', '%TAG !e! tag:e.com,2000:\n', '%FOO bar\n']);
    if (c.chance(0.15)) text += c.pick(['---\n', '--- ', '--- # c\n']);
    text += this.block(root, 0, true);
    if (c.chance(0.1)) text += c.pick(['\n...\n', '\n---\nb: 2\n', '\n# end\n', '\n']);
    return text;
  }

  private props(): string {
    const c = this.c;
    let p = '';
    if (c.chance(0.08)) {
      const name = c.pick(['a', 'b', 'x1', 'very-long_anchor']);
      this.anchors.push(name);
      p += `&${name} `;
    }
    if (c.chance(0.08)) p += c.pick(['!!str ', '!!int ', '!!float ', '!!bool ', '!!null ', '!!binary ', '!x ', '! ']);
    if (c.chance(0.02)) p += c.pick(['!!timestamp ', '!e!t ', '!<tag:yaml.org,2002:str> ', '!!map ', '!!seq ']);
    return p;
  }

  private alias(): string | null {
    if (this.anchors.length === 0 || !this.c.chance(0.1)) return null;
    return '*' + this.c.pick(this.anchors);
  }

  private indent(n: number): string {
    return ' '.repeat(n);
  }

  /** A node in block context, starting right after "key:" / "- " / the document start. */
  private block(node: Tree, indent: number, top: boolean): string {
    const c = this.c;
    const alias = this.alias();
    if (alias !== null) return alias;
    const step = c.pick([1, 2, 2, 2, 3, 4]);
    if (node.kind === 'scalar' || c.chance(0.2)) return this.props() + this.flow(node, indent);
    const props = this.props();
    const inner = top ? indent : indent + step;
    const pad = this.indent(inner);
    if (node.kind === 'seq') {
      if (node.items.length === 0) return props + '[]';
      const indentless = !top && c.chance(0.3);
      const lead = indentless ? this.indent(indent) : pad;
      const items = node.items.map((item, i) => {
        const head = i === 0 && top && props === '' ? '' : lead;
        return (
          head +
          '-' +
          c.pick([' ', ' ', '  ', '\n' + lead + '  ']) +
          this.block(item, (indentless ? indent : inner) + 2, false)
        );
      });
      return (props !== '' || !top ? props + '\n' : '') + items.join('\n') + this.comment();
    }
    if (node.entries.length === 0) return props + '{}';
    const entries = node.entries.map(([key, value], i) => {
      const head = i === 0 && top && props === '' ? '' : pad;
      const explicit = c.chance(0.05);
      const keyText = this.props() + this.flow(key, inner);
      const valueText = this.block(value, inner, false);
      if (explicit) return `${head}? ${keyText}\n${pad}: ${valueText}`;
      const colon = c.pick([':', ':', ' :']);
      const space = c.pick([' ', ' ', '  ', '\t']);
      return `${head}${keyText}${colon}${space}${valueText}${this.comment()}`;
    });
    return (props !== '' || !top ? props + '\n' : '') + entries.join(c.chance(0.1) ? '\n\n' : '\n');
  }

  private comment(): string {
    return this.c.chance(0.05) ? this.c.pick([' # c', ' #', '\n# own line', '\n  # indented']) : '';
  }

  /** A node in flow style (or a scalar in any style). */
  private flow(node: Tree, indent: number): string {
    const c = this.c;
    if (node.kind === 'scalar') return this.scalar(node.text, indent);
    const sep = (): string => c.pick([', ', ',', ' , ', ',\n' + this.indent(indent + 1), ',\t', ',\n']);
    const open = (s: string): string => s + c.pick(['', ' ', '\n' + this.indent(indent + 1)]);
    const close = (s: string): string => c.pick(['', ' ', '\n' + this.indent(indent)]) + s;
    if (node.kind === 'seq') {
      const items = node.items.map((item) => this.props() + (this.alias() ?? this.flow(item, indent + 1)));
      return open('[') + items.join(sep()) + (c.chance(0.1) ? ',' : '') + close(']');
    }
    const entries = node.entries.map(
      ([key, value]) =>
        this.props() +
        this.flow(key, indent + 1) +
        c.pick([': ', ':', ' : ', ':\n']) +
        this.props() +
        this.flow(value, indent + 1),
    );
    return open('{') + entries.join(sep()) + close('}');
  }

  private scalar(text: string, indent: number): string {
    const c = this.c;
    const style = c.pick(['plain', 'plain', 'plain', 'single', 'double', 'literal', 'folded', 'multiline']);
    switch (style) {
      case 'single':
        return `'${text.replaceAll("'", "''").replaceAll('\n', c.pick(['\n\n', '\n' + this.indent(indent)]))}'`;
      case 'double':
        return `"${text
          .replaceAll('\\', '\\\\')
          .replaceAll('"', '\\"')
          .replaceAll('\n', c.pick(['\\n', '\n\n', '\\\n']))}"`;
      case 'literal':
      case 'folded': {
        const header = (style === 'literal' ? '|' : '>') + c.pick(['', '', '-', '+', '2', '1-', '+3']);
        const pad = this.indent(indent + c.pick([1, 2, 2, 4]));
        const lines = text.split('\n').map((line) => (line === '' ? '' : pad + line));
        return header + c.pick(['', ' # c']) + '\n' + lines.join('\n') + c.pick(['', '\n']);
      }
      case 'multiline':
        return text.replaceAll(' ', c.pick(['\n' + this.indent(indent + 1), '\n\n' + this.indent(indent + 2), ' ']));
      default:
        return text;
    }
  }
}

/** Documents printed in random styles. */
export const printedDocument: fc.Arbitrary<string> = fc
  .tuple(tree, fc.integer())
  .map(([root, seed]) => new Printer(new Choices(seed)).document(root));

const ALPHABET = [
  ...'ab1 :-#\'"\\\n\t.,[]{}&*!|>?%@`~<=_+0xe'.split(''),
  '\r\n',
  '\r',
  '  ',
  '    ',
  '- ',
  ': ',
  '---',
  '...',
  '\u0085',
  '\u2028',
  '\u00a0',
  '😀',
  '\u0001',
  '\u007f',
  '\ud800',
  '\ufffe',
];

/** Where and how to change a text: [position (taken modulo the length), 0 insert / 1 delete / 2 replace, piece]. */
export type TextEdit = readonly [number, number, string];

/** One to three edits with YAML's significant characters. */
export const textEdits: fc.Arbitrary<TextEdit[]> = fc.array(
  fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom(...ALPHABET)),
  { minLength: 1, maxLength: 3 },
);

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const [at, op, piece] of edits) {
    const i = at % (out.length + 1);
    if (op === 0) out = out.slice(0, i) + piece + out.slice(i);
    else if (op === 1) out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + piece + out.slice(i + 1);
  }
  return out;
}

/** A printed document with a few characters inserted, deleted or replaced. */
export const mutatedDocument: fc.Arbitrary<string> = fc
  .tuple(printedDocument, textEdits)
  .map(([text, edits]) => applyEdits(text, edits));

/**
 * Strings of YAML's significant characters. U+FEFF only comes first: go-yaml skips a character
 * at column 0 whenever its internal buffer happens to start with one (a known deviation, see README).
 */
export const garbage: fc.Arbitrary<string> = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }))
  .map(([bom, pieces]) => (bom ? '\ufeff' : '') + pieces.join(''));

/** Texts with Windows line ends. */
export const crlfDocument: fc.Arbitrary<string> = printedDocument.map((text) => text.replaceAll('\n', '\r\n'));

const K8S_KEYS = [
  'apiVersion',
  'kind',
  'metadata',
  'name',
  'namespace',
  'labels',
  'app',
  'spec',
  'containers',
  'ports',
  'containerPort',
  'protocol',
  'image',
  'status',
  'conditions',
  'type',
  'f:metadata',
  '.',
  'f:spec',
  'items',
  'nodeName',
  'on',
  'y',
  'true',
  '1',
  '0x1F',
  'podSelector',
  'matchLabels',
  'ingress',
  'from',
  'port',
  'endPort',
];
const K8S_VALUES = [
  'v1',
  'Pod',
  'TCP',
  'UDP',
  '53',
  '8080',
  '"8080"',
  "'80'",
  'true',
  'True',
  '"True"',
  'null',
  '~',
  '{}',
  '[]',
  '2026-11-02T09:14:07Z',
  'registry.example/app:1.4.2',
  '100m',
  '256Mi',
  '1:20',
  '0120',
  'yes',
  'off',
  '.5',
  '1e3',
  '192.168.1.10',
  '5d0c8a2e-1b7f-4c3e-9a61-000000000000',
  '"a: b"',
  'a # c',
  '"multi\n  line"',
  '|\n  x',
  '>-\n  folded\n  text',
  '[a, b]',
  '{a: 1}',
  'two words',
  'http://x.y/z?q=1',
];
/** Values that often make the document invalid or odd. */
const ODD_VALUES = ['&a x', '*a', '!!str 80', '- inline', 'key: nested', '!!int x', '<<', '"unterminated', '@x'];

/**
 * Kubernetes-shaped block YAML as kubectl prints it (two-space indentation, sequences of mappings
 * indentless under their key), with odd values mixed in: exercises the parser's fast lane.
 */
export const kubernetesDocument: fc.Arbitrary<string> = fc
  .tuple(fc.integer(), fc.integer({ min: 1, max: 4 }))
  .map(([seed, width]) => {
    const c = new Choices(seed);
    const lines: string[] = [];
    const mapping = (indent: number, depth: number, first: string | null): void => {
      const n = 1 + Math.floor(c.next() * 3);
      for (let i = 0; i < n; i++) {
        const pad = i === 0 && first !== null ? first : ' '.repeat(indent);
        const key = c.pick(K8S_KEYS);
        const roll = c.next();
        if (depth < 4 && roll < 0.25) {
          lines.push(`${pad}${key}:`);
          mapping(indent + width, depth + 1, null);
        } else if (depth < 4 && roll < 0.4) {
          lines.push(`${pad}${key}:`);
          const dashIndent = c.chance(0.7) ? indent : indent + width;
          for (let k = 0; k < 1 + Math.floor(c.next() * 3); k++) {
            if (c.chance(0.7)) mapping(dashIndent + 2, depth + 1, ' '.repeat(dashIndent) + '- ');
            else lines.push(`${' '.repeat(dashIndent)}- ${c.pick(c.chance(0.03) ? ODD_VALUES : K8S_VALUES)}`);
          }
        } else {
          const value = c.pick(c.chance(0.03) ? ODD_VALUES : K8S_VALUES).replaceAll('\n', '\n' + ' '.repeat(indent));
          lines.push(`${pad}${key}:${c.pick([' ', ' ', '  ', '\t'])}${value}${c.chance(0.05) ? ' # note' : ''}`);
        }
        if (c.chance(0.03)) lines.push(c.pick(['', '# comment', ' '.repeat(indent) + '# indented']));
      }
    };
    mapping(0, 0, null);
    return lines.join('\n') + '\n';
  });

/** Kubernetes-shaped YAML with a few characters changed (indentation slips, stray indicators). */
export const mutatedKubernetesDocument: fc.Arbitrary<string> = fc
  .tuple(
    kubernetesDocument,
    fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom(' ', '-', ':', '\n', '\t', '#', '{', '"', 'x')), {
      minLength: 1,
      maxLength: 2,
    }),
  )
  .map(([text, edits]) => applyEdits(text, edits));

/**
 * Long documents (past go-yaml's 512-byte reader chunks) with a character its reader refuses
 * somewhere, and sometimes a syntax error before it: which one go-yaml reports depends on chunks.
 */
export const longDocumentWithBadCharacter: fc.Arbitrary<string> = fc
  .tuple(
    kubernetesDocument,
    kubernetesDocument,
    fc.nat(),
    fc.constantFrom('\u0001', '\u007f', '\ufffe', '\ud800'),
    fc.nat(),
    fc.boolean(),
  )
  .map(([a, b, at, bad, errorAt, withError]) => {
    let text = (a + b + a).slice(0, 3000);
    if (withError) {
      const i = errorAt % text.length;
      text = text.slice(0, i) + ': : ]\n' + text.slice(i);
    }
    const i = at % text.length;
    return text.slice(0, i) + bad + text.slice(i);
  });

/** Keys around go-yaml's 1024-character limit for simple keys. */
export const longKeys: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1000, max: 1040 }),
    fc.constantFrom('', 'a: 1\n', '- ', '[', '{', '"'),
    fc.constantFrom('x', 'é', '😀', 'a b'),
  )
  .map(([length, before, unit]) => before + unit.repeat(Math.ceil(length / unit.length)).slice(0, length) + ': v\n');

const indented = (text: string, first: string, rest: string): string =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((line, i) => (line === '' ? '' : (i === 0 ? first : rest) + line))
    .join('\n');

/** Printed documents without directives, document markers or a second document. */
const oneDocumentBody = printedDocument.filter((text) => !/^(%|---)|\n(---|\.\.\.)/.test(text));

const anchorsIn = (text: string): string[] => [...text.matchAll(/&([\w-]+)/g)].map((m) => m[1]!);

/**
 * What `kubectl get -o yaml` prints, with generated YAML as the objects' managedFields (printed
 * documents and Kubernetes-shaped ones: anchors, aliases, tags, merges and all) and specs, and at
 * times an alias after them to an anchor they may hold: a List, or one object.
 */
export const managedFieldsDocument: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof(kubernetesDocument, oneDocumentBody), kubernetesDocument, fc.nat(3)), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.boolean(),
  )
  .map(([objects, list]) => {
    const object = ([managed, spec, alias]: [string, string, number], i: number): string =>
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        `  name: p${i}`,
        '  managedFields:',
        indented(managed, '  - ', '    '),
        `  uid: u${i}`,
        ...anchorsIn(managed)
          .slice(alias, alias + 1)
          .map((name) => `  annotations: {copy: *${name}}`),
        'spec:',
        indented(spec, '  ', '  '),
      ].join('\n');
    if (!list) return object(objects[0]!, 0) + '\n';
    const items = objects.map((o, i) => indented(object(o, i), '- ', '  '));
    return ['apiVersion: v1', 'items:', ...items, 'kind: List', 'metadata:', '  resourceVersion: ""', ''].join('\n');
  });
