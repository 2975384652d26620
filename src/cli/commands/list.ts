import { Option, type Command } from 'commander';
import { focusForm, focusLines, focusMatches, workloadConnections, workloadName } from '../../engine/connlist.js';
import { computeConnectivity } from '../../engine/connectivity.js';
import { closeNames } from '../../engine/suggest.js';
import type { Cluster } from '../../policy/cluster.js';
import { LIST_FORMATS, type ListFormat, formatConnList } from '../../report/connlist.js';
import { EXIT, type Io } from '../io.js';
import {
  type EngineFlags,
  type InputFlags,
  addEngineOptions,
  addInputOptions,
  clusterOrReport,
  engineOptionsFrom,
  outputOption,
} from '../common.js';
import { progressBar } from '../progress.js';

interface ListOptions extends EngineFlags, InputFlags {
  output: ListFormat;
  focusWorkload?: string[];
  focusDirection?: 'ingress' | 'egress';
}

export function registerList(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('list')
    .description('list the workload-level connectivity: one line per pair with anything allowed, SRC => DST : CONNS')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(outputOption(LIST_FORMATS, { default: 'txt' }))
    .option(
      '--focus-workload <names>',
      'only lines to or from these workloads, comma-separated (each name, ns/name or ns/name[Kind])',
      (text: string) => text.split(',').map((name) => name.trim()),
    )
    .addOption(
      new Option('--focus-direction <direction>', 'with --focus-workload: only its ingress or its egress').choices([
        'ingress',
        'egress',
      ]),
    );
  addInputOptions(command);
  addEngineOptions(command).action((paths: string[], opts: ListOptions) => {
    if (opts.focusDirection !== undefined && opts.focusWorkload === undefined)
      command.error('error: --focus-direction needs --focus-workload');
    if (opts.focusWorkload?.some((name) => name === ''))
      command.error('error: --focus-workload takes workload names separated by commas, without empty ones');
    const cluster = clusterOrReport(paths, io, opts);
    if (cluster === undefined) return setExit(EXIT.error);
    const unknown = unknownFocus(cluster, opts.focusWorkload ?? []);
    if (unknown !== undefined) {
      io.err(`netpol: ${unknown}\n`);
      return setExit(EXIT.error);
    }
    const bar = progressBar(io, 'analysing');
    const connectivity = computeConnectivity(cluster, { engine: engineOptionsFrom(opts), progress: bar.update });
    bar.finish();
    const lines = focusLines(workloadConnections(connectivity), {
      workloads: opts.focusWorkload,
      direction: opts.focusDirection,
    });
    io.out(formatConnList(lines, opts.output));
    setExit(EXIT.ok);
  });
}

/** Why a focus names no workload, with the workloads of the cluster it was likely meant to name. */
function unknownFocus(cluster: Cluster, workloads: readonly string[]): string | undefined {
  const known = [...new Set(cluster.endpoints.map(workloadName))].sort();
  const missing = workloads.find((w) => !known.some((k) => focusMatches(k, w)));
  if (missing === undefined) return undefined;
  const close = closeNames(missing, known, (k) => focusForm(k, missing));
  const hint =
    close.length > 0
      ? `did you mean ${close.join(', ')}?`
      : known.length === 0
        ? 'the input holds none'
        : known.length <= 10
          ? `the workloads are ${known.join(', ')}`
          : `${known.length} workloads; netpol list without a focus names them`;
  return `--focus-workload ${JSON.stringify(missing)} matches no workload; ${hint}`;
}
