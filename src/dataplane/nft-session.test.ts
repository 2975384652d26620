import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { requireKernelTools, withScratchNetns } from '../../test/support/root.js';
import { NftSession } from './nft-session.js';

const elements = (netns: string): string =>
  /elements = \{([^}]*)\}/
    .exec(
      spawnSync('ip', ['netns', 'exec', netns, 'nft', 'list', 'set', 'inet', 't', 's'], { encoding: 'utf8' }).stdout,
    )?.[1]
    ?.replace(/\s+/g, ' ')
    .trim() ?? '';

describe('NftSession', () => {
  it('commits each batch as one transaction, all or nothing, and says why nft refused one', async () => {
    requireKernelTools();
    await withScratchNetns(async (netns) => {
      const session = new NftSession(netns);
      try {
        await session.apply(['add table inet t', 'add set inet t s { type ipv4_addr; flags interval; }']);
        await session.apply(['add element inet t s { 10.0.0.1, 10.0.0.2 }', 'delete element inet t s { 10.0.0.1 }']);
        assert.equal(elements(netns), '10.0.0.2');
        // The second command fails in the kernel (the range overlaps 10.0.0.2): the first must not stay either.
        await assert.rejects(
          session.apply(['add element inet t s { 10.0.0.3 }', 'add element inet t s { 10.0.0.0/30 }']),
          /nft refused the batch: Error:/,
        );
        assert.equal(elements(netns), '10.0.0.2');
        await assert.rejects(session.apply(['add element inet t s { 10.0.0.300 }']), /refused the batch/);
        // The session goes on after a refusal, batch after batch.
        for (let i = 10; i < 60; i++)
          await session.apply([`add element inet t s { 10.0.1.${i} }`, `delete element inet t s { 10.0.1.${i} }`]);
        await session.apply(['delete element inet t s { 10.0.0.2 }']);
        assert.equal(elements(netns), '');
        await assert.rejects(
          session.apply(['add element inet t s { 10.0.0.9 }\nflush ruleset']),
          /one command per line/,
        );
      } finally {
        session.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(session.alive, false);
      await assert.rejects(session.apply(['add element inet t s { 10.0.0.4 }']), /exited/);
    });
  });
});
