/**
 * Hand-picked YAML texts with the answer kubectl's YAML reader gives: the value sigs.k8s.io/yaml's
 * YAMLToJSON produces (as JSON), or its error text. The answers were recorded from the real thing
 * (scripts/yaml-oracle: go-yaml v2.4 + sigs.k8s.io/yaml 1.3) and read through by hand;
 * `npm run yaml:differential` re-checks every one against the oracle.
 */

export type CorpusCase =
  | { readonly name: string; readonly text: string; readonly value: unknown }
  | { readonly name: string; readonly text: string; readonly error: string };

/** n sequences nested in each other: [[[...]]]. */
function nestedLists(n: number): unknown {
  let value: unknown[] = [];
  for (let i = 1; i < n; i++) value = [value];
  return value;
}

export const CORPUS: readonly CorpusCase[] = [
  {
    name: 'multus config, single-quoted JSON closing at the key indent',
    text:
      "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nspec:\n  config: '{\n" +
      '    "cniVersion": "0.3.1",\n    "type": "macvlan"\n  }\'\n',
    value: {
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      spec: { config: '{ "cniVersion": "0.3.1", "type": "macvlan" }' },
    },
  },
  {
    name: 'single-quoted multi-line, closing quote at column 0',
    text: 'config: \'{\n  "a": 1\n}\'\nb: 2\n',
    value: { b: 2, config: '{ "a": 1 }' },
  },
  {
    name: 'double-quoted multi-line, closing quote at the key indent',
    text: 'spec:\n  config: "{\n    \\"a\\": 1\n  }"\n',
    value: { spec: { config: '{ "a": 1 }' } },
  },
  {
    name: 'double-quoted continuation lines less indented than the key',
    text: 'a:\n  b: "x\ny\n  z"\n',
    value: { a: { b: 'x y z' } },
  },
  {
    name: 'single-quoted empty lines keep newlines',
    text: "a: 'x\n\n  y'\n",
    value: { a: 'x\ny' },
  },
  {
    name: 'double-quoted escaped line break joins lines',
    text: 'a: "x\\\n   y"\n',
    value: { a: 'xy' },
  },
  {
    name: 'quoted scalar running into a document marker',
    text: "a: 'x\n---\n'\n",
    error: 'yaml: line 2: found unexpected document indicator',
  },
  {
    name: 'unterminated quoted scalar',
    text: "a: 'x\n",
    error: 'yaml: line 2: found unexpected end of stream',
  },
  {
    name: 'double-quoted hex and unicode escapes',
    text: 'a: "\\x41\\u00e9\\U0001F600\\t\\n\\\\\\""\n',
    value: { a: 'Aé😀\t\n\\"' },
  },
  {
    name: '\\/ is no escape in go-yaml v2',
    text: 'a: "\\/"\n',
    error: 'yaml: found unknown escape character',
  },
  {
    name: 'double-quoted known escapes',
    text: 'a: "\\0\\a\\b\\e\\f\\r\\v\\N\\_\\L\\P\\ "\n',
    value: { a: '\u0000\u0007\b\u001b\f\r\u000b    ' },
  },
  {
    name: 'double-quoted surrogate escape refused',
    text: 'a: "\\ud83d\\ude00"\n',
    error: 'yaml: found invalid Unicode character escape code',
  },
  {
    name: 'double-quoted short hex escape',
    text: 'a: "\\x4"\n',
    error: 'yaml: did not find expected hexdecimal number',
  },
  {
    name: 'single quote doubled',
    text: "a: 'it''s'\n",
    value: { a: "it's" },
  },
  {
    name: 'tab after a comma inside a flow sequence',
    text: 'policyTypes: [ Ingress,\tEgress ]\n',
    value: { policyTypes: ['Ingress', 'Egress'] },
  },
  {
    name: 'tab-indented continuation line inside a flow sequence',
    text: 'policyTypes: [ Ingress,\n\tEgress ]\n',
    value: { policyTypes: ['Ingress', 'Egress'] },
  },
  {
    name: 'tab-indented continuation line inside a flow mapping',
    text: 'a: {b: 1,\n\tc: 2}\n',
    value: { a: { b: 1, c: 2 } },
  },
  {
    name: 'tab as block indentation of a key',
    text: 'spec:\n\tpodSelector: {}\n',
    error: 'yaml: line 2: found character that cannot start any token',
  },
  {
    name: 'tab before a top-level key',
    text: '\ta: 1\n',
    error: 'yaml: found character that cannot start any token',
  },
  {
    name: 'tab indenting a plain scalar continuation',
    text: 'a: b\n\tc\n',
    error: 'yaml: line 2: found a tab character that violates indentation',
  },
  {
    name: 'tab after the indentation of a key',
    text: 'a:\n  b: 1\n  \tc: 2\n',
    error: 'yaml: line 3: found a tab character that violates indentation',
  },
  {
    name: 'tab between key and value',
    text: 'a:\tb\n',
    value: { a: 'b' },
  },
  {
    name: 'tab after a sequence dash',
    text: '-\ta\n',
    error: 'yaml: found character that cannot start any token',
  },
  {
    name: 'tab in block scalar indentation',
    text: 'a: |\n\tx\n',
    error: 'yaml: line 2: found a tab character where an indentation space is expected',
  },
  {
    name: 'tab inside block scalar content',
    text: 'a: |\n  x\ty\n   \tz\n',
    value: { a: 'x\ty\n \tz\n' },
  },
  {
    name: 'tab before a comment',
    text: 'a: b\t# c\n',
    value: { a: 'b' },
  },
  {
    name: 'port 1:20 is a string (no sexagesimal)',
    text: 'port: 1:20\n',
    value: { port: '1:20' },
  },
  {
    name: '0o120 is octal',
    text: 'a: 0o120\n',
    value: { a: 80 },
  },
  {
    name: '0120 is octal (leading zero)',
    text: 'a: 0120\n',
    value: { a: 80 },
  },
  {
    name: '0x50 is hexadecimal',
    text: 'a: 0x50\n',
    value: { a: 80 },
  },
  {
    name: '8_0 drops the underscore',
    text: 'a: 8_0\n',
    value: { a: 80 },
  },
  {
    name: '+80 is 80',
    text: 'a: +80\n',
    value: { a: 80 },
  },
  {
    name: '-0b101 is -5',
    text: 'a: -0b101\n',
    value: { a: -5 },
  },
  {
    name: '0b101 is 5',
    text: 'a: 0b101\n',
    value: { a: 5 },
  },
  {
    name: '1.10 is a float',
    text: 'a: 1.10\n',
    value: { a: 1.1 },
  },
  {
    name: '.5 is a float',
    text: 'a: .5\n',
    value: { a: 0.5 },
  },
  {
    name: '1e3 is a float',
    text: 'a: 1e3\n',
    value: { a: 1000 },
  },
  {
    name: '09 is not octal: the float 9',
    text: 'a: 09\n',
    value: { a: 9 },
  },
  {
    name: '0_x50 after dropping underscores is hex',
    text: 'a: 0_x50\n',
    value: { a: 80 },
  },
  {
    name: '1. is a float',
    text: 'a: 1.\n',
    value: { a: 1 },
  },
  {
    name: '-.5 and +.5',
    text: 'a: [-.5, +.5]\n',
    value: { a: [-0.5, 0.5] },
  },
  {
    name: '.1_0 is a float (Go literal underscores)',
    text: 'a: .1_0\n',
    value: { a: 0.1 },
  },
  {
    name: '1e400 overflows: a string',
    text: 'a: 1e400\n',
    value: { a: '1e400' },
  },
  {
    name: '.5e400 overflows: a string',
    text: 'a: .5e400\n',
    value: { a: '.5e400' },
  },
  {
    name: '-0 is the integer 0, -0.0 the float -0',
    text: 'a: [-0, -0.0]\n',
    value: { a: [0, -0] },
  },
  {
    name: 'int64 limits',
    text: 'a: [9223372036854775807, -9223372036854775808]\n',
    value: { a: [9223372036854776000, -9223372036854776000] },
  },
  {
    name: 'past int64: uint64',
    text: 'a: 9223372036854775808\n',
    value: { a: 9223372036854776000 },
  },
  {
    name: 'past int64 with a plus sign: a float',
    text: 'a: +9223372036854775808\n',
    value: { a: 9223372036854776000 },
  },
  {
    name: 'past uint64: a float',
    text: 'a: 18446744073709551616\n',
    value: { a: 18446744073709552000 },
  },
  {
    name: 'hex past uint64: a string',
    text: 'a: 0x10000000000000000\n',
    value: { a: '0x10000000000000000' },
  },
  {
    name: '0x alone is a string',
    text: 'a: [0x, 0b, 0o, _80]\n',
    value: { a: ['0x', '0b', '0o', '_80'] },
  },
  {
    name: 'versions and quantities stay strings',
    text: 'a: [1.4.2, 100m, 256Mi, 1_000, 1__2]\n',
    value: { a: ['1.4.2', '100m', '256Mi', 1000, 12] },
  },
  {
    name: '.inf fails the JSON encoding',
    text: 'a: .inf\n',
    error: 'json: unsupported value: +Inf',
  },
  {
    name: '-.Inf fails the JSON encoding',
    text: 'a: -.Inf\n',
    error: 'json: unsupported value: -Inf',
  },
  {
    name: '.nan fails the JSON encoding',
    text: 'a: .nan\n',
    error: 'json: unsupported value: NaN',
  },
  {
    name: '.NaN inside a list fails the JSON encoding',
    text: 'a: [1, .NaN]\n',
    error: 'json: unsupported value: NaN',
  },
  {
    name: 'a NaN overwritten by a repeated key is fine',
    text: 'a: .nan\na: 1\n',
    value: { a: 1 },
  },
  {
    name: '.in and . are strings',
    text: 'a: [.in, ., ..]\n',
    value: { a: ['.in', '.', '..'] },
  },
  {
    name: 'yes/no/on/off/y/n in every case',
    text: 'a: [y, Y, yes, Yes, YES, n, N, no, No, NO, on, On, ON, off, Off, OFF]\n',
    value: {
      a: [true, true, true, true, true, false, false, false, false, false, true, true, true, false, false, false],
    },
  },
  {
    name: 'true/false in every case',
    text: 'a: [true, True, TRUE, false, False, FALSE]\n',
    value: { a: [true, true, true, false, false, false] },
  },
  {
    name: 'mixed-case words are strings',
    text: 'a: [yEs, tRUE, oN, nULL, nO, Y1]\n',
    value: { a: ['yEs', 'tRUE', 'oN', 'nULL', 'nO', 'Y1'] },
  },
  {
    name: 'null spellings',
    text: 'a: [~, null, Null, NULL, nuLL, ""]\n',
    value: { a: [null, null, null, null, 'nuLL', ''] },
  },
  {
    name: 'empty value is null',
    text: 'a:\nb: 1\n',
    value: { a: null, b: 1 },
  },
  {
    name: 'y as a key is the key "true"',
    text: 'y: 1\n',
    value: { true: 1 },
  },
  {
    name: 'unquoted timestamps stay strings',
    text: 'a: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10, 2026-11-02T09:14:07Z]\n',
    value: { a: ['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10', '2026-11-02T09:14:07Z'] },
  },
  {
    name: '!!timestamp on a timestamp',
    text: 'a: !!timestamp 2001-12-14\n',
    value: { a: '2001-12-14' },
  },
  {
    name: '!!timestamp on something else',
    text: 'a: !!timestamp foo\n',
    error: 'yaml: cannot decode !!str `foo` as a !!timestamp',
  },
  {
    name: '!!timestamp on an impossible date',
    text: 'a: !!timestamp 2002-02-30\n',
    error: 'yaml: cannot decode !!str `2002-02-30` as a !!timestamp',
  },
  {
    name: '!!binary decodes base64',
    text: 'a: !!binary aGVsbG8=\n',
    value: { a: 'hello' },
  },
  {
    name: '!!binary with line breaks',
    text: 'a: !!binary |\n  aGVs\n  bG8=\n',
    value: { a: 'hello' },
  },
  {
    name: '!!binary with bad base64',
    text: 'a: !!binary aGVsbG8\n',
    error: 'yaml: !!binary value contains invalid base64 data',
  },
  {
    name: '!!binary with invalid UTF-8 becomes U+FFFD',
    text: 'a: !!binary /w==\n',
    value: { a: '�' },
  },
  {
    name: '!!binary as a key',
    text: '!!binary aGk=: x\n',
    value: { hi: 'x' },
  },
  {
    name: '!!str 80 is a string',
    text: 'a: !!str 80\n',
    value: { a: '80' },
  },
  {
    name: '!!int on a quoted number',
    text: 'a: !!int "80"\n',
    value: { a: 80 },
  },
  {
    name: '!!int on a word',
    text: 'a: !!int abc\n',
    error: 'yaml: cannot decode !!str `abc` as a !!int',
  },
  {
    name: '!!int on a float',
    text: 'a: !!int 1.5\n',
    error: 'yaml: cannot decode !!float `1.5` as a !!int',
  },
  {
    name: '!!float on an int',
    text: 'a: !!float 1\n',
    value: { a: 1 },
  },
  {
    name: '!!bool on 1',
    text: 'a: !!bool 1\n',
    error: 'yaml: cannot decode !!int `1` as a !!bool',
  },
  {
    name: '!!null on empty',
    text: 'a: !!null ""\n',
    value: { a: null },
  },
  {
    name: '!!str alone is the empty string',
    text: 'a: !!str\n',
    value: { a: '' },
  },
  {
    name: 'custom tags keep the string',
    text: 'a: !foo bar\nb: !foo 12\n',
    value: { a: 'bar', b: '12' },
  },
  {
    name: 'the non-specific tag ! keeps text',
    text: 'a: ! 12\nb: !\n',
    value: { a: '12', b: '' },
  },
  {
    name: 'verbatim tag',
    text: 'a: !<tag:yaml.org,2002:int> 12\n',
    value: { a: 12 },
  },
  {
    name: '%-escaped tag',
    text: 'a: !!%69nt 12\n',
    value: { a: 12 },
  },
  {
    name: 'tags on collections are ignored',
    text: 'a: !!str {b: 1}\nc: !foo [1]\n',
    value: { a: { b: 1 }, c: [1] },
  },
  {
    name: 'undefined tag handle',
    text: 'a: !e!x b\n',
    error: 'yaml: found undefined tag handle',
  },
  {
    name: '%TAG directive defines a handle',
    text: '%TAG !e! tag:example.com,2000:\n---\na: !e!x b\n',
    value: { a: 'b' },
  },
  {
    name: 'bad tag URI',
    text: 'a: !<> x\n',
    error: 'yaml: did not find expected tag URI',
  },
  {
    name: 'anchor and alias',
    text: 'a: &x 1\nb: *x\n',
    value: { a: 1, b: 1 },
  },
  {
    name: 'alias to a mapping is a copy',
    text: 'a: &x {b: 1}\nc: *x\n',
    value: { a: { b: 1 }, c: { b: 1 } },
  },
  {
    name: 'anchor on a key',
    text: '&k a: b\nc: *k\n',
    value: { a: 'b', c: 'a' },
  },
  {
    name: 'unknown alias',
    text: 'a: *nope\n',
    error: "yaml: unknown anchor 'nope' referenced",
  },
  {
    name: 'anchor containing itself',
    text: 'a: &x [1, *x]\n',
    error: "yaml: anchor 'x' value contains itself",
  },
  {
    name: 'redefined anchor: aliases take the latest',
    text: 'a: &x 1\nb: *x\nc: &x 2\nd: *x\n',
    value: { a: 1, b: 1, c: 2, d: 2 },
  },
  {
    name: 'merge key with a mapping',
    text: 'base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n',
    value: { base: { a: 1, b: 2 }, x: { a: 1, b: 3 } },
  },
  {
    name: 'merge key with a list: earlier maps win',
    text: 'a: &a {k: 1, x: 1}\nb: &b {k: 2, z: 2}\nc:\n  <<: [*a, *b]\n',
    value: { a: { k: 1, x: 1 }, b: { k: 2, z: 2 }, c: { k: 1, x: 1, z: 2 } },
  },
  {
    name: 'merge key overrides keys before it',
    text: 'a: 1\n<<: {a: 2}\n',
    value: { a: 2 },
  },
  {
    name: 'merge key with a scalar',
    text: '<<: 1\n',
    error: 'yaml: map merge requires map or sequence of maps as the value',
  },
  {
    name: 'merge key with null',
    text: '<<:\n',
    error: 'yaml: map merge requires map or sequence of maps as the value',
  },
  {
    name: 'merge key with a list holding a scalar',
    text: '<<: [{a: 1}, 2]\n',
    error: 'yaml: map merge requires map or sequence of maps as the value',
  },
  {
    name: 'merge key with an alias to a list',
    text: 'l: &l [{a: 1}]\n<<: *l\n',
    error: 'yaml: map merge requires map or sequence of maps as the value',
  },
  {
    name: 'merge list item failing after a refused later item',
    text: '<<: [{a: !!int x}, 1]\n',
    error: 'yaml: map merge requires map or sequence of maps as the value',
  },
  {
    name: 'merge list with an alias to an earlier item',
    text: '<<: [&m {a: 1}, *m]\n',
    value: { a: 1 },
  },
  {
    name: 'quoted << is an ordinary key',
    text: '"<<": {a: 1}\n',
    value: { '<<': { a: 1 } },
  },
  {
    name: '!!merge tag makes a merge key',
    text: '!!merge <<: {a: 1}\n',
    value: { a: 1 },
  },
  {
    name: 'merge with an inline mapping inside a list item',
    text: '- <<: {a: 1}\n  b: 2\n',
    value: [{ a: 1, b: 2 }],
  },
  {
    name: 'billion laughs is refused',
    text:
      'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n' +
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n' +
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
    error: 'yaml: document contains excessive aliasing',
  },
  {
    name: 'duplicate keys: the last wins',
    text: 'a: 1\nb: 2\na: 3\n',
    value: { a: 3, b: 2 },
  },
  {
    name: 'duplicate keys in a flow mapping',
    text: '{a: 1, a: 2}\n',
    value: { a: 2 },
  },
  {
    name: 'integer key',
    text: '1: a\n',
    value: { '1': 'a' },
  },
  {
    name: 'hex integer key becomes decimal',
    text: '0x10: a\n',
    value: { '16': 'a' },
  },
  {
    name: 'float keys are spelled via float32',
    text: '1.5: a\n0.1: b\n3.141592653589793: c\n1e6: d\n',
    value: { '0.1': 'b', '1.5': 'a', '1e+06': 'd', '3.1415927': 'c' },
  },
  {
    name: 'bool key',
    text: 'true: b\nno: c\n',
    value: { false: 'c', true: 'b' },
  },
  {
    name: 'null key fails the conversion',
    text: 'null: c\n',
    error: 'Unsupported map key of type: %!s(<nil>), key: <nil>, value: "c"',
  },
  {
    name: '~ key fails the conversion',
    text: '~: c\n',
    error: 'Unsupported map key of type: %!s(<nil>), key: <nil>, value: "c"',
  },
  {
    name: 'a line starting with ": " is no empty key',
    text: ': c\n',
    error: 'yaml: did not find expected key',
  },
  {
    name: 'explicit empty key fails the conversion',
    text: '? \n: c\n',
    error: 'Unsupported map key of type: %!s(<nil>), key: <nil>, value: "c"',
  },
  {
    name: 'uint64 key fails the conversion',
    text: '18446744073709551615: x\n',
    error: 'Unsupported map key of type: uint64, key: 0xffffffffffffffff, value: "x"',
  },
  {
    name: 'sequence key is refused',
    text: '[a]: b\n',
    error: 'yaml: invalid map key: []interface {}{"a"}',
  },
  {
    name: 'mapping key is refused',
    text: '{a: 1}: b\n',
    error: 'yaml: invalid map key: map[interface {}]interface {}{"a":1}',
  },
  {
    name: 'explicit complex key is refused',
    text: '? [a, 1.5, ~]\n: b\n',
    error: 'yaml: invalid map key: []interface {}{"a", 1.5, interface {}(nil)}',
  },
  {
    name: 'explicit scalar key',
    text: '? a\n: b\n',
    value: { a: 'b' },
  },
  {
    name: 'explicit key without value',
    text: '? a\n? b\n: c\n',
    value: { a: null, b: 'c' },
  },
  {
    name: '__proto__ and constructor keys',
    text: '__proto__: {polluted: true}\nconstructor: 1\ntoString: 2\n',
    // Written as JSON: in an object literal, __proto__ would set the prototype.
    value: JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "toString": 2}'),
  },
  {
    name: 'literal, clip',
    text: 'a: |\n  x\n  y\n\n',
    value: { a: 'x\ny\n' },
  },
  {
    name: 'literal, strip',
    text: 'a: |-\n  x\n\n',
    value: { a: 'x' },
  },
  {
    name: 'literal, keep',
    text: 'a: |+\n  x\n\n\nb: 1\n',
    value: { a: 'x\n\n\n', b: 1 },
  },
  {
    name: 'literal with an indentation indicator',
    text: 'a: |2\n   x\n  y\n',
    value: { a: ' x\ny\n' },
  },
  {
    name: 'literal with indicator and chomping both orders',
    text: 'a: |1-\n  x\nb: |-1\n  y\n',
    value: { a: ' x', b: ' y' },
  },
  {
    name: 'indentation indicator 0 is refused',
    text: 'a: |0\n  x\n',
    error: 'yaml: found an indentation indicator equal to 0',
  },
  {
    name: 'folded, clip',
    text: 'a: >\n  one\n  two\n\n  three\n',
    value: { a: 'one two\nthree\n' },
  },
  {
    name: 'folded with more-indented lines',
    text: 'a: >\n  a\n  b\n\n    c\n    d\n  e\n',
    value: { a: 'a b\n\n  c\n  d\ne\n' },
  },
  {
    name: 'folded, strip and keep',
    text: 'a: >-\n  x\n  y\nb: >+\n  z\n\n',
    value: { a: 'x y', b: 'z\n\n' },
  },
  {
    name: 'block scalar at the document root',
    text: '--- |\n  x\n',
    value: 'x\n',
  },
  {
    name: 'block scalar with a comment after the header',
    text: 'a: | # comment\n  x\n',
    value: { a: 'x\n' },
  },
  {
    name: 'block scalar with text after the header',
    text: 'a: | x\n  y\n',
    error: 'yaml: did not find expected comment or line break',
  },
  {
    name: 'block scalar leading empty lines',
    text: 'a: |\n\n\n  x\n',
    value: { a: '\n\nx\n' },
  },
  {
    name: 'block scalar less indented than its first line',
    text: 'a: |\n    x\n  y\n',
    error: 'yaml: line 2: did not find expected key',
  },
  {
    name: 'block scalar in a sequence',
    text: '- |\n  x\n- >-\n  y\n',
    value: ['x\n', 'y'],
  },
  {
    name: 'empty block scalar',
    text: 'a: |\nb: 1\n',
    value: { a: '', b: 1 },
  },
  {
    name: 'multi-line plain scalar folds',
    text: 'a: one\n  two\n\n  three\n',
    value: { a: 'one two\nthree' },
  },
  {
    name: 'plain scalar with inner colon and hash',
    text: 'a: b:c d#e\n',
    value: { a: 'b:c d#e' },
  },
  {
    name: 'plain scalar ends at space-hash',
    text: 'a: b #c\n',
    value: { a: 'b' },
  },
  {
    name: 'mapping value on the same line is refused',
    text: 'a: b: c\n',
    error: 'yaml: mapping values are not allowed in this context',
  },
  {
    name: 'plain continuation less indented than the key',
    text: 'a:\n  b\n c\n',
    value: { a: 'b c' },
  },
  {
    name: 'key without colon on the next line',
    text: 'a: 1\nb\n',
    error: "yaml: line 3: could not find expected ':'",
  },
  {
    name: 'sequence entry glued to a scalar',
    text: '- a\n-b\n',
    error: "yaml: line 3: could not find expected ':'",
  },
  {
    name: 'NEL is a line break (go-yaml), even inside a plain scalar',
    text: 'a: xy\n',
    error: "yaml: line 3: could not find expected ':'",
  },
  {
    name: 'LS is a line break (go-yaml), even inside a plain scalar',
    text: 'a: x y\n',
    error: "yaml: line 3: could not find expected ':'",
  },
  {
    name: 'non-breaking space is content',
    text: 'a b: c\n',
    value: { 'a b': 'c' },
  },
  {
    name: 'comments everywhere',
    text: '# head\na: 1 # tail\n# between\nb: # after colon\n  - 1 # item\n  # inside\n  - 2\n# end',
    value: { a: 1, b: [1, 2] },
  },
  {
    name: 'comment needs a space before it',
    text: 'a: b# not a comment\n',
    value: { a: 'b# not a comment' },
  },
  {
    name: 'comment in a flow sequence',
    text: 'a: [1, # one\n  2]\n',
    value: { a: [1, 2] },
  },
  {
    name: 'flow mapping and sequence',
    text: '{a: 1, b: [2, 3], c: {d: e}}\n',
    value: { a: 1, b: [2, 3], c: { d: 'e' } },
  },
  {
    name: 'flow trailing commas',
    text: 'a: [1, 2,]\nb: {c: 1,}\n',
    value: { a: [1, 2], b: { c: 1 } },
  },
  {
    name: 'flow single-pair mapping in a sequence',
    text: '[a: b, c]\n',
    value: [{ a: 'b' }, 'c'],
  },
  {
    name: 'flow mapping key without value',
    text: '{a, b: c}\n',
    value: { a: null, b: 'c' },
  },
  {
    name: 'flow colon without key',
    text: 'a: [: x]\n',
    error: 'yaml: did not find expected node content',
  },
  {
    name: 'unclosed flow sequence',
    text: 'a: [b\n',
    error: "yaml: line 1: did not find expected ',' or ']'",
  },
  {
    name: 'flow plain scalar with colon',
    text: '[a:b, c: d]\n',
    value: ['a:b', { c: 'd' }],
  },
  {
    name: 'explicit key with empty parts in a flow sequence',
    text: '[? : b]\n',
    error: "yaml: did not find expected ',' or ']'",
  },
  {
    name: '--- and ... inside a chunk: only the first document',
    text: 'a: 1\n...\n---\nb: 2\n',
    value: { a: 1 },
  },
  {
    name: 'explicit document start',
    text: '--- \na: 1\n',
    value: { a: 1 },
  },
  {
    name: 'document start then a second document',
    text: '---\na: 1\n---\nb: 2\n',
    value: { a: 1 },
  },
  {
    name: 'document marker with a scalar',
    text: '--- a\n',
    value: 'a',
  },
  {
    name: 'empty document',
    text: '---\n',
    value: null,
  },
  {
    name: 'only comments: no document',
    text: '# nothing\n',
    value: null,
  },
  {
    name: 'empty input: no document',
    text: '',
    value: null,
  },
  {
    name: 'document end marker first',
    text: '...\na: 1\n',
    error: 'yaml: did not find expected node content',
  },
  {
    name: 'trailing garbage after the first document',
    text: 'a: 1\n--- ]\n',
    value: { a: 1 },
  },
  {
    name: 'trailing token error after the root',
    text: '[a]\n\tb\n',
    error: 'yaml: line 2: found character that cannot start any token',
  },
  {
    name: '%YAML 1.1',
    text: '%YAML 1.1\n---\na: 1\n',
    value: { a: 1 },
  },
  {
    name: '%YAML 1.2 is refused',
    text: '%YAML 1.2\n---\na: 1\n',
    error: 'yaml: found incompatible YAML document',
  },
  {
    name: 'duplicate %YAML',
    text: '%YAML 1.1\n%YAML 1.1\n---\na\n',
    error: 'yaml: line 1: found duplicate %YAML directive',
  },
  {
    name: 'unknown directive',
    text: '%FOO bar\n---\na\n',
    error: 'yaml: found unknown directive name',
  },
  {
    name: 'directive without a document start',
    text: '%YAML 1.1\na: 1\n',
    error: 'yaml: line 1: did not find expected <document start>',
  },
  {
    name: 'byte order mark at the start',
    text: '﻿a: 1\n',
    value: { a: 1 },
  },
  {
    name: 'CRLF line ends',
    text: 'a: 1\r\nb:\r\n  - x\r\n  - y\r\n',
    value: { a: 1, b: ['x', true] },
  },
  {
    name: 'CR line ends',
    text: 'a: 1\rb: 2\r',
    value: { a: 1, b: 2 },
  },
  {
    name: 'CRLF inside quoted and block scalars',
    text: "a: 'x\r\n  y'\r\nb: |\r\n  z\r\n  w\r\n",
    value: { a: 'x y', b: 'z\nw\n' },
  },
  {
    name: 'NUL is refused',
    text: 'a: b\u0000\n',
    error: 'yaml: control characters are not allowed',
  },
  {
    name: 'control character in a comment',
    text: '# \u0007\na: 1\n',
    error: 'yaml: control characters are not allowed',
  },
  {
    name: 'DEL is refused',
    text: 'a: \n',
    error: 'yaml: control characters are not allowed',
  },
  {
    name: 'C1 control is refused',
    text: 'a: \n',
    error: 'yaml: control characters are not allowed',
  },
  {
    name: 'U+FFFE is refused',
    text: 'a: ￾\n',
    error: 'yaml: control characters are not allowed',
  },
  {
    name: 'lone surrogate is refused',
    text: 'a: \ud800\n',
    error: 'yaml: invalid Unicode character',
  },
  {
    name: 'control character after a syntax error in the same 512 bytes',
    text: 'a: b: c\n\u0001\n',
    error: 'yaml: control characters are not allowed',
  },
  {
    name: 'control character past the first 512 bytes, after a syntax error',
    text: 'a: b: c\n' + 'x'.repeat(600) + '\u0001\n',
    error: 'yaml: mapping values are not allowed in this context',
  },
  {
    name: 'emoji content',
    text: 'a: 😀 ok\n',
    value: { a: '😀 ok' },
  },
  {
    name: 'key longer than 1024 characters is not a simple key',
    text: 'x'.repeat(1100) + ': 1\n',
    error: 'yaml: mapping values are not allowed in this context',
  },
  {
    name: 'long key inside a block mapping',
    text: 'a: 1\n' + 'x'.repeat(1100) + ': 2\n',
    error: "yaml: line 2: could not find expected ':'",
  },
  {
    name: 'key of exactly 1024 characters',
    text: 'x'.repeat(1024) + ': 1\n',
    value: {
      ['x'.repeat(1024)]: 1,
    },
  },
  {
    name: 'long quoted key',
    text: '"' + 'x'.repeat(1100) + '": 1\n',
    error: 'yaml: mapping values are not allowed in this context',
  },
  {
    name: 'flow nesting at the limit',
    text: '['.repeat(10000) + ']'.repeat(10000),
    value: nestedLists(10000),
  },
  {
    name: 'flow nesting past the limit',
    text: '['.repeat(10001) + ']'.repeat(10001),
    error: 'yaml: exceeded max depth of 10000',
  },
  {
    name: 'block nesting past the limit',
    text: Array.from({ length: 10001 }, (_, i) => ' '.repeat(i) + 'a:').join('\n') + ' 1\n',
    error: 'yaml: line 10001: exceeded max depth of 10000',
  },
  {
    name: 'NetworkPolicy',
    text:
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n' +
      '  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n' +
      '  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - podSelector: {}\n    ports:\n' +
      '    - port: 8080\n      protocol: TCP\n    - port: "http"\n    - port: 80\n' +
      '      endPort: 90\n',
    value: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        ingress: [
          {
            from: [{ podSelector: {} }],
            ports: [{ port: 8080, protocol: 'TCP' }, { port: 'http' }, { endPort: 90, port: 80 }],
          },
        ],
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress'],
      },
    },
  },
  {
    name: 'List with items',
    text:
      'apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n- kind: Pod\n' +
      '  metadata:\n    name: b\n    labels: {on: "yes", off: no}\n',
    value: {
      apiVersion: 'v1',
      items: [
        { kind: 'Pod', metadata: { name: 'a' } },
        { kind: 'Pod', metadata: { labels: { false: false, true: 'yes' }, name: 'b' } },
      ],
      kind: 'List',
    },
  },
  {
    name: 'indentless sequence under a key',
    text: 'a:\n- b\n- c\nd: e\n',
    value: { a: ['b', 'c'], d: 'e' },
  },
  {
    name: 'nested sequences',
    text: '- - a\n  - b\n- c\n',
    value: [['a', 'b'], 'c'],
  },
  {
    name: 'sequence continues at a lesser indent',
    text: '- a\n - b\n',
    value: ['a - b'],
  },
  {
    name: 'odd but valid indentation',
    text: 'a:\n   b: 1\n   c:\n      - 2\n',
    value: { a: { b: 1, c: [2] } },
  },
  {
    name: 'inconsistent indentation',
    text: 'a:\n  b: 1\n   c: 2\n',
    error: 'yaml: line 3: mapping values are not allowed in this context',
  },
  {
    name: 'mapping value after a sequence',
    text: '- a\nb: c\n',
    error: "yaml: line 1: did not find expected '-' indicator",
  },
  {
    name: "0b then a signed binary number: go-yaml's last integer try",
    text: 'a: [0b-101, 0b+101, 0b-, -0b-1]\n',
    value: { a: [-5, 5, '0b-', '-0b-1'] },
  },
  {
    name: 'a key on the line after a dash-less explicit key',
    text: '- ? <\n:',
    error: "yaml: line 1: did not find expected '-' indicator",
  },
  {
    name: 'a plain value continued past an empty line',
    text: 'a: x\n\n  y\nb: 1\n',
    value: { a: 'x\ny', b: 1 },
  },
  {
    name: 'LS inside a key is a line break',
    text: '"012": \r\n  a\u2028b: &b >\r\n   YES\r\n  bb1}:#1: "x"',
    error: 'yaml: line 4: did not find expected key',
  },
  {
    name: 'quoted values with escapes and doubled quotes',
    text: 'a: "x\\ty"\nb: \'it\'\'s\'\nc: "q" # note\n',
    value: { a: 'x\ty', b: "it's", c: 'q' },
  },
];
