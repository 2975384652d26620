import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rulesetDelta } from '../src/dataplane/delta.js';
import { fileAgent } from '../src/dataplane/file-agent.js';
import { canonicalRules, kernelView, readKernelTable } from '../src/dataplane/kernel.js';
import { buildCluster } from '../src/policy/cluster.js';
import { loadText } from '../src/load/load.js';
import { buildNftRuleset, formatNftRuleset } from '../src/render/nftables.js';
import { nft } from '../src/dataplane/nft.js';
import { requireKernelTools, withScratchNetns } from './support/root.js';

const BASE = readFileSync('test/golden/nft/two-nodes.yaml', 'utf8');
const NEW_POD =
  '---\napiVersion: v1\nkind: Pod\nmetadata: {name: d, namespace: x, labels: {app: a}}\n' +
  'spec: {nodeName: n1, containers: [{name: c, ports: [{name: http, containerPort: 80}]}]}\n' +
  'status: {podIP: 10.0.0.4}\n';

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const hex = (text: string): string => createHash('sha256').update(text).digest('hex');
/** The status digest of a single input file: sha256 over each file's own sha256, in file order. */
const sha = (text: string): string => hex(hex(text));

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const statusOf = (file: string): { inputsHash?: string } =>
  existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
const handleOf = (netns: string, chain: string): string =>
  /# handle (\d+)/.exec(
    spawnSync('ip', ['netns', 'exec', netns, 'nft', '-a', 'list', 'chain', 'inet', 'netpol', chain], {
      encoding: 'utf8',
    }).stdout,
  )?.[1] ?? 'none';
const desiredFor = (text: string) => {
  const cluster = buildCluster(loadText(text, 'm.yaml').objects);
  return buildNftRuleset(cluster, { node: 'n1', podCIDRs: cluster.nodes.get('n1')?.podCIDRs ?? [] });
};
/** The delta from the kernel to a ruleset: empty when the kernel holds exactly that ruleset. */
const distance = (netns: string, text: string): number => {
  const desired = desiredFor(text);
  const kernel = readKernelTable('netpol', netns);
  if (kernel === undefined) return Infinity;
  const canonical = canonicalRules([...new Set(desired.chains.flatMap((c) => c.rules))], desired, netns);
  return rulesetDelta(kernelView(kernel, desired, canonical).ruleset, desired).length;
};

