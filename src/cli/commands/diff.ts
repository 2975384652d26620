import type { Command } from 'commander';
import { diffConnectivity } from '../../engine/conndiff.js';
import { DIFF_FORMATS, type DiffFormat, formatConnDiff } from '../../report/conndiff.js';
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

export function registerDiff(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('diff')
    .description('print how connectivity changes from PATH_A to PATH_B; exits 1 when anything differs')
    .argument('<pathA>', 'the inputs before: a file, a directory, or -')
    .argument('<pathB>', 'the inputs after')
    .addOption(outputOption(DIFF_FORMATS, { default: 'txt' }));
  addInputOptions(command);
  addEngineOptions(command).action(
    (pathA: string, pathB: string, opts: { output: DiffFormat } & EngineFlags & InputFlags) => {
      const before = clusterOrReport([pathA], io, opts);
      const after = clusterOrReport([pathB], io, opts);
      if (before === undefined || after === undefined) return setExit(EXIT.error);
      const bar = progressBar(io, 'comparing');
      const diffs = diffConnectivity(before, after, engineOptionsFrom(opts), bar.update);
      bar.finish();
      io.out(formatConnDiff(diffs, opts.output));
      setExit(diffs.length > 0 ? EXIT.negative : EXIT.ok);
    },
  );
}
