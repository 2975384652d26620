import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ProbeServer } from '../../controller/probe-server.js';
import { type ListenAddress, parseListenAddress } from '../../util/listen-address.js';
import { LOG_FORMATS, type LogEntry, type LogFormat, formatLogEntry } from '../../util/log.js';
import { isDNS1123Label } from '../../validate/names.js';
import { parseSeconds } from '../common.js';
import { EXIT, type Io } from '../io.js';

interface IroncoreFlags {
  kubeconfig?: string;
  context?: string;
  apinetKubeconfig?: string;
  apinetContext?: string;
  apinetNamespace: string;
  metricsAddress: ListenAddress;
  resync: number;
  logFormat: LogFormat;
}

/** The metrics port of the Ironcore controller; the agent's is 9710 in deploy/. */
const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9711';

export function registerController(program: Command, io: Io, setExit: (code: number) => void): void {
  const controller = program
    .command('controller')
    .description('run a controller that keeps API objects in step with the policies');
  controller
    .command('ironcore')
    .description(
      "reconcile Ironcore NetworkPolicies into apinet NetworkPolicies and NetworkPolicyRules, as ironcore-net's " +
        'apinetlet does, and keep them in step with interfaces, load balancers, virtual IPs and networks',
    )
    .option(
      '--kubeconfig <file>',
      'the kubeconfig (default: $KUBECONFIG, the in-cluster service account, ~/.kube/config)',
    )
    .option('--context <name>', 'a context of the kubeconfig instead of its current one')
    .option(
      '--apinet-kubeconfig <file>',
      "the kubeconfig of the cluster that serves apinet (ironcore-net's API), when it is not the same cluster",
    )
    .option('--apinet-context <name>', 'a context of the apinet kubeconfig')
    .option('--apinet-namespace <name>', 'the namespace the apinet objects are written to', parseNamespace, 'apinet')
    .addOption(
      new Option(
        '--metrics-address <host:port>',
        'where /metrics, /healthz and /readyz are served (:PORT for every address)',
      )
        .argParser(parseAddress)
        .default(parseListenAddress(DEFAULT_METRICS_ADDRESS), DEFAULT_METRICS_ADDRESS),
    )
    .option(
      '--resync <seconds>',
      'reconcile every policy again this often, whatever the events (0: never)',
      parseSeconds,
      600,
    )
    .addOption(
      new Option('--log-format <format>', 'one JSON object per line, or text lines')
        .choices(LOG_FORMATS)
        .default('json'),
    )
    .action(async (opts: IroncoreFlags) => setExit(await runIroncore(opts, io)));
}

async function runIroncore(opts: IroncoreFlags, io: Io): Promise<number> {
  // Loaded here: @kubernetes/client-node takes most of a second to import, which no other command should pay.
  const [{ IroncoreController }, { resolveKubeConfig }, { serveProbes }] = await Promise.all([
    import('../../controller/ironcore-controller.js'),
    import('../../controller/kube-config.js'),
    import('../../controller/probe-server.js'),
  ]);
  const log = (entry: LogEntry): void =>
    io.err(
      formatLogEntry(entry, opts.logFormat, {
        prefix: 'netpol controller ironcore',
        fields: { controller: 'ironcore' },
      }),
    );
  let clusters;
  try {
    const ironcore = resolveKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context });
    const apinet =
      opts.apinetKubeconfig === undefined
        ? undefined
        : resolveKubeConfig({ kubeconfig: opts.apinetKubeconfig, context: opts.apinetContext });
    clusters = { ironcore, apinet };
  } catch (e) {
    io.err(`netpol: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.error;
  }
  const controller = new IroncoreController({
    config: clusters.ironcore.config,
    ...(clusters.apinet !== undefined ? { apinetConfig: clusters.apinet.config } : {}),
    apinetNamespace: opts.apinetNamespace,
    resyncMs: opts.resync * 1000,
    log,
  });
  let probes: ProbeServer;
  try {
    probes = await serveProbes(opts.metricsAddress, {
      registry: controller.metrics.registry,
      live: () => controller.live(),
      ready: () => controller.ready(),
    });
  } catch (e) {
    io.err(`netpol: cannot serve metrics: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.error;
  }
  let stopping: Promise<void> | undefined;
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const stop = (signal: string): void => {
    log({ level: 'info', msg: `${signal}: stopping` });
    stopping ??= controller.stop();
    stopRequested();
  };
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  const onHup = (): void => {
    log({ level: 'info', msg: 'SIGHUP: reconciling every policy again' });
    controller.resync();
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);
  log({
    level: 'info',
    msg:
      `Ironcore from ${clusters.ironcore.source}` +
      (clusters.apinet === undefined ? '' : `, apinet from ${clusters.apinet.source}`) +
      `; apinet objects in namespace ${opts.apinetNamespace}; /metrics, /healthz, /readyz on ${probes.address}`,
    fields: { metricsAddress: probes.address },
  });
  let code: number = EXIT.ok;
  try {
    await controller.start();
    await stopped;
    await stopping;
  } catch (e) {
    if (stopping === undefined) {
      log({ level: 'error', msg: e instanceof Error ? e.message : String(e) });
      await controller.stop();
      code = EXIT.error;
    } else {
      await stopping;
    }
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
    await probes.close();
  }
  if (code === EXIT.ok) log({ level: 'info', msg: 'stopped' });
  return code;
}

function parseAddress(text: string): ListenAddress {
  try {
    return parseListenAddress(text);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

function parseNamespace(text: string): string {
  const problems = isDNS1123Label(text);
  if (problems.length > 0) throw new InvalidArgumentError(`a namespace name is a DNS label: ${problems.join('; ')}`);
  return text;
}
