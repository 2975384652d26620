import { type Command, InvalidArgumentError, Option } from 'commander';
import { inNetns, run } from '../../dataplane/exec.js';
import { fileAgent } from '../../dataplane/file-agent.js';
import { LOG_FORMATS, type LogEntry, type LogFormat, formatLogEntry } from '../../util/log.js';
import { isDNS1123Subdomain } from '../../validate/names.js';
import { type EngineFlags, addEngineOptions, engineOptionsFrom, excludeOption } from '../common.js';
import { EXIT, type Io } from '../io.js';

interface AgentFlags extends EngineFlags {
  exclude: string[];
  node: string;
  netns?: string;
  podCidr?: string[];
  table: string;
  resync: number;
  status?: string;
  cleanup?: boolean;
  logFormat: LogFormat;
}

export function registerAgent(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('agent')
    .description(
      "enforce one node's policies with nftables and keep them in step with the inputs, as atomic deltas (needs root)",
    )
    .argument('<paths...>', 'files or directories to watch')
    .requiredOption('--node <name>', 'the node whose endpoints this agent enforces', parseNodeName)
    .option(
      '--netns <name>',
      'apply inside this network namespace, through ip netns exec (an agent started inside it saves that step)',
    )
    .option('--pod-cidr <cidr...>', "the node's pod networks (default: the Node's spec.podCIDRs)")
    .option('--table <name>', 'the nftables table (inet family)', parseTableName, 'netpol')
    .option('--resync <seconds>', 'read the kernel back and repair drift this often (0: never)', parseSeconds, 30)
    .option('--status <file>', 'write what was applied to this file after each change')
    .option('--cleanup', 'remove the table on SIGTERM; by default the last applied rules stay')
    .addOption(
      new Option('--log-format <format>', 'text lines, or one JSON object per line')
        .choices(LOG_FORMATS)
        .default('text'),
    )
    .addOption(excludeOption());
  addEngineOptions(command, { hostNetworkPods: false }).action(async (paths: string[], opts: AgentFlags) => {
    if (paths.includes('-')) {
      io.err('netpol: the agent watches files; it cannot watch standard input\n');
      return setExit(EXIT.error);
    }
    const refused = nftRefusesTableName(opts.table, opts.netns);
    if (refused !== undefined) {
      io.err(`error: option '--table <name>' argument '${opts.table}' is invalid. nft reads it as ${refused}\n`);
      return setExit(EXIT.error);
    }
    const log = (entry: LogEntry): void =>
      io.err(
        formatLogEntry(entry, opts.logFormat, { prefix: `netpol agent ${opts.node}`, fields: { node: opts.node } }),
      );
    const { agent, source } = fileAgent({
      paths,
      exclude: opts.exclude,
      node: opts.node,
      netns: opts.netns,
      table: opts.table,
      podCIDRs: opts.podCidr,
      engine: engineOptionsFrom(opts),
      semantics: opts.semantics,
      resyncMs: opts.resync * 1000,
      statusFile: opts.status,
      log,
    });
    // Handlers first: a signal that arrives while the first ruleset is applied must still be heard.
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log({ level: 'info', msg: `${signal}: stopping${opts.cleanup === true ? ' and removing the table' : ''}` });
        void agent.stop({ cleanup: opts.cleanup === true }).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    const hangUp = (): void => {
      log({ level: 'info', msg: 'SIGHUP: reading every input again and resyncing with the kernel' });
      source.rescan();
      void agent.resync();
    };
    process.on('SIGHUP', hangUp);
    log({
      level: 'info',
      msg:
        `following ${paths.join(', ')}; table inet ${opts.table}` +
        `${opts.netns === undefined ? '' : ` in network namespace ${opts.netns}`}; ` +
        (opts.resync > 0 ? `resync every ${opts.resync} s` : 'no resync'),
    });
    try {
      await agent.start();
      await stopped;
    } finally {
      process.off('SIGHUP', hangUp);
    }
    setExit(EXIT.ok);
  });
}

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0)
    throw new InvalidArgumentError('a number of seconds, 0 or more (0: never)');
  return seconds;
}

/** nft's identifiers, less `.` and `/`, and short enough for the scratch table the agent compares rules in. */
function parseTableName(text: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,199}$/.test(text))
    throw new InvalidArgumentError(
      'an nftables table name: a letter, then letters, digits, _ and -, at most 200 characters',
    );
  return text;
}

function parseNodeName(text: string): string {
  const problems = isDNS1123Subdomain(text);
  if (problems.length > 0) throw new InvalidArgumentError(`a node name is a DNS subdomain: ${problems.join('; ')}`);
  return text;
}

/** nft's own grammar has the last word: a keyword (`inet`, `table`, `counter`…) is no table name. */
function nftRefusesTableName(table: string, netns: string | undefined): string | undefined {
  const checked = run(inNetns(netns, ['nft', '-c', '-f', '-']), `add table inet ${table}\n`);
  if (checked.status === 0) return undefined;
  const error = /Error: (.*)/.exec(checked.stderr)?.[1];
  return error === undefined || !/syntax error/.test(error) ? undefined : `a keyword: ${error}`;
}
