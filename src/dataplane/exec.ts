import { spawnSync } from 'node:child_process';

/** A program's result; data goes in over stdin and arguments as an argv array, never through a shell. */
export interface ExecResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class MissingToolError extends Error {}

export function run(argv: readonly string[], input?: string): ExecResult {
  const [program, ...args] = argv;
  const result = spawnSync(program!, args, { input, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MissingToolError(
        `${program} is not installed: install it with apt-get install ${PACKAGES[program!] ?? program}`,
      );
    }
    throw result.error;
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs, and throws with the program's own words when it fails. */
export function runOk(argv: readonly string[], input?: string): string {
  const result = run(argv, input);
  if (result.status !== 0)
    throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

/** The same argv, run inside a network namespace. */
export const inNetns = (netns: string | undefined, argv: readonly string[]): string[] =>
  netns === undefined ? [...argv] : ['ip', 'netns', 'exec', netns, ...argv];

const PACKAGES: Record<string, string> = { nft: 'nftables', ip: 'iproute2' };
