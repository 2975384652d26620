import type { Command } from 'commander';
import { NodeAgent } from '../../dataplane/agent.js';
import { EXIT, type Io } from '../io.js';
import { type EngineFlags, addEngineOptions, engineOptionsFrom, excludeOption } from '../common.js';

interface AgentFlags extends EngineFlags {
  exclude: string[];
  node: string;
  netns?: string;
  podCidr?: string[];
  table: string;
  resync: string;
  status?: string;
  cleanup?: boolean;
}

export function registerAgent(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('agent')
    .description(
      "enforce one node's policies with nftables and keep them in step with the inputs, as atomic deltas (needs root)",
    )
    .argument('<paths...>', 'files or directories to watch')
    .requiredOption('--node <name>', 'the node whose endpoints this agent enforces')
    .option(
      '--netns <name>',
      'apply inside this network namespace, through ip netns exec (an agent started inside it saves that step)',
    )
    .option('--pod-cidr <cidr...>', "the node's pod networks (default: the Node's spec.podCIDRs)")
    .option('--table <name>', 'the nftables table', 'netpol')
    .option('--resync <seconds>', 'read the kernel back and repair drift this often (0: never)', '30')
    .option('--status <file>', 'write what was applied to this file after each change')
    .option('--cleanup', 'remove the table on SIGTERM; by default the last applied rules stay')
    .addOption(excludeOption());
  addEngineOptions(command, { hostNetworkPods: false }).action(async (paths: string[], opts: AgentFlags) => {
    if (paths.includes('-')) {
      io.err('netpol: the agent watches files; it cannot watch standard input\n');
      return setExit(EXIT.error);
    }
    const agent = new NodeAgent({
      paths,
      exclude: opts.exclude,
      node: opts.node,
      netns: opts.netns,
      table: opts.table,
      podCIDRs: opts.podCidr,
      engine: engineOptionsFrom(opts),
      semantics: opts.semantics,
      resyncMs: Number(opts.resync) * 1000,
      statusFile: opts.status,
      log: (line) => io.err(`netpol agent ${opts.node}: ${line}\n`),
    });
    // Handlers first: a signal that arrives while the first ruleset is applied must still stop cleanly.
    const stopped = new Promise<void>((resolve) => {
      const stop = (): void => {
        agent.stop({ cleanup: opts.cleanup === true });
        resolve();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await agent.start();
    await stopped;
    setExit(EXIT.ok);
  });
}
