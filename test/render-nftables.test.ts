import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nft } from '../src/dataplane/nft.js';
import { buildNftRuleset, formatNftRuleset } from '../src/render/nftables.js';
import { buildCluster } from '../src/policy/cluster.js';
import { golden, runCli } from './support/cli.js';
import { applyStep, loadModel, readCases } from './support/conformance.js';
import { requireKernelTools, withScratchNetns } from './support/root.js';
import { readTierCases, stepObjects } from './support/tier-conformance.js';

describe('netpol render nftables', () => {
  it('renders the hand-written ruleset for a small case', async () => {
    const run = await runCli(['render', 'nftables', 'test/golden/nft/two-nodes.yaml', '--node', 'n1']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, golden('nft/n1.nft'));
  });

  it('renders the tiers in order, each rule with its verdict (golden read by hand against tiers.yaml)', async () => {
    // The admin chain: the DNS pass returns to the base chain, the deny drops, the node allow accepts; the
    // namespaced dispatch sits between the admin and the baseline maps; the baseline deny drops.
    const run = await runCli(['render', 'nftables', 'test/golden/nft/tiers.yaml', '--node', 'n1']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, golden('nft/tiers-n1.nft'));
  });

  it("follows --no-local-node-egress: the input hook walks a pod's egress to its own node", async () => {
    // two-nodes.yaml isolates a's egress (to b on 80): its traffic to n1 is delivered, not forwarded.
    const off = await runCli([
      'render',
      'nftables',
      'test/golden/nft/two-nodes.yaml',
      '--node',
      'n1',
      '--no-local-node-egress',
    ]);
    assert.equal(off.code, 0, off.stderr);
    const inputChain = [
      '\tchain input {',
      '\t\ttype filter hook input priority filter; policy accept;',
      '\t\tct state established,related accept',
      '\t\tip saddr @local_pods4 ip saddr != @programmed4 drop',
      '\t\tip6 saddr @local_pods6 ip6 saddr != @programmed6 drop',
      '\t\tip saddr vmap @egress4',
      '\t\tip6 saddr vmap @egress6',
      '\t}',
    ].join('\n');
    assert.ok(off.stdout.includes(`${inputChain}\n}\n`), off.stdout);
    assert.equal(off.stdout.replace(`${inputChain}\n`, ''), golden('nft/n1.nft'), 'nothing else differs');

    // With tiers, the input hook is there either way; the option decides whether a's chain accepts its node.
    const on = await runCli(['render', 'nftables', 'test/golden/nft/tiers.yaml', '--node', 'n1']);
    const tiersOff = await runCli([
      'render',
      'nftables',
      'test/golden/nft/tiers.yaml',
      '--node',
      'n1',
      '--no-local-node-egress',
    ]);
    assert.match(
      on.stdout,
      /\tchain ep_egress_\w+ \{\n\t\tip daddr @node4 accept comment "own node"\n\t\tjump pol_egress_/,
    );
    assert.match(tiersOff.stdout, /\tchain ep_egress_\w+ \{\n\t\tjump pol_egress_\w+\n\t\tdrop\n/);
    assert.doesNotMatch(tiersOff.stdout, /node4/);
    assert.match(tiersOff.stdout, /\tchain input \{\n\t\ttype filter hook input priority filter; policy accept;\n/);
  });

  it("resolves an egress rule's named port on a hostNetwork destination too, as check does", async () => {
    // node-exporter runs in n1's network and names 9100 metrics; other's egress (on n2) allows ports named metrics.
    const run = await runCli(['render', 'nftables', 'test/fixtures/lab/node-traffic.yaml', '--node', 'n2']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        String.raw`\tset named4_\w+ \{\n\t\ttype ipv4_addr \. inet_proto \. inet_service\n` +
          String.raw`\t\tcomment "port metrics/TCP"\n\t\telements = \{ 192\.168\.50\.1 \. tcp \. 9100 \}\n`,
      ),
    );
  });

  it('renders rulesets of the cluster-wide tiers that nft accepts', () => {
    requireKernelTools();
    const rendered = [golden('nft/tiers-n1.nft')];
    for (const suite of ['anp-banp', 'cnp'] as const) {
      for (const testCase of readTierCases(suite)) {
        for (const step of testCase.steps) {
          const cluster = buildCluster(stepObjects(suite, step, testCase.file));
          for (const node of ['conformance-worker', 'conformance-worker2']) {
            rendered.push(formatNftRuleset(buildNftRuleset(cluster, { node, podCIDRs: ['10.244.0.0/16'] })));
          }
        }
      }
    }
    withScratchNetns((netns) => {
      for (const text of rendered) nft.check(text, netns);
    });
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
