import type { Command } from 'commander';
import type { Protocol } from '../../algebra/connset.js';
import { connectivityMatrix } from '../../engine/matrix.js';
import { formatTruthTable } from '../../engine/truthtable.js';
import { EXIT, type Io } from '../io.js';
import {
  type EngineFlags,
  addEngineOptions,
  clusterOrReport,
  engineOptionsFrom,
  parsePort,
  parseProtocol,
} from '../common.js';

export function registerMatrix(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('matrix')
    .description(
      'print the pod-level truth table for one port, in the upstream e2e format (. allowed, X denied, # self)',
    )
    .argument('<paths...>', 'files, directories, or - for standard input')
    .requiredOption('--port <port>', 'destination port', parsePort)
    .option('--protocol <protocol>', 'TCP, UDP or SCTP', parseProtocol, 'TCP' as Protocol);
  addEngineOptions(command).action((paths: string[], opts: { port: number; protocol: Protocol } & EngineFlags) => {
    const cluster = clusterOrReport(paths, io, opts);
    if (cluster === undefined) return setExit(EXIT.error);
    io.out(formatTruthTable(connectivityMatrix(cluster, opts.protocol, opts.port, engineOptionsFrom(opts))));
    setExit(EXIT.ok);
  });
}
