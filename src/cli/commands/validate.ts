import type { Command } from 'commander';
import { readInputs } from '../../pipeline/inputs.js';
import { formatValidation, validationToJSON } from '../../report/validation.js';
import { EXIT, type Io } from '../io.js';
import { type InputFlags, addInputOptions, loadOptionsFrom, outputOption, reportSkipped } from '../common.js';

export function registerValidate(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('validate')
    .description('check every object as the Kubernetes API server would, and report each problem with file:line')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(outputOption(['txt', 'json'] as const, { default: 'txt' }));
  addInputOptions(command, { skipInvalid: false }).action(
    (paths: string[], opts: { output: 'txt' | 'json' } & InputFlags) => {
      const inputs = readInputs(paths, loadOptionsFrom(opts, io));
      const bad = inputs.load.problems.length + inputs.diagnostics.length;
      setExit(bad === 0 ? EXIT.ok : EXIT.negative);
      reportSkipped(paths, inputs, io, opts);
      if (opts.output === 'json') return io.out(validationToJSON(inputs));
      io.out(
        formatValidation({
          problems: inputs.load.problems,
          diagnostics: inputs.diagnostics,
          objects: inputs.load.objects.length,
          skipped: inputs.load.skipped.length,
        }),
      );
    },
  );
}
