import type { Command } from 'commander';
import { exposure } from '../../engine/exposure.js';
import { EXPOSURE_FORMATS, type ExposureFormat, formatExposure } from '../../report/exposure.js';
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

export function registerExposure(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('exposure')
    .description(
      'report which workloads are reachable from outside the cluster, from any namespace, or from everything, ' +
        'and which no policy protects',
    )
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(outputOption(EXPOSURE_FORMATS, { default: 'txt' }));
  addInputOptions(command);
  addEngineOptions(command).action((paths: string[], opts: { output: ExposureFormat } & EngineFlags & InputFlags) => {
    const cluster = clusterOrReport(paths, io, opts);
    if (cluster === undefined) return setExit(EXIT.error);
    io.out(formatExposure(exposure(cluster, engineOptionsFrom(opts)), opts.output));
    setExit(EXIT.ok);
  });
}
