/**
 * netpol's analysis benchmark: one JSON line per figure.
 *   npm run bench                          every size, the scaling series and the naive comparison
 *   npm run bench -- --sizes 1000,10000    only these sizes
 *   npm run bench -- --only scaling        only one part: sizes, scaling, compare or dumps
 *   npm run bench -- --only rules          whole `netpol validate|list` processes on one policy of 25,000,
 *                                          50,000 and 100,000 rules (--rule-sizes), to see growth with rules
 *   npm run bench -- --only dumps          whole `netpol list|validate` processes on kubectl-style
 *                                          dumps (JSON, YAML) beside the JSON.parse floor (bench/dumps.bench.ts)
 * Figures: load (parse + validate YAML from disk), resolve (build the cluster), list (from the
 * loaded cluster to the printed text), check (median of one decide()).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { computeConnectivity } from '../src/engine/connectivity.js';
import { workloadConnections } from '../src/engine/connlist.js';
import { endpointFlow } from '../src/engine/flow.js';
import { decide } from '../src/engine/verdict.js';
import { type Cluster, buildCluster } from '../src/policy/cluster.js';
import { readInputs } from '../src/pipeline/inputs.js';
import { objectFromData } from '../src/resources/source.js';
import { formatConnList } from '../src/report/connlist.js';
import { benchDumps, benchLargePolicy } from './dumps.bench.js';
import { type ClusterSize, generateCluster } from './generate.js';

const SIZES = [
  { pods: 1_000, policies: 200 },
  { pods: 10_000, policies: 2_000 },
  { pods: 50_000, policies: 10_000 },
];

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const wanted = arg('--sizes')?.split(',').map(Number);
const only = arg('--only');
const rssMiB = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
const emit = (figure: Record<string, unknown>): void => console.log(JSON.stringify(figure));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = <T>(work: () => T): [T, number] => {
  const start = process.hrtime.bigint();
  const result = work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
};
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function listOf(cluster: Cluster) {
  const connectivity = computeConnectivity(cluster);
  const lines = workloadConnections(connectivity);
  return { connectivity, lines, text: formatConnList(lines, 'txt') };
}

/** Builds a cluster straight from generated data, for the series that measure analysis only. */
const clusterOf = (size: ClusterSize): Cluster => buildCluster(generateCluster(size).map((o) => objectFromData(o)));

function sizes(): void {
  for (const size of SIZES.filter((s) => wanted === undefined || wanted.includes(s.pods))) {
    const objects = generateCluster(size);
    const file = join(mkdtempSync(join(tmpdir(), 'netpol-bench-')), 'cluster.yaml');
    writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    const base = { pods: size.pods, policies: size.policies };

    const [inputs, loadMs] = time(() => readInputs([file]));
    if (inputs.diagnostics.length > 0 || inputs.load.problems.length > 0)
      throw new Error('the generated cluster must be valid');
    emit({ bench: 'load', ...base, objects: inputs.load.objects.length, ms: Math.round(loadMs), rssMiB: rssMiB() });

    const [cluster, resolveMs] = time(() => buildCluster(inputs.load.objects));
    emit({ bench: 'resolve', ...base, ms: Math.round(resolveMs), rssMiB: rssMiB() });

    gc();
    const [listed, listMs] = time(() => listOf(cluster));
    const { identities, pairs } = listed.connectivity;
    emit({
      bench: 'list',
      ...base,
      identities: identities.length,
      identityPairs: pairs.length,
      lines: listed.lines.length,
      ms: Math.round(listMs),
      rssMiB: rssMiB(),
    });

    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % cluster.endpoints.length;
    const samples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const flow = endpointFlow(cluster.endpoints[next()]!, cluster.endpoints[next()]!, 'TCP', 8080);
      samples.push(time(() => decide(cluster, flow))[1]);
    }
    const p99 = [...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.99)]!;
    emit({
      bench: 'check',
      ...base,
      ms: Number(median(samples).toFixed(4)),
      p99ms: Number(p99.toFixed(4)),
      rssMiB: rssMiB(),
    });
  }
}

/** How list time grows: pods doubling at fixed identities, then policies doubling at fixed pods. Medians of 3. */
function scaling(): void {
  const run = (size: ClusterSize, series: string): void => {
    const cluster = clusterOf(size);
    const times = [0, 1, 2].map(() => {
      gc();
      return time(() => listOf(cluster))[1];
    });
    const identities = computeConnectivity(cluster).identities.length;
    emit({
      bench: 'list',
      series,
      pods: size.pods,
      policies: size.policies,
      identities,
      ms: Math.round(median(times)),
      rssMiB: rssMiB(),
    });
  };
  for (const pods of [5_000, 10_000, 20_000, 40_000]) run({ pods, policies: 1_000, namespaces: 50 }, 'pods-double');
  for (const policies of [1_000, 2_000, 4_000, 8_000])
    run({ pods: 10_000, policies, namespaces: 100 }, 'policies-double');
}

/** The same answer two ways: identity-based list, and a naive loop of decide() over every pod pair (one port). */
function compare(): void {
  const size = { pods: 1_000, policies: 200 };
  const cluster = clusterOf(size);
  const [, identityMs] = time(() => listOf(cluster));
  const [, naiveMs] = time(() => {
    let allowed = 0;
    for (const src of cluster.endpoints)
      for (const dst of cluster.endpoints)
        if (src !== dst && decide(cluster, endpointFlow(src, dst, 'TCP', 8080)).allowed) allowed++;
    return allowed;
  });
  emit({ bench: 'list', variant: 'identities, all ports', ...size, ms: Math.round(identityMs), rssMiB: rssMiB() });
  emit({
    bench: 'list',
    variant: 'pairwise decide, one port',
    ...size,
    ms: Math.round(naiveMs),
    rssMiB: rssMiB(),
    ratio: Number((naiveMs / identityMs).toFixed(1)),
  });
}

if (only === undefined || only === 'sizes') sizes();
if (only === undefined || only === 'scaling') scaling();
if (only === undefined || only === 'compare') compare();
if (only === 'rules') {
  benchLargePolicy(
    (arg('--rule-sizes') ?? '25000,50000,100000').split(',').map(Number),
    Number(arg('--runs') ?? 1),
    emit,
  );
}
if (only === undefined || only === 'dumps') {
  benchDumps(arg('--dump-sizes')?.split(',').map(Number), Number(arg('--runs') ?? 3), emit);
}
