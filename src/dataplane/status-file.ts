import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A JSON file replaced whole on every write, for readers that poll it. The new content goes to a
 * temporary file of a random name in the same directory, created exclusively and never through a
 * symbolic link (O_CREAT | O_EXCL | O_NOFOLLOW), then renamed over the file: a reader sees the old
 * content or the new, and a link planted where the temporary file goes cannot redirect the write.
 * A directory that is missing is made; a write that fails is said once and tried again next time.
 */
export class StatusFile {
  private failing: string | undefined;

  constructor(
    private readonly path: string,
    private readonly warn: (message: string) => void,
  ) {}

  write(value: unknown): void {
    const directory = dirname(this.path);
    const temporary = join(directory, `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      mkdirSync(directory, { recursive: true, mode: 0o755 });
      const fd = openSync(
        temporary,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o644,
      );
      try {
        writeSync(fd, JSON.stringify(value));
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
      if (this.failing !== undefined) this.warn(`the status file ${this.path} is written again`);
      this.failing = undefined;
    } catch (error) {
      rmSync(temporary, { force: true });
      const message = (error as Error).message;
      if (this.failing !== message) this.warn(`cannot write the status file ${this.path}: ${message}`);
      this.failing = message;
    }
  }
}
