import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PatchedMap } from './patched-map.js';

describe('PatchedMap', () => {
  it(
    'reads as a copied map would, over any patches, flattened or not, ' + 'and leaves the maps it started from alone',
    () => {
      const patch = fc.record({
        set: fc.array(fc.tuple(fc.nat(900), fc.string()), { maxLength: 300 }),
        deleted: fc.array(fc.nat(900), { maxLength: 300 }),
      });
      fc.assert(
        fc.property(fc.array(patch, { maxLength: 8 }), (patches) => {
          const start = new Map<number, string>(Array.from({ length: 100 }, (_, i) => [i * 7, `v${i}`]));
          let expected = new Map(start);
          let map: ReadonlyMap<number, string> = start;
          for (const { set, deleted } of patches) {
            const before = [...map];
            const next = PatchedMap.of(map, set, deleted);
            assert.deepEqual([...map], before, 'the map patched from is unchanged');
            expected = new Map(expected);
            for (const key of deleted) expected.delete(key);
            for (const [key, value] of set) expected.set(key, value);
            map = next;
            assert.equal(map.size, expected.size);
            assert.deepEqual(new Map(map), expected);
            for (const key of [0, 7, 13, 899, ...deleted]) {
              assert.equal(map.get(key), expected.get(key));
              assert.equal(map.has(key), expected.has(key));
            }
          }
        }),
        { numRuns: 200 },
      );
    },
  );
});
