/**
 * What `import 'netpol/cdk8s'` runs (its types are index.ts's). cdk8s and constructs are peer dependencies, and
 * ESM resolves a module's whole graph before it runs any of it, so without them the import would end in Node's
 * bare "Cannot find package 'cdk8s'". This entry loads the API dynamically and, when a peer is missing, says
 * which to install. Its names are index.ts's values, one for one (a test holds them together).
 */
import type * as Authoring from './index.js';

const PEERS = ['cdk8s', 'constructs'];

async function loadAuthoring(): Promise<typeof Authoring> {
  try {
    return await import('./index.js');
  } catch (error) {
    const missing = PEERS.filter((peer) => !resolves(peer));
    if (missing.length === 0) throw error;
    throw new Error(
      `netpol/cdk8s is built on the peer dependencies ${PEERS.join(' and ')}, and ${missing.join(' and ')} ` +
        `cannot be found: install ${missing.length === 1 ? 'it' : 'them'} beside netpol ` +
        `(npm install ${PEERS.join(' ')})`,
      { cause: error },
    );
  }
}

function resolves(specifier: string): boolean {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

export const {
  AbstractPod,
  Analysis,
  ConnectivityExpectationError,
  Container,
  DaemonSet,
  Deployment,
  InvalidChartError,
  Job,
  LabelExpression,
  LabelSelector,
  Namespace,
  Namespaces,
  NetworkPolicy,
  NetworkPolicyIpBlock,
  NetworkPolicyPort,
  NetworkPolicyTrafficDefault,
  NetworkProtocol,
  Pod,
  PodConnections,
  PodConnectionsIsolation,
  Pods,
  Protocol,
  Resource,
  StatefulSet,
  Workload,
  analyse,
  expectAllowed,
  expectDenied,
  validatePeerConfig,
} = await loadAuthoring();
