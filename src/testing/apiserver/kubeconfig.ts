import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** The context's name, and its cluster's and user's: `netpol-test` by default. */
  readonly context?: string;
  readonly namespace?: string;
}

/**
 * Writes a kubeconfig for a server at `url` (plain HTTP, no credentials: the test server has no
 * authentication) into `dir`, and returns its path.
 */
export function writeKubeconfig(dir: string, url: string, options: KubeconfigOptions = {}): string {
  const name = options.context ?? 'netpol-test';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    // @kubernetes/client-node refuses plain http unless TLS verification is marked as skipped.
    clusters: [{ name, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: {} }],
    contexts: [
      { name, context: { cluster: name, user: name, ...(options.namespace ? { namespace: options.namespace } : {}) } },
    ],
    'current-context': name,
    preferences: {},
  };
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}
