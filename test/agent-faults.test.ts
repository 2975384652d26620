/**
 * Faults an operator meets (issue 13, defects 1 to 8): each on real nftables, in network
 * namespaces made here, against `netpol agent` run as a process of its own. The kernel is held to
 * an oracle that shares nothing with the agent's own comparison: the rendered ruleset loaded with a
 * plain `nft -f` into a fresh namespace and listed back, handles left out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { requireKernelTools, withScratchNetns } from './support/root.js';
import {
  holds,
  inNs,
  nftFailingJsonListings,
  readStatus,
  ruleCount,
  expectedTable,
  sleep,
  startAgent,
  until,
  INVALID_POLICY,
} from './support/agent-cli.js';

const BASE = readFileSync('test/golden/nft/two-nodes.yaml', 'utf8');
/** Pod c (app: c, on n2) moves to app: b: an element joins the peer set of `app: b`. */
const RELABELLED = BASE.replace('labels: {app: c}', 'labels: {app: b}');
/** The ipBlock rule's port range grows: the same rule (same comment), another body. */
const PORT_CHANGED = BASE.replace('{port: 8000, endPort: 8080}', '{port: 8000, endPort: 8090}');
/** The named-port rule's peer becomes `app: c`: the `app: b` peer set is no longer named by any rule. */
const PEER_CHANGED = BASE.replace(
  '        - podSelector: {matchLabels: {app: b}}\n      ports:\n        - port: http',
  '        - podSelector: {matchLabels: {app: c}}\n      ports:\n        - port: http',
);

const scratchDirs: string[] = [];
after(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-faults-'));
  scratchDirs.push(dir);
  return dir;
}

/** The failing-nft directory, removed with the scratch directories. */
function shim(): string {
  const dir = nftFailingJsonListings();
  scratchDirs.push(dir);
  return dir;
}

