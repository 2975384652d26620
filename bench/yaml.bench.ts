/**
 * The YAML reader's speed, on a kubectl-style dump (`kubectl get ... -o yaml`: one List, block
 * style, sequences not indented under their key), against JSON.parse of the same data in JSON form
 * (`-o json`, four-space indentation) as the floor. Prints one JSON line per figure, medians.
 *
 *   npm run bench:yaml                         a generated dump (10,000 pods, 2,000 policies)
 *   npm run bench:yaml -- --pods 2000          a smaller one
 *   npm run bench:yaml -- --file dump.yaml     a dump of your own (its JSON form is derived)
 *   npm run bench:yaml -- --runs 9
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { parseYaml } from '../src/yaml/index.js';
import { generateCluster } from './generate.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const runs = Number(arg('--runs') ?? 5);
const file = arg('--file');
const yamlText = file !== undefined ? readFileSync(file, 'utf8') : generatedDump(Number(arg('--pods') ?? 10_000));
const parsed = parseYaml(yamlText);
if (parsed.error !== undefined) throw new Error(`the dump does not parse: ${parsed.error.goError}`);
const jsonText = JSON.stringify(parsed.value, null, 4);

function generatedDump(pods: number): string {
  const items = generateCluster({ pods, policies: Math.ceil(pods / 5) });
  const list = { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
  // kubectl never writes anchors: shared objects are written out each time.
  return stringify(list, { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}

/** Median wall time of `runs` calls, in seconds, after one warm-up call. */
function median(f: () => unknown): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const yamlBytes = Buffer.byteLength(yamlText);
const jsonBytes = Buffer.byteLength(jsonText);
const report = (figure: string, bytes: number, seconds: number, extra: Record<string, unknown> = {}): void => {
  const mbPerSecond = Number((bytes / 1e6 / seconds).toFixed(1));
  console.log(
    JSON.stringify({
      figure,
      mb: Number((bytes / 1e6).toFixed(1)),
      seconds: Number(seconds.toFixed(3)),
      mbPerSecond,
      ...extra,
    }),
  );
};

const floor = median(() => JSON.parse(jsonText));
report('JSON.parse of the JSON form', jsonBytes, floor);
const shallow = median(() => parseYaml(yamlText));
report('parseYaml, shallow positions', yamlBytes, shallow, { timesJsonParse: Number((shallow / floor).toFixed(2)) });
const full = median(() => parseYaml(yamlText, { positions: 'full' }));
report('parseYaml, full positions', yamlBytes, full, { timesJsonParse: Number((full / floor).toFixed(2)) });
