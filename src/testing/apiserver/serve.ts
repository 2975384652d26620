/**
 * Runs the test API server as a process of its own, for `netpol lab up --source api`: on 127.0.0.1, every CRD and
 * Ironcore group installed, until SIGTERM. Test support, not a cluster: no authentication, objects in memory.
 *
 *   serve --ready-file PATH [--kubeconfig-dir DIR]
 *     writes {"url", "pid"} to PATH (by rename) once it listens, and a kubeconfig for it to DIR/kubeconfig
 */
import { renameSync, writeFileSync } from 'node:fs';
import { writeKubeconfig } from './kubeconfig.js';
import { ApiServer } from './server.js';

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--ready-file');
  const readyFile = at >= 0 ? argv[at + 1] : undefined;
  if (readyFile === undefined) throw new Error('serve: --ready-file is required');
  // Bookmarks every 10 s: the agents' watches stay fresh without the minute a real API server waits.
  const server = await ApiServer.start({ bookmarkIntervalMs: 10_000 });
  const kubeconfigAt = argv.indexOf('--kubeconfig-dir');
  if (kubeconfigAt >= 0) writeKubeconfig(argv[kubeconfigAt + 1]!, server.url);
  writeFileSync(`${readyFile}.tmp`, JSON.stringify({ url: server.url, pid: process.pid }));
  renameSync(`${readyFile}.tmp`, readyFile);
  const stop = (): void => void server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
