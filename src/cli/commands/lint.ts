import { Option, type Command } from 'commander';
import { type Severity, lint } from '../../engine/lint.js';
import { LINT_FORMATS, type LintFormat, formatFindings } from '../../report/lint.js';
import { EXIT, type Io } from '../io.js';
import {
  type EngineFlags,
  type InputFlags,
  addEngineOptions,
  addInputOptions,
  engineOptionsFrom,
  loadOrReport,
  outputOption,
} from '../common.js';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function registerLint(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('lint')
    .description('find the mistakes people make with NetworkPolicy; each finding has a severity, file:line and a fix')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(outputOption(LINT_FORMATS, { default: 'txt' }))
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is this severe or more')
        .choices(['error', 'warning', 'info'])
        .default('warning'),
    );
  addInputOptions(command);
  addEngineOptions(command).action(
    (paths: string[], opts: { output: LintFormat; failOn: Severity } & EngineFlags & InputFlags) => {
      const loaded = loadOrReport(paths, io, opts);
      if (loaded === undefined) return setExit(EXIT.error);
      const findings = lint(loaded.cluster, engineOptionsFrom(opts), loaded.replaced);
      io.out(formatFindings(findings, opts.output));
      setExit(findings.some((f) => RANK[f.severity] >= RANK[opts.failOn]) ? EXIT.negative : EXIT.ok);
    },
  );
}
