import assert from 'node:assert/strict';
import type { Protocol } from '../algebra/connset.js';
import { makeFlow, resolvePeerSpec } from '../engine/flow.js';
import { type Verdict, decide } from '../engine/verdict.js';
import { type EngineOptions, defaultEngineOptions } from '../policy/evaluate.js';
import { type Cluster, buildCluster } from '../policy/cluster.js';
import { loadText } from '../load/load.js';
import { validateObjects } from '../validate/validate.js';

/** A cluster from YAML text that must load and validate cleanly. */
export function clusterFrom(yaml: string, file = 'fixture.yaml'): Cluster {
  const { objects, problems } = loadText(yaml, file);
  assert.deepEqual(problems, [], 'the fixture loads');
  assert.deepEqual(
    validateObjects(objects).map((d) => d.message),
    [],
    'the fixture is valid',
  );
  return buildCluster(objects);
}

export function verdictOf(
  cluster: Cluster,
  from: string,
  to: string,
  port: number,
  protocol: Protocol = 'TCP',
  options: EngineOptions = defaultEngineOptions,
): Verdict {
  return decide(
    cluster,
    makeFlow(resolvePeerSpec(cluster, from), resolvePeerSpec(cluster, to), protocol, port),
    options,
  );
}

export const allowed = (
  cluster: Cluster,
  from: string,
  to: string,
  port: number,
  protocol: Protocol = 'TCP',
): boolean => verdictOf(cluster, from, to, port, protocol).allowed;

/** A pod manifest; ports as `name:number/PROTO` or `number`. */
export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  options: { ip?: string; node?: string; ports?: string[]; hostNetwork?: boolean } = {},
): string {
  const ports = (options.ports ?? []).map((p) => {
    const m = /^(?:([a-z0-9-]+):)?(\d+)(?:\/(TCP|UDP|SCTP))?$/.exec(p);
    if (!m) throw new Error(`bad port ${p}`);
    return `        - {${m[1] ? `name: ${m[1]}, ` : ''}containerPort: ${m[2]}, protocol: ${m[3] ?? 'TCP'}}`;
  });
  return [
    '---',
    'apiVersion: v1',
    'kind: Pod',
    `metadata: {name: ${name}, namespace: ${namespace}, labels: ${JSON.stringify(labels)}}`,
    'spec:',
    ...(options.node ? [`  nodeName: ${options.node}`] : []),
    ...(options.hostNetwork ? ['  hostNetwork: true'] : []),
    '  containers:',
    '    - name: c',
    ...(ports.length ? ['      ports:', ...ports] : []),
    ...(options.ip ? ['status:', `  podIP: ${options.ip}`, `  podIPs: [{ip: ${options.ip}}]`] : []),
    '',
  ].join('\n');
}

export function netpol(namespace: string, name: string, spec: object): string {
  const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
  return `---\n${JSON.stringify(policy)}\n`;
}
