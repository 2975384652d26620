import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { inNetns } from './exec.js';

/** A batch longer than this goes through `nft -f` instead: one line of `nft -i` is meant for a delta. */
export const SESSION_LINE_LIMIT = 256 * 1024;
const TIMEOUT_MS = 10_000;

/**
 * One long-lived `nft -i` for an agent. Each batch is written as one line,
 * which nft parses and commits as one transaction, all or nothing, like a
 * whole `nft -f` input. A one-shot `nft` costs a process start and, when it
 * has deleted anything, an RCU grace period as its netlink socket closes
 * (12–20 ms here); a session pays neither.
 *
 * nft says nothing when a batch succeeds, so every batch is followed by a
 * command that fails on purpose, naming a token: when its error comes back
 * on stderr, everything before it is what the batch said.
 */
export class NftSession {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private stderr = '';
  private waiting:
    | { token: string; resolve: (said: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
    | undefined;
  private exited: Error | undefined;
  private serial = 0;

  constructor(netns?: string) {
    const [program, ...args] = inNetns(netns, ['nft', '-i']);
    this.child = spawn(program!, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => this.heard(chunk));
    this.child.stdin.on('error', (error) => this.fail(error));
    this.child.on('error', (error) => this.fail(error));
    this.child.on('exit', (code, signal) => this.fail(new Error(`nft -i exited (${signal ?? code})`)));
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /**
   * Commits the commands as one transaction; rejects with nft's own words if it refused them, and then
   * nothing changed.
   */
  apply(commands: readonly string[]): Promise<void> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    if (this.waiting !== undefined) return Promise.reject(new Error('an nft session runs one batch at a time'));
    if (commands.some((c) => c.includes('\n')))
      return Promise.reject(new Error('an nft session takes one command per line'));
    const token = `netpol_sync_${process.pid}_${++this.serial}`;
    const said = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`nft -i did not answer within ${TIMEOUT_MS / 1000} s`));
        this.close();
      }, TIMEOUT_MS);
      this.waiting = { token, resolve, reject, timer };
    });
    this.child.stdin.write(`${commands.join('; ')}\nlist set inet ${token} ${token}\n`);
    // nft may warn about a batch it commits; only an error means it refused.
    return said.then((text) => {
      if (/^Error:/m.test(text)) throw new Error(`nft refused the batch: ${text.trim()}`);
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill('SIGTERM');
  }

  private heard(chunk: string): void {
    this.stderr += chunk;
    const waiting = this.waiting;
    if (waiting === undefined) return;
    // The marker's error is three lines: "Error: …", the command naming the token, and carets under it.
    const lines = this.stderr.split('\n');
    const echoed = lines.findIndex((line) => line.includes(waiting.token));
    if (echoed < 1 || lines.length < echoed + 3) return;
    const said = lines.slice(0, echoed - 1).join('\n');
    this.stderr = lines.slice(echoed + 2).join('\n');
    clearTimeout(waiting.timer);
    this.waiting = undefined;
    waiting.resolve(said);
  }

  private fail(error: Error): void {
    this.exited ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting !== undefined) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
  }
}
