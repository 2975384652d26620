import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nft } from '../src/dataplane/nft.js';
import { buildNftRuleset, formatNftRuleset } from '../src/render/nftables.js';
import { buildCluster } from '../src/model/cluster.js';
import { golden, runCli } from './support/cli.js';
import { applyStep, loadModel, readCases } from './support/conformance.js';
import { requireKernelTools, withScratchNetns } from './support/root.js';

describe('netpol render nftables', () => {
  it('renders the hand-written ruleset for a small case', async () => {
    const run = await runCli(['render', 'nftables', 'test/golden/nft/two-nodes.yaml', '--node', 'n1']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, golden('nft/n1.nft'));
  });

  it('renders rulesets that nft accepts, and that apply atomically in a namespace', () => {
    requireKernelTools();
    const rendered = [golden('nft/n1.nft')];
    // Every state of every conformance case, as node-1 would enforce it.
    for (const testCase of readCases('k8s-e2e')) {
      let store = loadModel('k8s-e2e');
      for (const step of testCase.steps) {
        store = applyStep(store, step, testCase.file);
        rendered.push(
          formatNftRuleset(
            buildNftRuleset(buildCluster(store.objects), { node: 'node-1', podCIDRs: ['10.244.0.0/16'] }),
          ),
        );
      }
    }
    withScratchNetns((netns) => {
      for (const text of rendered) nft.check(text, netns);
      nft.apply(rendered[0]!, netns);
      assert.match(
        nft.list(netns),
        /elements = \{ 192\.0\.2\.0\/25 \}/,
        'the kernel holds the ipBlock minus its except',
      );
      nft.apply(rendered[1]!, netns); // replacing a table in place, in one transaction
      const listed = nft.list(netns);
      assert.match(listed, /chain ingress \{/);
      assert.doesNotMatch(listed, /192\.0\.2\.0/, 'no element of the previous ruleset survives a replacement');
    });
  });
});
