import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.js';
import { registerList } from './commands/list.js';
import { registerDiff } from './commands/diff.js';
import { registerLint } from './commands/lint.js';
import { registerExposure } from './commands/exposure.js';
import { registerRender } from './commands/render.js';
import { registerLab } from './commands/lab.js';
import { registerAgent } from './commands/agent.js';
import { registerController } from './commands/controller.js';
import { registerMatrix } from './commands/matrix.js';
import { registerMigrate } from './commands/migrate.js';
import { registerValidate } from './commands/validate.js';
import { EXIT, type Io, processIo } from './io.js';

export const VERSION = '0.1.0';

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command('netpol')
    .description('A Kubernetes NetworkPolicy engine: validate, decide and explain, analyse, render and enforce')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  registerValidate(program, io, setExit);
  registerCheck(program, io, setExit);
  registerMatrix(program, io, setExit);
  registerMigrate(program, io, setExit);
  registerList(program, io, setExit);
  registerDiff(program, io, setExit);
  registerLint(program, io, setExit);
  registerExposure(program, io, setExit);
  registerRender(program, io, setExit);
  registerLab(program, io, setExit);
  registerAgent(program, io, setExit);
  registerController(program, io, setExit);
  pointToHelpAfterErrors(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    // Commands report what they can; anything else is still said in one line, with the stack on request.
    const detail = process.env['NETPOL_DEBUG']
      ? ((error as Error).stack ?? String(error))
      : ((error as Error).message ?? String(error));
    io.err(`netpol: ${detail}\n`);
    return EXIT.error;
  }
  return exitCode;
}

/**
 * A usage error is its one line and where to read more (`see netpol list --help`): the whole help
 * after it would bury the line that says what is wrong.
 */
function pointToHelpAfterErrors(command: Command, path: readonly string[] = []): void {
  const here = [...path, command.name()];
  command.showHelpAfterError(`see ${here.join(' ')} --help`);
  for (const sub of command.commands) pointToHelpAfterErrors(sub, here);
}
