/**
 * What a user's first command costs on a cluster dump: `netpol list` and `netpol validate` on
 * `kubectl get ns,deploy,rs,pods,netpol -A -o json|yaml` output, timed as whole processes, beside
 * the floor of the same run: a process that only reads the JSON form and JSON.parses it.
 * One JSON line per figure: {"bench": "dump", "command", "format", "pods", "policies", "mb",
 * "ms" (median wall time), "rssMiB" (peak), "floorMs", "ratio"}.
 *   npm run bench -- --only dumps [--dump-sizes 10000,50000] [--runs 3]
 * The netpol CLI is run from dist/ (npm run build first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlDump } from './dump.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/bin.js');
const rssHook = join(root, 'bench/peak-rss.mjs');

const DUMP_SIZES = [
  { pods: 10_000, policies: 2_000 },
  { pods: 50_000, policies: 10_000 },
];

interface Run {
  readonly ms: number;
  readonly rssMiB: number;
  readonly status: number | null;
}

/** Runs `node args...` once, with a hook that reports the peak RSS as the process exits. */
function timeProcess(args: readonly string[]): Run {
  const report = join(mkdtempSync(join(tmpdir(), 'netpol-rss-')), 'rss');
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--import', rssHook, ...args], {
    env: { ...process.env, NETPOL_RSS_REPORT: report },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 28,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rssMiB = existsSync(report) ? Number(readFileSync(report, 'utf8')) : Number.NaN;
  rmSync(report, { force: true });
  if (child.status !== 0 && child.status !== 1) {
    throw new Error(`node ${args.join(' ')} failed (${child.status}): ${child.stderr.toString().slice(0, 2000)}`);
  }
  return { ms, rssMiB, status: child.status };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * One NetworkPolicy of `rules` ingress rules, each from its own /24 and a pod label, to its own port, beside 20
 * pods: `validate` and `list` as whole processes, to see time grow with the rules (near-linear, or not).
 */
export function benchLargePolicy(
  sizes: readonly number[],
  runs: number,
  emit: (figure: Record<string, unknown>) => void,
) {
  if (!existsSync(cli)) throw new Error('dist/cli/bin.js is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'netpol-rules-'));
  try {
    for (const rules of sizes) {
      const file = join(dir, `policy-${rules}.json`);
      writeFileSync(file, JSON.stringify(largePolicy(rules)));
      for (const command of ['validate', 'list']) {
        const results = Array.from({ length: runs }, () => timeProcess([cli, command, file]));
        emit({
          bench: 'large-policy',
          command,
          rules,
          ms: Math.round(median(results.map((r) => r.ms))),
          rssMiB: Math.round(Math.max(...results.map((r) => r.rssMiB))),
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function largePolicy(rules: number): object {
  const ingress = Array.from({ length: rules }, (_, i) => ({
    from: [
      { ipBlock: { cidr: `10.${(i >> 8) & 255}.${i & 255}.0/24` } },
      { podSelector: { matchLabels: { app: `a${i % 50}` } } },
    ],
    ports: [{ port: 1000 + (i % 5000), protocol: 'TCP' }],
  }));
  const pods = Array.from({ length: 20 }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'x', labels: { app: `a${i}` } },
    spec: { containers: [{ name: 'c' }] },
    status: { podIP: `192.168.0.${i + 1}` },
  }));
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'big', namespace: 'x' },
    spec: { podSelector: {}, ingress },
  };
  return { apiVersion: 'v1', kind: 'List', items: [policy, ...pods] };
}

export function benchDumps(
  sizes: readonly number[] | undefined,
  runs: number,
  emit: (figure: Record<string, unknown>) => void,
): void {
  if (!existsSync(cli)) throw new Error('dist/cli/bin.js is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'netpol-dumps-'));
  try {
    for (const size of DUMP_SIZES.filter((s) => sizes === undefined || sizes.includes(s.pods))) {
      const files = {
        json: join(dir, `dump-${size.pods}.json`),
        yaml: join(dir, `dump-${size.pods}.yaml`),
      };
      writeFileSync(files.json, kubectlDump(size, 'json'));
      const floorScript = `JSON.parse(require('fs').readFileSync(${JSON.stringify(files.json)}, 'utf8'))`;
      const floors: number[] = [];
      const measured = new Map<string, Run[]>();
      const variants: [string, string, string[]][] = [
        ['list', 'json', ['list', files.json]],
        ['validate', 'json', ['validate', files.json]],
      ];
      // The 50,000-pod YAML form is left out: its text alone is larger than a JavaScript string may be.
      if (size.pods <= 10_000) {
        writeFileSync(files.yaml, kubectlDump(size, 'yaml'));
        variants.push(['list', 'yaml', ['list', files.yaml]], ['validate', 'yaml', ['validate', files.yaml]]);
      }
      const limit = ['--max-input-bytes', String(2 ** 29 - 24)];
      // Interleaved, so that a noisy moment hurts every variant alike.
      for (let run = 0; run < runs; run++) {
        floors.push(timeProcess(['-e', floorScript]).ms);
        for (const [command, format, args] of variants) {
          const key = `${command}/${format}`;
          measured.set(key, [...(measured.get(key) ?? []), timeProcess([cli, ...args, ...limit])]);
        }
      }
      const floorMs = median(floors);
      for (const [command, format, args] of variants) {
        const results = measured.get(`${command}/${format}`)!;
        const ms = median(results.map((r) => r.ms));
        emit({
          bench: 'dump',
          command,
          format,
          ...size,
          mb: Math.round(statSync(args[1]!).size / 1e6),
          ms: Math.round(ms),
          rssMiB: Math.round(Math.max(...results.map((r) => r.rssMiB))),
          floorMs: Math.round(floorMs),
          ratio: Number((ms / floorMs).toFixed(2)),
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
