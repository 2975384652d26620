import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig, loadKubeconfigFile } from './kube-source.js';

export interface KubeConfigChoice {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** The in-cluster service account's token, which the kubelet mounts into every pod that asks for one. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Finds the cluster as controller-runtime's config loader does: the `--kubeconfig` file, else the files of
 * `$KUBECONFIG` (merged, as kubectl merges them), else the pod's service account when running in a cluster, else
 * `~/.kube/config`. `--context` picks a context of the kubeconfig. Throws with what to do when there is none.
 * `source` says which was taken, for the log.
 */
export function resolveKubeConfig(
  choice: KubeConfigChoice,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): { config: KubeConfig; source: string } {
  if (choice.kubeconfig !== undefined) {
    return { config: loadKubeConfig(choice), source: choice.kubeconfig };
  }
  const fromEnv = env['KUBECONFIG'];
  if (fromEnv !== undefined && fromEnv.split(delimiter).some((file) => file !== '')) {
    const [first, ...rest] = fromEnv.split(delimiter).filter((file) => file !== '');
    const config = new KubeConfig();
    loadKubeconfigFile(config, first!);
    for (const file of rest) {
      const more = new KubeConfig();
      loadKubeconfigFile(more, file);
      // The first file's current context stands, as with kubectl (client-node refuses names defined twice).
      config.mergeConfig(more, true);
    }
    return { config: withContext(config, choice.context, `$KUBECONFIG (${fromEnv})`), source: fromEnv };
  }
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    if (choice.context !== undefined) throw new Error('--context picks a context of a kubeconfig: pass --kubeconfig');
    return { config: loadKubeConfig({}), source: 'the in-cluster service account' };
  }
  const defaultFile = join(home, '.kube', 'config');
  if (existsSync(defaultFile)) {
    return { config: loadKubeConfig({ ...choice, kubeconfig: defaultFile }), source: defaultFile };
  }
  throw new Error(
    'no cluster to talk to: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account ' +
      `(${SERVICE_ACCOUNT_TOKEN} is not there)`,
  );
}

function withContext(config: KubeConfig, context: string | undefined, where: string): KubeConfig {
  if (context !== undefined) {
    if (!config.getContexts().some((c) => c.name === context))
      throw new Error(`${where}: context "${context}" not found`);
    config.setCurrentContext(context);
  }
  if (config.getCurrentCluster() === null) throw new Error(`${where}: no current context with a cluster`);
  return config;
}
