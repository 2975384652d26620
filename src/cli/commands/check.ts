import type { Command } from 'commander';
import type { Protocol } from '../../algebra/connset.js';
import { explainVerdict, verdictToJSON } from '../../engine/explain.js';
import { UnknownPeerError, makeFlow, resolvePeerSpec } from '../../engine/flow.js';
import { decide } from '../../engine/verdict.js';
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

interface CheckOptions extends EngineFlags, InputFlags {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  output: 'txt' | 'json';
}

export function registerCheck(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('check')
    .description('decide one flow and explain why; exits 0 when allowed and 1 when denied')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .requiredOption('--from <peer>', 'source: NAMESPACE/POD or an IP address')
    .requiredOption('--to <peer>', 'destination: NAMESPACE/POD or an IP address')
    .requiredOption('--port <port>', 'destination port', parsePort)
    .option('--protocol <protocol>', 'TCP, UDP or SCTP', parseProtocol, 'TCP' as Protocol)
    .addOption(outputOption(['txt', 'json'] as const, { default: 'txt' }));
  addInputOptions(command);
  addEngineOptions(command).action((paths: string[], opts: CheckOptions) => {
    const cluster = clusterOrReport(paths, io, opts);
    if (cluster === undefined) return setExit(EXIT.error);
    let flow;
    try {
      flow = makeFlow(resolvePeerSpec(cluster, opts.from), resolvePeerSpec(cluster, opts.to), opts.protocol, opts.port);
    } catch (error) {
      if (!(error instanceof UnknownPeerError)) throw error;
      io.err(`netpol: ${error.message}\n`);
      return setExit(EXIT.error);
    }
    const verdict = decide(cluster, flow, engineOptionsFrom(opts));
    io.out(opts.output === 'json' ? `${JSON.stringify(verdictToJSON(verdict), null, 2)}\n` : explainVerdict(verdict));
    setExit(verdict.allowed ? EXIT.ok : EXIT.negative);
  });
}
