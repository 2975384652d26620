import type { Command } from 'commander';
import type { Protocol } from '../../algebra/connset.js';
import { explainVerdict, verdictToJSON } from '../../engine/explain.js';
import { UnknownPeerError, makeFlow, resolveDestinationPort, resolvePeerSpec } from '../../engine/flow.js';
import { decide } from '../../engine/verdict.js';
import { warningToJSON } from '../../pipeline/input-warnings.js';
import { EXIT, type Io } from '../io.js';
import {
  type EngineFlags,
  type InputFlags,
  addInputOptions,
  addEngineOptions,
  engineOptionsFrom,
  loadOrReport,
  outputOption,
  parsePortOrName,
  parseProtocol,
} from '../common.js';

interface CheckOptions extends EngineFlags, InputFlags {
  from: string;
  to: string;
  port: number | string;
  protocol: Protocol;
  output: 'txt' | 'json';
}

const PEER_HELP = 'what list prints (NAMESPACE/WORKLOAD, NAMESPACE/NAME[Kind]), a pod, or an IP address';

export function registerCheck(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('check')
    .description('decide one flow and explain why; exits 0 when allowed and 1 when denied')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .requiredOption('--from <peer>', `source: ${PEER_HELP}`)
    .requiredOption('--to <peer>', `destination: ${PEER_HELP}`)
    .requiredOption(
      '--port <port>',
      'destination port: a number, or a container port name of the destination',
      parsePortOrName,
    )
    .option('--protocol <protocol>', 'TCP, UDP or SCTP', parseProtocol, 'TCP' as Protocol)
    .addOption(outputOption(['txt', 'json'] as const, { default: 'txt' }));
  addInputOptions(command);
  addEngineOptions(command).action((paths: string[], opts: CheckOptions) => {
    const loaded = loadOrReport(paths, io, opts);
    if (loaded === undefined) return setExit(EXIT.error);
    const { cluster } = loaded;
    let flow;
    try {
      const src = resolvePeerSpec(cluster, opts.from);
      const dst = resolvePeerSpec(cluster, opts.to);
      flow = makeFlow(src, dst, opts.protocol, resolveDestinationPort(dst, opts.port, opts.protocol));
    } catch (error) {
      if (!(error instanceof UnknownPeerError)) throw error;
      io.err(`netpol: ${error.message}\n`);
      return setExit(EXIT.error);
    }
    const verdict = decide(cluster, flow, engineOptionsFrom(opts));
    const json = (): object => ({ ...verdictToJSON(verdict), warnings: loaded.warnings.map(warningToJSON) });
    io.out(opts.output === 'json' ? `${JSON.stringify(json(), null, 2)}\n` : explainVerdict(verdict));
    setExit(verdict.allowed ? EXIT.ok : EXIT.negative);
  });
}
