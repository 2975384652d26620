import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseYaml } from './index.js';

describe('parseYaml', () => {
  it('reads the first document of a range, like yaml.Unmarshal on one chunk', () => {
    const text = 'x: 1\n---\na: [1,\n  2]\n---\nb: 2\n';
    assert.deepEqual(parseYaml(text, { start: 9, end: 21 }).value, { a: [1, 2] });
    assert.deepEqual(parseYaml(text).value, { x: 1 });
  });

  it('counts indentation from the given column', () => {
    const text = '- a: 1\n  b: 2\n';
    assert.deepEqual(parseYaml(text, { start: 2, column: 2 }).value, { a: 1, b: 2 });
    // Taken as if "a" were at column 0, "b" is indented under it: go-yaml refuses that.
    assert.equal(parseYaml(text, { start: 2 }).error?.message, 'mapping values are not allowed in this context');
  });

  it('gives no value for a range without a document, and null for an empty document', () => {
    assert.deepEqual(parseYaml('# only a comment\n'), { value: undefined, warnings: [], positions: undefined });
    assert.deepEqual(parseYaml(''), { value: undefined, warnings: [], positions: undefined });
    assert.equal(parseYaml('---\n').value, null);
  });

  it("reports errors with go-yaml's text, an offset into the whole text and kubectl's line", () => {
    const text = 'a:\n  b: 1\n   c: 2\n';
    assert.deepEqual(parseYaml(text).error, {
      offset: 14, // the ':' after c
      message: 'mapping values are not allowed in this context',
      goError: 'yaml: line 3: mapping values are not allowed in this context',
    });
    const chunk = 'x: 1\n---\na: [1,\n  2\n---\n';
    assert.deepEqual(parseYaml(chunk, { start: 9, end: 20 }).error, {
      offset: 20, // the end of the range
      message: "did not find expected ',' or ']'",
      goError: "yaml: line 2: did not find expected ',' or ']'", // go-yaml's 0-based line for parser errors
    });
  });

  it('warns about repeated keys, keeping the last value as go-yaml does', () => {
    const result = parseYaml('a: 1\nb: 2\na: 3\n');
    assert.deepEqual(result.value, { a: 3, b: 2 });
    assert.deepEqual(result.warnings, [{ offset: 10, message: 'key "a" already set in map, the last value is used' }]);
  });

  it('warns when keys of different types spell the same JSON key', () => {
    const result = parseYaml('1: a\n"1": b\n');
    assert.deepEqual(result.value, { 1: 'b' });
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!.message, /both become "1" in JSON \(int and string\).*at random/);
  });

  it('does not warn when a key overrides one a merge brought in', () => {
    const result = parseYaml('base: &b {x: 1, z: 2}\nc:\n  <<: *b\n  z: 3\n');
    assert.deepEqual(result.value, { base: { x: 1, z: 2 }, c: { x: 1, z: 3 } });
    assert.deepEqual(result.warnings, []);
  });

  it('makes __proto__ and constructor own data properties and touches no prototype', () => {
    const value = parseYaml('__proto__: {polluted: true}\nconstructor: {prototype: {bad: 1}}\n').value as object;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__', 'constructor']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const copy = parseYaml('a: &x {__proto__: 1}\nb: *x\n').value as Record<string, object>;
    assert.deepEqual(Object.keys(copy.b!), ['__proto__']);
  });

  it('copies aliased values, so that no two places share an object', () => {
    const value = parseYaml('a: &x {b: [1]}\nc: *x\n').value as Record<string, { b: number[] }>;
    assert.deepEqual(value.a, value.c);
    assert.notEqual(value.a, value.c);
    assert.notEqual(value.a!.b, value.c!.b);
  });

  it('takes a string as UTF-16: U+FFFD is text, a lone surrogate is invalid Unicode', () => {
    assert.deepEqual(parseYaml('a: \ufffd\n').value, { a: '\ufffd' });
    assert.deepEqual(parseYaml('a: \ud800\n').error, {
      offset: 3,
      message: 'invalid Unicode character',
      goError: 'yaml: invalid Unicode character',
    });
  });

  it('skips a byte order mark at the start of the range', () => {
    assert.deepEqual(parseYaml('\ufeffa: 1\n').value, { a: 1 });
    assert.deepEqual(parseYaml('x\n\ufeffa: 1\n', { start: 2 }).value, { a: 1 });
  });

  it('never throws, whatever the input (property)', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({
        unit: fc.constantFrom(...'[]{}:-?,#&*!|>\'"%@` \t\n\r\\a1.~\u0000\u0085\u2028\ud800\ufeff'),
        maxLength: 200,
      }),
    );
    fc.assert(
      fc.property(anyText, fc.nat(), fc.nat(), fc.nat(8), (text, a, b, column) => {
        const start = Math.min(a, b) % (text.length + 1);
        const end = Math.max(a, b) % (text.length + 1);
        const result = parseYaml(text, { start, end: Math.max(start, end), column, positions: 'full' });
        assert.ok(result.error === undefined || result.error.offset >= start);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses nesting past go-yaml’s limits without running out of stack', () => {
    assert.equal(parseYaml('['.repeat(20000)).error?.message, 'exceeded max depth of 10000');
    const deep = Array.from({ length: 10001 }, (_, i) => ' '.repeat(i) + 'a:').join('\n');
    assert.equal(parseYaml(deep).error?.message, 'exceeded max depth of 10000');
    const nested = parseYaml('['.repeat(10000) + ']'.repeat(10000));
    assert.equal(nested.error, undefined);
  });

  it('refuses an alias bomb as go-yaml does', () => {
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(97 + i - 1);
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill('*' + prev)
          .join(',')}]`,
      );
    }
    assert.equal(parseYaml(levels.join('\n')).error?.message, 'document contains excessive aliasing');
  });

  it('takes time in proportion to the input (no quadratic paths)', () => {
    const timed = (text: string): number => {
      const t0 = process.hrtime.bigint();
      const result = parseYaml(text);
      assert.equal(result.error, undefined);
      return Number(process.hrtime.bigint() - t0);
    };
    const cases: [string, (n: number) => string][] = [
      ['a one-line flow sequence', (n) => '[' + 'item, '.repeat(n) + 'end]'],
      ['a mapping with many keys', (n) => Array.from({ length: n }, (_, i) => `key${i}: ${i}`).join('\n')],
      ['a long plain scalar', (n) => 'a: ' + 'word '.repeat(n)],
      ['nested flow collections', (n) => '['.repeat(Math.min(n, 9000)) + ']'.repeat(Math.min(n, 9000))],
    ];
    // 16 times the input: linear work is about 16 times the time, quadratic 256. A wide margin, and three tries,
    // since a busy machine can stall any one measure: a quadratic path fails all three, a stall does not.
    const grows = (make: (n: number) => string): { ok: boolean; said: string } => {
      timed(make(10_000)); // warm up
      const small = Math.min(timed(make(10_000)), timed(make(10_000)), timed(make(10_000)));
      const large = Math.min(timed(make(160_000)), timed(make(160_000)));
      return { ok: large < small * 64, said: `${small} ns for n, ${large} ns for 16n` };
    };
    for (const [name, make] of cases) {
      const tries = [grows(make)];
      while (!tries.at(-1)!.ok && tries.length < 3) tries.push(grows(make));
      assert.ok(tries.at(-1)!.ok, `${name}: ${tries.map((t) => t.said).join('; ')}`);
    }
    // The largest: a one-megabyte flow sequence on one line.
    const megabyte = '[' + 'item, '.repeat(170_000) + 'end]';
    assert.equal((parseYaml(megabyte).value as unknown[]).length, 170_001);
  });
});
