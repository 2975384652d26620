import type { Command } from 'commander';
import { readInputs } from '../../model/inputs.js';
import { validationToJSON } from '../../report/validation.js';
import { EXIT, type Io } from '../io.js';
import {
  type InputFlags,
  addInputOptions,
  formatDiagnostic,
  formatProblem,
  outputOption,
  reportSkipped,
} from '../common.js';
import { plural } from '../../util/plural.js';

export function registerValidate(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('validate')
    .description('check every object as the Kubernetes API server would, and report each problem with file:line')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(outputOption(['txt', 'json'] as const, { default: 'txt' }));
  addInputOptions(command, { skipInvalid: false }).action(
    (paths: string[], opts: { output: 'txt' | 'json' } & InputFlags) => {
      const inputs = readInputs(paths, { readStdin: io.readStdin });
      const bad = inputs.load.problems.length + inputs.diagnostics.length;
      setExit(bad === 0 ? EXIT.ok : EXIT.negative);
      reportSkipped(paths, inputs, io, opts);
      if (opts.output === 'json') return io.out(validationToJSON(inputs));
      for (const p of inputs.load.problems) io.out(`${formatProblem(p)}\n`);
      for (const d of inputs.diagnostics) io.out(`${formatDiagnostic(d)}\n`);
      const invalidObjects = new Set(inputs.diagnostics.map((d) => d.object)).size;
      const total = inputs.load.objects.length;
      const skipped = inputs.load.skipped.length ? `, ${inputs.load.skipped.length} skipped` : '';
      if (bad === 0) io.out(`${plural(total, 'object')} valid${skipped}\n`);
      else io.out(`${invalidObjects} of ${plural(total, 'object')} invalid, ${plural(bad, 'problem')}${skipped}\n`);
    },
  );
}