describe('netpol agent', () => {
  it('applies churn as element deltas, keeps its base chains, and repairs drift', async () => {
    requireKernelTools();
    const dir = mkdtempSync(join(tmpdir(), 'netpol-agent-'));
    const file = join(dir, 'cluster.yaml');
    const status = join(dir, 'status.json');
    writeAtomically(file, BASE);
    await withScratchNetns(async (netns) => {
      const { agent } = fileAgent({ paths: [file], node: 'n1', netns, statusFile: status, resyncMs: 0 });
      await agent.start();
      try {
        assert.equal(distance(netns, BASE), 0, 'the kernel holds the rendered ruleset');
        const handles = [handleOf(netns, 'egress'), handleOf(netns, 'ingress')];

        const relabelled = BASE.replace('labels: {app: c}', 'labels: {app: b}');
        writeAtomically(file, relabelled);
        await until(() => statusOf(status).inputsHash === sha(relabelled), 'the relabel to be applied');
        assert.deepEqual(agent.lastCommands, [
          `add element inet netpol ${peerSet(relabelled, 'pods app=b in namespace x')} { 10.0.1.1 }`,
        ]);

        const grown = relabelled + NEW_POD;
        writeAtomically(file, grown);
        await until(() => statusOf(status).inputsHash === sha(grown), 'the new pod to be applied');
        assert.ok(agent.lastCommands.length > 0);
        for (const command of agent.lastCommands)
          assert.match(command, /^(add|delete) element /, 'a new pod changes elements only');
        assert.equal(distance(netns, grown), 0);
        assert.deepEqual(
          [handleOf(netns, 'egress'), handleOf(netns, 'ingress')],
          handles,
          'base chains are never recreated',
        );

        spawnSync('ip', [
          'netns',
          'exec',
          netns,
          'nft',
          'delete',
          'element',
          'inet',
          'netpol',
          'ingress4',
          '{ 10.0.0.4 }',
        ]);
        assert.equal(distance(netns, grown), 1, 'drift');
        assert.equal(await agent.resync(), 1, 'one command repairs it');
        assert.equal(distance(netns, grown), 0);

        writeAtomically(file, `${grown}---\nkind: broken\n`);
        await until(
          () => (statusOf(status) as { error?: string }).error !== undefined,
          'the invalid input to be refused',
        );
        assert.equal(distance(netns, grown), 0, 'invalid input leaves the last good rules in place');
      } finally {
        await agent.stop();
      }
      assert.equal(
        distance(netns, readFileSync(file, 'utf8').replace('---\nkind: broken\n', '')),
        0,
        'stopping leaves the rules',
      );
    });
  });

  it('finds no drift in pod networks of one address each (nft lists a /32 back as the address alone)', async () => {
    requireKernelTools();
    const dir = mkdtempSync(join(tmpdir(), 'netpol-agent-'));
    const file = join(dir, 'cluster.yaml');
    writeAtomically(file, BASE);
    await withScratchNetns(async (netns) => {
      const podCIDRs = ['10.1.0.1/32', '10.1.0.2/32', '10.1.0.3/32'];
      const { agent } = fileAgent({ paths: [file], node: 'n1', netns, podCIDRs, resyncMs: 0 });
      await agent.start();
      try {
        assert.equal(await agent.resync(), 0, 'a resync right after the start repairs nothing');
      } finally {
        await agent.stop();
      }
    });
  });

  it('leaves its rules on SIGTERM, and removes them with --cleanup', async () => {
    requireKernelTools();
    const dir = mkdtempSync(join(tmpdir(), 'netpol-agent-'));
    const file = join(dir, 'cluster.yaml');
    writeAtomically(file, BASE);
    await withScratchNetns(async (netns) => {
      for (const cleanup of [false, true]) {
        const status = join(dir, `status-${cleanup}.json`);
        const args = [
          '--import',
          'tsx',
          'src/cli/bin.ts',
          'agent',
          file,
          '--node',
          'n1',
          '--netns',
          netns,
          '--status',
          status,
          '--metrics-address',
          '127.0.0.1:0',
          ...(cleanup ? ['--cleanup'] : []),
        ];
        const child = spawn(process.execPath, args, { stdio: 'ignore' });
        await until(() => statusOf(status).inputsHash === sha(BASE), 'the agent to apply', 15_000);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
        assert.equal(
          readKernelTable('netpol', netns) === undefined,
          cleanup,
          cleanup ? 'cleaned up' : 'rules stay after SIGTERM',
        );
      }
    });
  });

  it('leaves the old ruleset or the new one when killed mid-update, never a mix; converges on restart', async () => {
    requireKernelTools();
    const dir = mkdtempSync(join(tmpdir(), 'netpol-agent-'));
    const file = join(dir, 'cluster.yaml');
    writeAtomically(file, BASE);
    const versions = [
      BASE,
      BASE + NEW_POD,
      BASE.replace('labels: {app: c}', 'labels: {app: b}') + NEW_POD.replace('10.0.0.4', '10.0.0.5'),
      BASE.replace('port: 8080', 'port: 9090'),
    ];
    await withScratchNetns(async (netns) => {
      const startAgent = (status: string) =>
        spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            'src/cli/bin.ts',
            'agent',
            file,
            '--node',
            'n1',
            '--netns',
            netns,
            '--status',
            status,
            '--metrics-address',
            '127.0.0.1:0',
            '--resync',
            '0',
          ],
          { stdio: 'ignore' },
        );
      let current = BASE;
      for (let round = 0; round < 12; round++) {
        const status = join(dir, `status-${round}.json`);
        const agent = startAgent(status);
        await until(() => statusOf(status).inputsHash === sha(current), 'the restarted agent to converge', 15_000);
        assert.equal(distance(netns, current), 0, 'converged');
        const next = versions[(round + 1) % versions.length]!;
        writeAtomically(file, next);
        await new Promise((r) => setTimeout(r, round * 3)); // kill at a different moment each round
        agent.kill('SIGKILL');
        await new Promise((resolve) => agent.once('exit', resolve));
        const old = distance(netns, current);
        const fresh = distance(netns, next);
        assert.ok(
          old === 0 || fresh === 0,
          `round ${round}: the kernel holds the old or the new ruleset (distances ${old}, ${fresh})`,
        );
        current = next;
      }
      const status = join(dir, 'status-final.json');
      const agent = startAgent(status);
      await until(() => statusOf(status).inputsHash === sha(current), 'the final restart to converge', 15_000);
      agent.kill('SIGTERM');
      assert.equal(distance(netns, current), 0);
    });
  });

  it('takes the cluster-wide tiers and the input hook coming and going as deltas the kernel accepts', () => {
    requireKernelTools();
    const TIERS = readFileSync('test/golden/nft/tiers.yaml', 'utf8');
    const rulesets = [
      desiredFor(BASE), // NetworkPolicies only: no tier maps, no input chain
      desiredFor(TIERS), // admin and baseline maps and chains, the input chain
      desiredFor(
        TIERS.replace(
          /---\napiVersion: policy\.networking\.k8s\.io\/v1alpha1\nkind: AdminNetworkPolicy[^]*?(?=---)/,
          '',
        ),
      ),
      desiredFor(BASE),
      desiredFor(TIERS),
    ];
    assert.ok(
      rulesets[2]!.maps.every((m) => !m.name.startsWith('admin_')),
      'the admin policy is gone',
    );
    assert.ok(
      rulesets[2]!.chains.some((c) => c.name === 'input'),
      'the input chain stays with the baseline',
    );
    withScratchNetns((netns) => {
      nft.apply(formatNftRuleset(rulesets[0]!), netns);
      const egress = handleOf(netns, 'egress');
      for (let i = 1; i < rulesets.length; i++) {
        const commands = rulesetDelta(rulesets[i - 1], rulesets[i]!);
        nft.apply(`${commands.join('\n')}\n`, netns);
        const listed = nft.list(netns);
        assert.equal(
          /chain input \{/.test(listed),
          rulesets[i]!.chains.some((c) => c.name === 'input'),
          `step ${i}`,
        );
        assert.equal(
          /map admin_egress4/.test(listed),
          rulesets[i]!.maps.some((m) => m.name === 'admin_egress4'),
        );
      }
      assert.equal(handleOf(netns, 'egress'), egress, 'the forward base chain was never made again');
    });
  });
});

function peerSet(text: string, comment: string): string {
  const set = desiredFor(text).sets.find((s) => s.comment === comment);
  if (set === undefined) throw new Error(`no set for ${comment}`);
  return set.name;
}
