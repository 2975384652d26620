/**
 * The corpus: texts whose answers were recorded from go-yaml v2 + sigs.k8s.io/yaml (see
 * testing/corpus.ts); parseYaml must give the same value, or the same error text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYaml } from './index.js';
import { CORPUS } from './testing/corpus.js';
import { answerOf, difference } from './testing/oracle.js';

describe('yaml corpus (answers recorded from go-yaml v2.4 + sigs.k8s.io/yaml 1.3)', () => {
  it('holds at least 150 cases with distinct names', () => {
    assert.ok(CORPUS.length >= 150);
    assert.equal(new Set(CORPUS.map((c) => c.name)).size, CORPUS.length);
  });
  for (const c of CORPUS) {
    it(c.name, () => {
      const expected = 'error' in c ? { error: c.error } : { ok: c.value };
      const why = difference(answerOf(parseYaml(c.text)), expected);
      assert.equal(why, undefined, why);
    });
  }
});
