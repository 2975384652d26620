import type { Io } from './io.js';

/**
 * A progress bar on stderr when it is a terminal; nothing otherwise, so
 * logs and pipes stay clean. Redraws at most ten times a second.
 */
export function progressBar(io: Io, label: string): { update(done: number, total: number): void; finish(): void } {
  if (!io.interactive) return { update: () => {}, finish: () => {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      drawn = true;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    finish() {
      if (drawn) io.err('\r\u001b[2K');
    },
  };
}
