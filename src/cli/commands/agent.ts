import { type Command, InvalidArgumentError, Option } from 'commander';
import { inNetns, run } from '../../dataplane/exec.js';
import type { PolicySource } from '../../controller/source.js';
import type { ProbeServer } from '../../controller/probe-server.js';
import type { NodeAgent } from '../../dataplane/agent.js';
import { type ListenAddress, parseListenAddress } from '../../util/listen-address.js';
import { LOG_FORMATS, type LogEntry, type LogFormat, formatLogEntry } from '../../util/log.js';
import { isDNS1123Subdomain } from '../../validate/names.js';
import { addEngineOptions, type EngineFlags, engineOptionsFrom, excludeOption, parseSeconds } from '../common.js';
import { EXIT, type Io } from '../io.js';

interface AgentFlags extends EngineFlags {
  exclude: string[];
  node: string;
  kubeconfig?: string;
  context?: string;
  metricsAddress: ListenAddress;
  netns?: string;
  podCidr?: string[];
  table: string;
  resync: number;
  status?: string;
  cleanup?: boolean;
  logFormat: LogFormat;
}

/** The agent's metrics port, as deploy/agent/daemonset.yaml serves it; the Ironcore controller's is 9711. */
const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9710';

export function registerAgent(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('agent')
    .description(
      "enforce one node's policies with nftables and keep them in step with the Kubernetes API or with files, " +
        'as atomic deltas (needs root)',
    )
    .argument(
      '[paths...]',
      'files or directories to watch; without them, the Kubernetes API (--kubeconfig, $KUBECONFIG, ' +
        'the in-cluster service account, ~/.kube/config)',
    )
    .requiredOption('--node <name>', 'the node whose endpoints this agent enforces', parseNodeName)
    .option('--kubeconfig <file>', 'follow the API server of this kubeconfig (instead of paths)')
    .option('--context <name>', 'a context of the kubeconfig instead of its current one')
    .addOption(
      new Option(
        '--metrics-address <host:port>',
        'where /metrics, /healthz and /readyz are served (:PORT for every address, port 0 for any free one)',
      )
        .argParser(parseAddress)
        .default(parseListenAddress(DEFAULT_METRICS_ADDRESS), DEFAULT_METRICS_ADDRESS),
    )
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
  addEngineOptions(command, { hostNetworkPods: false }).action(async (paths: string[], opts: AgentFlags) =>
    setExit(await runAgent(paths, opts, io)),
  );
}

async function runAgent(paths: string[], opts: AgentFlags, io: Io): Promise<number> {
  const fromApi = paths.length === 0;
  if (!fromApi && (opts.kubeconfig !== undefined || opts.context !== undefined)) {
    io.err(
      `netpol: the agent follows files or the Kubernetes API, not both: paths (${paths.join(', ')}) and ` +
        `${opts.kubeconfig !== undefined ? '--kubeconfig' : '--context'} exclude each other\n`,
    );
    return EXIT.error;
  }
  if (fromApi && opts.exclude.length > 0) {
    io.err('netpol: --exclude leaves out files under the paths; the Kubernetes API has none\n');
    return EXIT.error;
  }
  if (paths.includes('-')) {
    io.err('netpol: the agent watches files; it cannot watch standard input\n');
    return EXIT.error;
  }
  const refused = nftRefusesTableName(opts.table, opts.netns);
  if (refused !== undefined) {
    io.err(`error: option '--table <name>' argument '${opts.table}' is invalid. nft reads it as ${refused}\n`);
    return EXIT.error;
  }
  const log = (entry: LogEntry): void =>
    io.err(formatLogEntry(entry, opts.logFormat, { prefix: `netpol agent ${opts.node}`, fields: { node: opts.node } }));
  // Loaded here: prom-client, and @kubernetes/client-node for the API, take long to import, which no other command
  // should pay.
  const [{ AgentMetrics }, { serveProbes }] = await Promise.all([
    import('../../dataplane/agent-metrics.js'),
    import('../../controller/probe-server.js'),
  ]);
  // The metrics read the agent and its source when scraped, which is after both are made.
  let agent!: NodeAgent;
  let source!: PolicySource;
  const metrics = new AgentMetrics(opts.node, {
    lastAppliedAt: () => agent.lastAppliedAt,
    invalidObjects: () => agent.invalidObjects,
    source: () => source.health(),
  });
  const common = {
    metrics,
    node: opts.node,
    netns: opts.netns,
    table: opts.table,
    podCIDRs: opts.podCidr,
    engine: engineOptionsFrom(opts),
    semantics: opts.semantics,
    resyncMs: opts.resync * 1000,
    statusFile: opts.status,
    log,
  };
  let following: string;
  let rescan: () => void = () => {};
  if (fromApi) {
    const [{ kubeAgent }, { resolveKubeConfig }] = await Promise.all([
      import('../../dataplane/kube-agent.js'),
      import('../../controller/kube-config.js'),
    ]);
    let cluster;
    try {
      cluster = resolveKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context });
    } catch (e) {
      io.err(`netpol: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT.error;
    }
    let made;
    try {
      made = kubeAgent({ ...common, config: cluster.config });
    } catch (e) {
      io.err(`netpol: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT.error;
    }
    ({ agent, source } = made);
    following = `the Kubernetes API at ${cluster.config.getCurrentCluster()?.server} (from ${cluster.source})`;
  } else {
    const { fileAgent } = await import('../../dataplane/file-agent.js');
    const made = fileAgent({ ...common, paths, exclude: opts.exclude });
    ({ agent, source } = made);
    rescan = () => made.source.rescan();
    following = paths.join(', ');
  }
  let probes: ProbeServer;
  try {
    probes = await serveProbes(opts.metricsAddress, {
      registry: metrics.registry,
      live: () => agent.live(),
      ready: () => agent.ready(),
    });
  } catch (e) {
    io.err(`netpol: cannot serve metrics: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.error;
  }
  // Handlers first: a signal that arrives while the first ruleset is applied must still be heard.
  let stopping: Promise<void> | undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log({ level: 'info', msg: `${signal}: stopping${opts.cleanup === true ? ' and removing the table' : ''}` });
      stopping ??= agent.stop({ cleanup: opts.cleanup === true });
      void stopping.then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  const hangUp = (): void => {
    log({ level: 'info', msg: 'SIGHUP: reading every input again and resyncing with the kernel' });
    rescan();
    void agent.resync();
  };
  process.on('SIGHUP', hangUp);
  log({
    level: 'info',
    msg:
      `following ${following}; table inet ${opts.table}` +
      `${opts.netns === undefined ? '' : ` in network namespace ${opts.netns}`}; ` +
      (opts.resync > 0 ? `resync every ${opts.resync} s` : 'no resync') +
      `; /metrics, /healthz, /readyz on ${probes.address}`,
    fields: { metricsAddress: probes.address },
  });
  try {
    // A stop while the caches list (an API server that does not answer) ends the wait: the agent stops at once.
    await Promise.race([agent.start(), stopped]);
    await stopped;
  } catch (e) {
    if (stopping === undefined) {
      log({ level: 'error', msg: e instanceof Error ? e.message : String(e) });
      await agent.stop();
      return EXIT.error;
    }
    await stopping;
  } finally {
    process.off('SIGHUP', hangUp);
    await probes.close();
  }
  return EXIT.ok;
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

function parseAddress(text: string): ListenAddress {
  try {
    return parseListenAddress(text);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}
