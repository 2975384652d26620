import type { Command } from 'commander';
import type { Protocol } from '../../algebra/connset.js';
import { UnknownPeerError, resolveEndpoints } from '../../engine/flow.js';
import { connectivityMatrix, destinationsWithoutPort } from '../../engine/matrix.js';
import { MATRIX_FORMATS, type MatrixFormat, formatMatrix } from '../../report/matrix.js';
import type { Cluster } from '../../policy/cluster.js';
import type { Endpoint } from '../../model/endpoints.js';
import { EXIT, type Io } from '../io.js';
import {
  type EngineFlags,
  type InputFlags,
  addEngineOptions,
  addInputOptions,
  clusterOrReport,
  engineOptionsFrom,
  outputOption,
  parsePortOrName,
  parseProtocol,
} from '../common.js';

interface MatrixOptions extends EngineFlags, InputFlags {
  port: number | string;
  protocol: Protocol;
  from: string[];
  to: string[];
  output: MatrixFormat;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerMatrix(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('matrix')
    .description(
      'print the pod-level truth table for one port, in the upstream e2e format (. allowed, X denied, # self)',
    )
    .argument('<paths...>', 'files, directories, or - for standard input')
    .requiredOption(
      '--port <port>',
      'destination port: a number, or a container port name, resolved on each destination',
      parsePortOrName,
    )
    .option('--protocol <protocol>', 'TCP, UDP or SCTP', parseProtocol, 'TCP' as Protocol)
    .option('--from <peer>', 'only these sources, named as list prints them or as pods (repeatable)', collect, [])
    .option('--to <peer>', 'only these destinations, named as list prints them or as pods (repeatable)', collect, [])
    .addOption(outputOption(MATRIX_FORMATS, { default: 'txt' }));
  addInputOptions(command);
  addEngineOptions(command).action((paths: string[], opts: MatrixOptions) => {
    const cluster = clusterOrReport(paths, io, opts);
    if (cluster === undefined) return setExit(EXIT.error);
    let sources, destinations;
    try {
      sources = endpointsNamed(cluster, opts.from);
      destinations = endpointsNamed(cluster, opts.to);
    } catch (error) {
      if (!(error instanceof UnknownPeerError)) throw error;
      io.err(`netpol: ${error.message}\n`);
      return setExit(EXIT.error);
    }
    if (typeof opts.port === 'string') {
      const without = destinationsWithoutPort(destinations ?? cluster.endpoints, opts.port, opts.protocol);
      if (without.length > 0)
        io.err(
          `netpol: no container port named ${JSON.stringify(opts.port)} for ${opts.protocol} on ` +
            `${without.map((e) => e.id).join(', ')}: their columns are X\n`,
        );
    }
    const table = connectivityMatrix(cluster, opts.protocol, opts.port, engineOptionsFrom(opts), {
      ...(sources ? { sources } : {}),
      ...(destinations ? { destinations } : {}),
    });
    io.out(formatMatrix(table, opts, opts.output));
    setExit(EXIT.ok);
  });
}

/** The endpoints the names stand for, in cluster order; undefined for no names (every endpoint). */
function endpointsNamed(cluster: Cluster, names: readonly string[]): Endpoint[] | undefined {
  if (names.length === 0) return undefined;
  const chosen = new Set<Endpoint>();
  for (const name of names) {
    const resolved = resolveEndpoints(cluster, name);
    if ('ip' in resolved)
      throw new UnknownPeerError(`${name} is no endpoint's address: a truth table has rows and columns of endpoints`);
    for (const e of resolved.endpoints) chosen.add(e);
  }
  return cluster.endpoints.filter((e) => chosen.has(e));
}
