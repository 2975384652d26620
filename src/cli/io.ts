import { readFileSync } from 'node:fs';

/** Where a command writes and reads; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readStdin(): string;
  /** True when stderr is a terminal, so progress may be drawn. */
  readonly interactive: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readStdin: () => readFileSync(0, 'utf8'),
  interactive: process.stderr.isTTY === true,
};

/**
 * Exit codes: 0 success (or allowed), 1 a negative answer (denied, invalid, differs), 2 the command
 * could not run, 3 a test that was not run (SCTP probes on a kernel without SCTP).
 */
export const EXIT = { ok: 0, negative: 1, error: 2, notRun: 3 } as const;
