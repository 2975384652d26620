import type { Command } from 'commander';
import type { Protocol } from '../../algebra/connset.js';
import { connectivityMatrix } from '../../engine/matrix.js';
import { MATRIX_FORMATS, type MatrixFormat, formatMatrix } from '../../report/matrix.js';
import { EXIT, type Io } from '../io.js';
import {
  type EngineFlags,
  type InputFlags,
  addInputOptions,
  addEngineOptions,
  clusterOrReport,
  engineOptionsFrom,
  outputOption,
  parsePort,
  parseProtocol,
} from '../common.js';

interface MatrixOptions extends EngineFlags, InputFlags {
  port: number;
  protocol: Protocol;
  output: MatrixFormat;
}

export function registerMatrix(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('matrix')
    .description(
      'print the pod-level truth table for one port, in the upstream e2e format (. allowed, X denied, # self)',
    )
    .argument('<paths...>', 'files, directories, or - for standard input')
    .requiredOption('--port <port>', 'destination port', parsePort)
    .option('--protocol <protocol>', 'TCP, UDP or SCTP', parseProtocol, 'TCP' as Protocol)
    .addOption(outputOption(MATRIX_FORMATS, { default: 'txt' }));
  addInputOptions(command);
  addEngineOptions(command).action((paths: string[], opts: MatrixOptions) => {
    const cluster = clusterOrReport(paths, io, opts);
    if (cluster === undefined) return setExit(EXIT.error);
    const table = connectivityMatrix(cluster, opts.protocol, opts.port, engineOptionsFrom(opts));
    io.out(formatMatrix(table, opts, opts.output));
    setExit(EXIT.ok);
  });
}
