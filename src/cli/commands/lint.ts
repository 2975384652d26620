import { Option, type Command } from 'commander';
import { type Severity, lint } from '../../engine/lint.js';
import { LINT_FORMATS, type LintFormat, formatFindings } from '../../report/lint.js';
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
      const cluster = clusterOrReport(paths, io, opts);
      if (cluster === undefined) return setExit(EXIT.error);
      const findings = lint(cluster, engineOptionsFrom(opts));
      io.out(formatFindings(findings, opts.output));
      setExit(findings.some((f) => RANK[f.severity] >= RANK[opts.failOn]) ? EXIT.negative : EXIT.ok);
    },
  );
}
