/**
 * netpol's analysis benchmark: one JSON line per figure.
 *   npm run bench                      all sizes
 *   npm run bench -- --sizes 1000,10000
 * Figures: load (parse + validate YAML from disk), resolve (build the cluster), list (everything, from the
 * loaded cluster to the printed text), check (median of one decide()).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { endpointFlow } from '../src/engine/flow.js';
import { decide } from '../src/engine/verdict.js';
import { buildCluster } from '../src/model/cluster.js';
import { computeConnectivity } from '../src/engine/connectivity.js';
import { workloadConnections } from '../src/engine/connlist.js';
import { formatConnList } from '../src/report/connlist.js';
import { readInputs } from '../src/model/inputs.js';
import { generateCluster } from './generate.js';

const SIZES = [
  { pods: 1_000, policies: 200 },
  { pods: 10_000, policies: 2_000 },
  { pods: 50_000, policies: 10_000 },
];

const argSizes = process.argv.indexOf('--sizes');
const wanted = argSizes > 0 ? process.argv[argSizes + 1]!.split(',').map(Number) : undefined;
const rssMiB = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
const emit = (figure: Record<string, unknown>): void => console.log(JSON.stringify(figure));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = <T>(work: () => T): [T, number] => {
  const start = process.hrtime.bigint();
  const result = work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
};

for (const size of SIZES.filter((s) => wanted === undefined || wanted.includes(s.pods))) {
  const objects = generateCluster(size);
  const file = join(mkdtempSync(join(tmpdir(), 'netpol-bench-')), 'cluster.yaml');
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  const base = { pods: size.pods, policies: size.policies };

  const [inputs, loadMs] = time(() => readInputs([file]));
  if (inputs.diagnostics.length > 0 || inputs.load.problems.length > 0) throw new Error('the generated cluster must be valid');
  emit({ bench: 'load', ...base, objects: inputs.load.objects.length, ms: Math.round(loadMs), rssMiB: rssMiB() });

  const [cluster, resolveMs] = time(() => buildCluster(inputs.load.objects));
  emit({ bench: 'resolve', ...base, ms: Math.round(resolveMs), rssMiB: rssMiB() });

  global.gc?.();
  const [listed, listMs] = time(() => {
    const connectivity = computeConnectivity(cluster);
    const lines = workloadConnections(connectivity);
    return { connectivity, lines, text: formatConnList(lines, 'txt') };
  });
  emit({
    bench: 'list',
    ...base,
    identities: listed.connectivity.identities.length,
    identityPairs: listed.connectivity.pairs.length,
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
  emit({ bench: 'check', ...base, ms: Number(median(samples).toFixed(4)), p99ms: Number([...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.99)]!.toFixed(4)), rssMiB: rssMiB() });
}
