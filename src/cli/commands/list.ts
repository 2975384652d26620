import { Option, type Command } from 'commander';
import { workloadConnections, focusLines } from '../../engine/connlist.js';
import { computeConnectivity } from '../../engine/connectivity.js';
import { LIST_FORMATS, type ListFormat, formatConnList } from '../../report/connlist.js';
import { EXIT, type Io } from '../io.js';
import { type EngineFlags, addEngineOptions, clusterOrReport, engineOptionsFrom, outputOption } from '../common.js';
import { progressBar } from '../progress.js';

interface ListOptions extends EngineFlags {
  output: ListFormat;
  focusWorkload?: string;
  focusDirection?: 'ingress' | 'egress';
}

export function registerList(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('list')
    .description('list the workload-level connectivity: one line per pair with anything allowed, SRC => DST : CONNS')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(outputOption(LIST_FORMATS, { default: 'txt' }))
    .option('--focus-workload <name>', 'only lines to or from this workload (name, ns/name or ns/name[Kind])')
    .addOption(
      new Option('--focus-direction <direction>', 'with --focus-workload: only its ingress or its egress').choices([
        'ingress',
        'egress',
      ]),
    );
  addEngineOptions(command).action((paths: string[], opts: ListOptions) => {
    if (opts.focusDirection !== undefined && opts.focusWorkload === undefined)
      command.error('error: --focus-direction needs --focus-workload');
    const cluster = clusterOrReport(paths, io, opts);
    if (cluster === undefined) return setExit(EXIT.error);
    const bar = progressBar(io, 'analysing');
    const connectivity = computeConnectivity(cluster, { engine: engineOptionsFrom(opts), progress: bar.update });
    bar.finish();
    const lines = focusLines(workloadConnections(connectivity), {
      workload: opts.focusWorkload,
      direction: opts.focusDirection,
    });
    io.out(formatConnList(lines, opts.output));
    setExit(EXIT.ok);
  });
}