function writeByRename(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const agentArgs = (path: string, netns: string, status: string, ...more: string[]): string[] => [
  path,
  '--node',
  'n1',
  '--netns',
  netns,
  '--status',
  status,
  ...more,
];

/** Waits until the kernel holds exactly what these manifests render to. */
const converges = (netns: string, manifests: string, what: string, ms = 10_000): Promise<void> =>
  until(() => holds(netns, manifests), what, ms);

describe('netpol agent under faults (issue 13)', () => {
  it('defect 1: a restarted agent replaces rules whose body changed while it was stopped, port and peer', async () => {
    requireKernelTools();
    for (const [what, changed] of [
      ['port', PORT_CHANGED],
      ['peer', PEER_CHANGED],
    ] as const) {
      assert.notEqual(changed, BASE, `the ${what} change applies to the manifests`);
      const dir = scratchDir();
      const file = join(dir, 'cluster.yaml');
      writeByRename(file, BASE);
      await withScratchNetns(async (netns) => {
        const first = startAgent(agentArgs(file, netns, join(dir, 'status-1.json'), '--resync', '0'));
        try {
          await converges(netns, BASE, 'the first agent to apply');
        } finally {
          assert.equal(await first.stop(), 0);
        }
        writeByRename(file, changed);
        const second = startAgent(agentArgs(file, netns, join(dir, 'status-2.json'), '--resync', '0'));
        try {
          await converges(netns, changed, `the restarted agent to apply the ${what} change`);
          assert.equal(second.alive(), true);
        } finally {
          await second.stop();
        }
      });
    }
  });

  it('defect 2: a deleted directory keeps the last rules and says so; made again, it is followed at once', async () => {
    requireKernelTools();
    const parent = scratchDir();
    const dir = join(parent, 'manifests');
    mkdirSync(dir);
    writeByRename(join(dir, 'cluster.yaml'), BASE);
    await withScratchNetns(async (netns) => {
      const agent = startAgent(agentArgs(dir, netns, join(parent, 'status.json'), '--resync', '0'));
      try {
        await converges(netns, BASE, 'the agent to apply');
        rmSync(dir, { recursive: true });
        await sleep(1500);
        assert.ok(holds(netns, BASE), `the rules of the last good read stay; the agent said:\n${agent.stderr()}`);
        assert.match(agent.stderr(), /manifests.*(no such file or directory|gone|missing)/i, 'the log says why');
        mkdirSync(dir);
        writeByRename(join(dir, 'cluster.yaml'), RELABELLED);
        // Resync is off: only watching the recreated directory can bring the change.
        await converges(netns, RELABELLED, 'the recreated directory to be read', 5000).catch((error: Error) => {
          throw new Error(`${error.message}; the agent said:\n${agent.stderr()}`);
        });
        assert.equal(agent.alive(), true);
      } finally {
        await agent.stop();
      }
    });
  });

  it('defect 3: no watch event kills the agent: write-then-rename by an editor, and a mkdir/rmdir loop', async () => {
    requireKernelTools();
    const parent = scratchDir();
    const dir = join(parent, 'manifests');
    mkdirSync(dir);
    const file = join(dir, 'cluster.yaml');
    writeByRename(file, BASE);
    await withScratchNetns(async (netns) => {
      const agent = startAgent(agentArgs(dir, netns, join(parent, 'status.json'), '--resync', '0'));
      try {
        await converges(netns, BASE, 'the agent to apply');
        for (let round = 0; round < 40 && agent.alive(); round++) {
          // An editor saving: the old file moved aside, the new one written, the backup removed.
          for (let i = 0; i < 10; i++) {
            renameSync(file, `${file}~`);
            writeFileSync(file, BASE);
            rmSync(`${file}~`);
            writeFileSync(join(dir, 'draft.yaml'), BASE.split('---')[1]!);
            renameSync(join(dir, 'draft.yaml'), join(dir, 'draft2.yaml'));
            rmSync(join(dir, 'draft2.yaml'));
          }
          for (let i = 0; i < 25; i++) {
            mkdirSync(join(dir, 'sub'));
            rmdirSync(join(dir, 'sub'));
          }
          await sleep(5);
        }
        await sleep(300);
        assert.equal(agent.alive(), true, `the agent is alive; it said:\n${agent.stderr()}`);
        writeByRename(file, RELABELLED);
        await converges(netns, RELABELLED, 'a change after the storm to be applied', 5000);
      } finally {
        await agent.stop();
      }
    });
  });

  it('defect 4: a deleted table plus one change is repaired, not retried as a delta forever', async () => {
    requireKernelTools();
    const dir = scratchDir();
    const file = join(dir, 'cluster.yaml');
    writeByRename(file, BASE);
    await withScratchNetns(async (netns) => {
      const agent = startAgent(agentArgs(file, netns, join(dir, 'status.json'), '--resync', '1'));
      try {
        await converges(netns, BASE, 'the agent to apply');
        assert.equal(inNs(netns, 'nft', 'delete', 'table', 'inet', 'netpol').status, 0);
        writeByRename(file, RELABELLED);
        await converges(netns, RELABELLED, 'the table to be made again, with the change', 6000);
      } finally {
        await agent.stop();
      }
    });
  });

  it('defect 5: a read-back that fails is an error, never an empty kernel: resyncs append nothing', async () => {
    requireKernelTools();
    const dir = scratchDir();
    const file = join(dir, 'cluster.yaml');
    const status = join(dir, 'status.json');
    writeByRename(file, BASE);
    const expectedRules = Object.values((expectedTable(BASE) as { rule: Record<string, unknown[]> }).rule).flat()
      .length;
    await withScratchNetns(async (netns) => {
      const env = { ...process.env, PATH: `${shim()}:${process.env['PATH']}` };
      const agent = startAgent(agentArgs(file, netns, status, '--resync', '0.3'), env);
      try {
        await until(() => ruleCount(netns) > 0, 'the agent to apply');
        await sleep(1500); // several resyncs, each failing to read the kernel back
        assert.equal(ruleCount(netns), expectedRules, 'as many rules as the ruleset has, not one more');
        assert.ok(holds(netns, BASE));
        assert.match(String(readStatus(status)['error'] ?? ''), /read/i, 'the status says the read-back failed');
        assert.equal(agent.alive(), true);
      } finally {
        await agent.stop();
      }
    });
  });

  it('defect 6: invalid input at the first start: the rest enforced, the bad object said with file:line', async () => {
    requireKernelTools();
    const dir = scratchDir();
    const file = join(dir, 'cluster.yaml');
    const text = BASE + INVALID_POLICY;
    const line = text.split('\n').findIndex((l) => l.includes('port: 70000')) + 1;
    writeByRename(file, text);
    await withScratchNetns(async (netns) => {
      const agent = startAgent(agentArgs(file, netns, join(dir, 'status.json'), '--resync', '0'));
      try {
        await converges(netns, BASE, 'the valid objects to be enforced');
        await until(() => agent.stderr().includes(`cluster.yaml:${line}`), 'the invalid object to be reported');
        assert.match(agent.stderr(), new RegExp(`cluster\\.yaml:${line}\\b.*70000.*must be between 1 and 65535`));
      } finally {
        await agent.stop();
      }
    });
  });

  it('defect 7: the status file is written without following a symlink, and a missing directory is made', async () => {
    requireKernelTools();
    const dir = scratchDir();
    const file = join(dir, 'cluster.yaml');
    writeByRename(file, BASE);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const status = join(dir, 'status.json');
    symlinkSync(victim, `${status}.tmp`);
    const nested = join(dir, 'not', 'there', 'status.json');
    await withScratchNetns(async (netns) => {
      const agent = startAgent(agentArgs(file, netns, status, '--resync', '0'));
      try {
        await converges(netns, BASE, 'the agent to apply');
        await until(() => readStatus(status)['applied'] !== undefined, 'the status to be written');
        assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the symlink target is untouched');
      } finally {
        await agent.stop();
      }
      const second = startAgent(agentArgs(file, netns, nested, '--resync', '0'));
      try {
        await until(() => existsSync(nested) || !second.alive(), 'the status in a directory to be made');
        assert.equal(second.alive(), true, second.stderr());
      } finally {
        await second.stop();
      }
    });
  });

  it('defect 7: --resync and --table are checked, and refused with a usage error', async () => {
    requireKernelTools();
    const dir = scratchDir();
    const file = join(dir, 'cluster.yaml');
    writeByRename(file, BASE);
    await withScratchNetns(async (netns) => {
      for (const flags of [
        ['--resync', 'abc'],
        ['--resync', '-1'],
        ['--table', 'a b'],
        ['--table', '../x'],
        ['--table', ''],
      ]) {
        const agent = startAgent(agentArgs(file, netns, join(dir, 'status.json'), ...flags));
        const code = await Promise.race([agent.exited, sleep(8000).then(() => 'still running')]);
        if (code === 'still running') await agent.stop('SIGKILL');
        assert.equal(code, 2, `${flags.join(' ')}: exit 2, not ${code}; said: ${agent.stderr()}`);
        assert.match(agent.stderr(), new RegExp(`${flags[0]}`), `${flags.join(' ')}: the message names the option`);
      }
      assert.equal(inNs(netns, 'nft', 'list', 'tables').stdout, '', 'nothing was applied');
    });
  });

  it('defect 7: lab down refuses a name that is not a lab name, and deletes nothing', async () => {
    const root = scratchDir();
    const labs = join(root, 'labs');
    for (const lab of ['one', 'two']) mkdirSync(join(labs, lab), { recursive: true });
    mkdirSync(join(root, 'outside'));
    writeFileSync(join(root, 'outside', 'keep'), 'x');
    for (const name of ['../outside', '', '.', 'a/b']) {
      const down = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'lab', 'down', '--name', name], {
        encoding: 'utf8',
        env: { ...process.env, NETPOL_LAB_DIR: labs },
      });
      assert.equal(down.status, 2, `lab down --name ${JSON.stringify(name)}: ${down.stderr}`);
      assert.match(down.stderr, /lab name/);
      assert.ok(existsSync(join(root, 'outside', 'keep')), 'nothing outside the labs is deleted');
      assert.ok(existsSync(join(labs, 'one')) && existsSync(join(labs, 'two')), 'no lab is deleted');
    }
  });

  it('defect 8: SIGHUP rereads the inputs and repairs the kernel, and says so', async () => {
    requireKernelTools();
    const dir = scratchDir();
    const file = join(dir, 'cluster.yaml');
    writeByRename(file, BASE);
    await withScratchNetns(async (netns) => {
      const agent = startAgent(agentArgs(file, netns, join(dir, 'status.json'), '--resync', '0'));
      try {
        await converges(netns, BASE, 'the agent to apply');
        assert.equal(inNs(netns, 'nft', 'flush', 'chain', 'inet', 'netpol', 'ingress').status, 0);
        assert.equal(holds(netns, BASE), false, 'drift');
        agent.child.kill('SIGHUP');
        await converges(netns, BASE, 'SIGHUP to repair the drift', 5000);
        assert.equal(agent.alive(), true);
        assert.match(agent.stderr(), /SIGHUP/);
      } finally {
        await agent.stop();
      }
    });
  });

  it('defect 8: --cleanup when the table is already gone exits 0 without a stack trace', async () => {
    requireKernelTools();
    const dir = scratchDir();
    const file = join(dir, 'cluster.yaml');
    writeByRename(file, BASE);
    await withScratchNetns(async (netns) => {
      const agent = startAgent(agentArgs(file, netns, join(dir, 'status.json'), '--resync', '0', '--cleanup'));
      await converges(netns, BASE, 'the agent to apply');
      assert.equal(inNs(netns, 'nft', 'delete', 'table', 'inet', 'netpol').status, 0);
      assert.equal(await agent.stop(), 0, agent.stderr());
      assert.doesNotMatch(agent.stderr(), /\n\s+at /, 'no stack trace');
      assert.match(agent.stderr(), /already gone|no table/i);
    });
  });

  it('defect 8: JSON logs with timestamps, file:line of a problem, and a word when the node recovered', async () => {
    requireKernelTools();
    const dir = scratchDir();
    const file = join(dir, 'cluster.yaml');
    const text = BASE + INVALID_POLICY;
    const line = text.split('\n').findIndex((l) => l.includes('port: 70000')) + 1;
    writeByRename(file, text);
    await withScratchNetns(async (netns) => {
      const agent = startAgent(
        agentArgs(file, netns, join(dir, 'status.json'), '--resync', '0', '--log-format', 'json'),
      );
      try {
        await converges(netns, BASE, 'the agent to apply');
        assert.equal(inNs(netns, 'nft', 'delete', 'table', 'inet', 'netpol').status, 0);
        writeByRename(file, RELABELLED + INVALID_POLICY);
        await converges(netns, RELABELLED, 'the change to be applied');
        await until(() => /recovered/.test(agent.stderr()), 'the agent to say the node recovered');
        const entries = agent
          .stderr()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        for (const entry of entries) {
          assert.ok(!Number.isNaN(Date.parse(String(entry['time']))), `a timestamp: ${JSON.stringify(entry)}`);
          assert.match(String(entry['level']), /^(debug|info|warn|error)$/);
          assert.equal(typeof entry['msg'], 'string');
        }
        const invalid = entries.find((e) => String(e['msg']).includes('70000'));
        assert.equal(invalid?.['file'], file);
        assert.equal(invalid?.['line'], line);
        const failed = entries.findIndex((e) => e['level'] === 'warn' || e['level'] === 'error');
        const recovered = entries.findIndex((e) => /recovered/.test(String(e['msg'])));
        assert.ok(failed >= 0 && recovered > failed, 'a failure, then the recovery');
      } finally {
        await agent.stop();
      }
    });
  });
});
