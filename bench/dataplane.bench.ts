/**
 * netpol's dataplane benchmark, on real packets through lab namespaces (needs root, nftables, iproute2).
 * One JSON line per figure: {"bench", "rendering": "none|netpol|linear", "policies", ...figure}.
 *   npm run bench:dataplane
 *   npm run bench:dataplane -- --only rate,latency,render,update,resync,api --rounds 5 --seconds 1
 *
 *   new-connection-rate   TCP connections per second from a client pod to a server pod on one node,
 *                         with no ruleset, and with netpol's and the linear rendering of 0, 1,000 and
 *                         10,000 generated policies; the median of interleaved rounds.
 *   first-packet-latency  connect time (SYN to SYN-ACK, as the client sees it), p50 and p99.
 *   render                one node of a 10,000-pod / 2,000-policy cluster: resolve + render.
 *   update-latency        a pod's label change, or a new pod, written to the agent's input directory,
 *                         until its delta transaction has been committed by the kernel.
 *   nft-commit-floor      one element added and deleted through a one-shot `nft -f` and through
 *                         the agent's long-lived `nft -i` session.
 *   resync-under-traffic  150 open connections pinging, a stream of new ones, and forced full table
 *                         replacements in between: connections lost. A non-atomic rebuild is run
 *                         as a control, to show that the count sees losses when there are some.
 *   api-event-to-commit,  the agent on the API path at 10,000 pods: bench/dataplane-api.ts.
 *   agent-memory
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceSnapshot } from '../src/controller/source.js';
import { fileAgent } from '../src/dataplane/file-agent.js';
import { run } from '../src/dataplane/exec.js';
import { LAB_ROOT, Lab } from '../src/dataplane/lab/lab.js';
import { LAB_PREFIX, type LabNode, type LabPod } from '../src/dataplane/lab/plan.js';
import { createFabric, createNode, createPod } from '../src/dataplane/lab/topology.js';
import { nft } from '../src/dataplane/nft.js';
import { NftSession } from '../src/dataplane/nft-session.js';
import { formatIP } from '../src/algebra/ip.js';
import { isolatingPolicies } from '../src/policy/evaluate.js';
import { type Cluster, buildCluster } from '../src/model/cluster.js';
import { type JSONObject, isJSONObject, objectFromData } from '../src/model/source.js';
import { type NftRuleset, buildNftRuleset, formatNftRuleset } from '../src/render/nftables.js';
import { selfCommand } from '../src/util/self.js';
import { requireKernelTools } from '../test/support/root.js';
import { generateCluster } from './generate.js';
import { buildLinearRuleset } from './linear.js';
import { benchApi } from './dataplane-api.js';

const LAB = 'bench';
const BENCH_NODE = 'bench';
const SERVER_PORT = 8080;
/** The rate and latency clusters: 10,000 pods in 100 namespaces, as the analysis bench's middle size. */
const PODS = 10_000;
const POLICY_COUNTS = [0, 1_000, 10_000];

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const only = new Set((arg('--only') ?? 'rate,latency,render,update,resync,api').split(','));
const ROUNDS = Number(arg('--rounds') ?? 5);
const SECONDS = Number(arg('--seconds') ?? 2);
const UPDATES = Number(arg('--updates') ?? 100);

const emit = (figure: Record<string, unknown>): void => console.log(JSON.stringify(figure));
const progress = (line: string): void => void process.stderr.write(`# ${line}\n`);
const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
const quantile = (values: readonly number[], q: number): number =>
  sorted(values)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Rendering = 'none' | 'netpol' | 'linear';

/** One node of the bench lab, with a client pod and a server pod, and its own ruleset. */
interface Variant {
  readonly rendering: Rendering;
  readonly policies: number;
  readonly node: LabNode;
  readonly client: LabPod;
  readonly server: LabPod;
  readonly cluster: Cluster;
  readonly ruleset: NftRuleset | undefined;
}

const processes: ChildProcess[] = [];
const clientScript = fileURLToPath(new URL('./dataplane-client.mjs', import.meta.url));

async function main(): Promise<void> {
  requireKernelTools();
  Lab.down(LAB);
  mkdirSync(Lab.dir(LAB), { recursive: true });
  createFabric(LAB);
  try {
    if (only.has('render')) benchRender();
    if (only.has('rate') || only.has('latency') || only.has('resync')) {
      const variants = await buildVariants();
      if (only.has('rate')) await benchRate(variants);
      if (only.has('latency')) await benchLatency(variants);
      if (only.has('resync'))
        await benchResync(variants.find((v) => v.rendering === 'netpol' && v.policies === 1_000)!);
    }
    if (only.has('update')) {
      await benchCommitFloor();
      for (const size of [
        { pods: 1_000, policies: 200 },
        { pods: 10_000, policies: 2_000 },
      ])
        await benchUpdates(size);
    }
    if (only.has('api')) await benchApi({ updates: UPDATES, netns: `${LAB_PREFIX}${LAB}-api`, emit, progress });
  } finally {
    for (const child of processes) child.kill('SIGTERM');
    Lab.down(LAB);
  }
}

// ---------------------------------------------------------------------------------------------
// The lab: one node per variant, each with a client and a server pod from a generated cluster.

/**
 * A generated cluster whose last namespace (in name order) holds the client and the server on
 * the bench node, and whose last policies allow the client to reach the server: a linear walk
 * goes through every other rule first, and netpol's per-endpoint chain through every policy that
 * isolates the pods.
 */
function benchCluster(policies: number): { cluster: Cluster; client: string; server: string } {
  const raw = generateCluster({ pods: PODS, policies });
  const pods = raw.filter((o) => o['kind'] === 'Pod');
  const namespace = [...new Set(pods.map((o) => metadataOf(o)['namespace'] as string))].sort().at(-1)!;
  const pick = (app: string): JSONObject =>
    pods.find((o) => metadataOf(o)['namespace'] === namespace && labelsOf(o)['app'] === app)!;
  const client = pick('frontend');
  const server = pick('api');
  for (const pod of [client, server]) (pod['spec'] as JSONObject)['nodeName'] = BENCH_NODE;
  if (policies > 0) {
    const allow = (name: string, subject: JSONObject, spec: JSONObject): JSONObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace },
      spec: { podSelector: { matchLabels: labelsOf(subject) }, ...spec },
    });
    const port = [{ protocol: 'TCP', port: SERVER_PORT }];
    raw.push(
      allow('zz-bench-egress', client, {
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: labelsOf(server) } }], ports: port }],
      }),
      allow('zz-bench-ingress', server, {
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: labelsOf(client) } }], ports: port }],
      }),
    );
  }
  const cluster = buildCluster(raw.map((o) => objectFromData(o)));
  return {
    cluster,
    client: `${namespace}/${metadataOf(client)['name']}`,
    server: `${namespace}/${metadataOf(server)['name']}`,
  };
}

const metadataOf = (o: JSONObject): JSONObject => (isJSONObject(o['metadata']) ? o['metadata'] : {});
const labelsOf = (o: JSONObject): Record<string, string> => (metadataOf(o)['labels'] ?? {}) as Record<string, string>;

async function buildVariants(): Promise<Variant[]> {
  const plans: { rendering: Rendering; policies: number }[] = [
    { rendering: 'none', policies: 0 },
    ...POLICY_COUNTS.map((policies) => ({ rendering: 'netpol' as const, policies })),
    ...POLICY_COUNTS.filter((n) => n > 0).map((policies) => ({ rendering: 'linear' as const, policies })),
  ];
  const clusters = new Map<number, ReturnType<typeof benchCluster>>();
  const variants: Variant[] = [];
  for (const [i, plan] of plans.entries()) {
    progress(`building node ${i}: ${plan.rendering} rendering of ${plan.policies} policies`);
    if (!clusters.has(plan.policies)) clusters.set(plan.policies, benchCluster(plan.policies));
    const { cluster, client, server } = clusters.get(plan.policies)!;
    const node: LabNode = {
      name: `${plan.rendering}-${plan.policies}`,
      netns: `${LAB_PREFIX}${LAB}-n${i}`,
      address: `100.64.0.${i + 1}`,
    };
    createNode(LAB, node, i);
    const pod = (id: string, k: number): LabPod => {
      const ip = cluster.endpointById.get(id)!.ips[0]!;
      return {
        id,
        node: node.name,
        netns: `${LAB_PREFIX}${LAB}-p${k}`,
        hostInterface: `v${k}`,
        ip: formatIPv4(ip.value),
        ports: [`${SERVER_PORT}/TCP`],
      };
    };
    const variant: Variant = {
      ...plan,
      node,
      client: pod(client, 2 * i),
      server: pod(server, 2 * i + 1),
      cluster,
      ruleset: renderFor(plan.rendering, cluster, [client, server]),
    };
    for (const p of [variant.client, variant.server]) createPod(p, node);
    startServer(variant.server);
    if (variant.ruleset !== undefined) nft.apply(formatNftRuleset(variant.ruleset), node.netns);
    await checkVariant(variant);
    variants.push(variant);
  }
  return variants;
}

function renderFor(rendering: Rendering, cluster: Cluster, local: readonly string[]): NftRuleset | undefined {
  if (rendering === 'none') return undefined;
  if (rendering === 'linear') return buildLinearRuleset(cluster);
  const podCIDRs = local.map((id) => `${formatIPv4(cluster.endpointById.get(id)!.ips[0]!.value)}/32`);
  return buildNftRuleset(cluster, { node: BENCH_NODE, podCIDRs });
}

const formatIPv4 = (value: bigint): string => formatIP(4, value);

function startServer(server: LabPod): void {
  const socket = join(Lab.dir(LAB), `${server.netns}.sock`);
  const argv = [
    'netns',
    'exec',
    server.netns,
    ...selfCommand(import.meta.url, '../src/dataplane/lab/pod-agent'),
    '--socket',
    socket,
    '--ports',
    server.ports.join(','),
  ];
  processes.push(spawn('ip', argv, { stdio: 'ignore' }));
  const deadline = Date.now() + 15_000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline) throw new Error(`the server in ${server.netns} did not start`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/** A variant measures something only if the client reaches the server, and the policies really isolate both. */
async function checkVariant(v: Variant): Promise<void> {
  const reach = await client(v, 'latency', ['--count', '3']);
  if ((reach['failures'] as number) > 0)
    throw new Error(
      `${v.node.name}: the client cannot reach the server; the bench's own allow policies are not enforced`,
    );
  if (v.policies === 0) return;
  const server = v.cluster.endpointById.get(v.server.id)!;
  const clientEndpoint = v.cluster.endpointById.get(v.client.id)!;
  const isolating = isolatingPolicies(v.cluster, server, 'ingress').length;
  if (isolating === 0 || isolatingPolicies(v.cluster, clientEndpoint, 'egress').length === 0)
    throw new Error(`${v.node.name}: the generated policies do not isolate the pods`);
  // A port the policies do not open must be dropped, not refused: the rules are live.
  const closed = await client(v, 'outcome', ['--port', '9']);
  if (closed['outcome'] !== 'timeout')
    throw new Error(`${v.node.name}: a connection to a port no policy opens was ${closed['outcome']}, not dropped`);
}

/** Runs the traffic script in the client pod and returns its JSON result. */
function client(
  v: Variant,
  mode: string,
  args: string[],
  onLine?: (line: string) => void,
): Promise<Record<string, unknown>> {
  // The mode's own arguments first: the script takes the first value of a flag.
  const argv = [
    'netns',
    'exec',
    v.client.netns,
    process.execPath,
    clientScript,
    mode,
    ...args,
    '--ip',
    v.server.ip,
    '--port',
    String(SERVER_PORT),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      let newline;
      while ((newline = out.indexOf('\n')) >= 0 && !out.startsWith('{')) {
        onLine?.(out.slice(0, newline));
        out = out.slice(newline + 1);
      }
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, unknown>)
        : reject(new Error(`the bench client exited with ${code}`)),
    );
  });
}

const ruleCount = (ruleset: NftRuleset | undefined): number =>
  ruleset?.chains.reduce((n, c) => n + c.rules.length, 0) ?? 0;
const labelOf = (v: Variant): Record<string, unknown> => ({
  rendering: v.rendering,
  policies: v.policies,
  pods: PODS,
  rules: ruleCount(v.ruleset),
});

// ---------------------------------------------------------------------------------------------
// Figures.

/** The kernel's TCP counters in a namespace (`nstat`, absolute values, its history file left alone). */
function tcpCounters(netns: string): Record<string, number> {
  // -a: absolute values (history ignored), -s: the history file left alone, -z: zeros too, -j: JSON.
  const listed = run(['ip', 'netns', 'exec', netns, 'nstat', '-a', '-s', '-z', '-j']);
  if (listed.status !== 0) throw new Error(`nstat in ${netns} failed: ${listed.stderr.trim()}`);
  return (JSON.parse(listed.stdout) as { kernel: Record<string, number> }).kernel;
}

/**
 * What a round lost, and where. A connection that fails in a round is a SYN dropped somewhere: by
 * the server's own kernel when its accept queue is full (ListenDrops: the server process did not
 * accept fast enough, which is the machine, not the dataplane), or on the way (the dataplane).
 */
interface RoundLosses {
  failed: number;
  serverDrops: number;
  synRetransmits: number;
  /** The longest the client process went without running, in ms: the machine's share of a round. */
  clientStallMs: number;
}

async function rateRound(v: Variant): Promise<{ rate: number; losses: RoundLosses }> {
  const before = { server: tcpCounters(v.server.netns), client: tcpCounters(v.client.netns) };
  const result = await client(v, 'rate', ['--ms', String(SECONDS * 1000), '--concurrency', '32']);
  const after = { server: tcpCounters(v.server.netns), client: tcpCounters(v.client.netns) };
  const grew = (side: 'server' | 'client', counter: string): number =>
    (after[side][counter] ?? 0) - (before[side][counter] ?? 0);
  return {
    rate: (result['connections'] as number) / ((result['ms'] as number) / 1000),
    losses: {
      failed: result['failures'] as number,
      serverDrops: grew('server', 'TcpExtListenDrops'),
      synRetransmits: grew('client', 'TcpExtTCPSynRetrans'),
      clientStallMs: result['maxStallMs'] as number,
    },
  };
}

async function benchRate(variants: Variant[]): Promise<void> {
  const rates = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  const losses = new Map<Variant, RoundLosses>(
    variants.map((v) => [v, { failed: 0, serverDrops: 0, synRetransmits: 0, clientStallMs: 0 }]),
  );
  // A warm-up round, not counted: neighbours resolved, conntrack and caches warm.
  for (const v of variants) await client(v, 'rate', ['--ms', '500', '--concurrency', '32']);
  for (let r = 0; r < ROUNDS; r++) {
    // Rotated each round, so that no variant always runs first or last on a noisy machine.
    for (const v of [...variants.slice(r % variants.length), ...variants.slice(0, r % variants.length)]) {
      const round = await rateRound(v);
      const total = losses.get(v)!;
      for (const key of ['failed', 'serverDrops', 'synRetransmits'] as const) total[key] += round.losses[key];
      total.clientStallMs = Math.max(total.clientStallMs, round.losses.clientStallMs);
      if (round.losses.failed > 0 || round.losses.serverDrops > 0 || round.losses.synRetransmits > 0)
        progress(
          `${v.node.name}, round ${r + 1}: ${round.losses.failed} connection(s) failed, ` +
            `${round.losses.synRetransmits} SYN(s) sent again, ${round.losses.serverDrops} dropped by the ` +
            `server's kernel on a full accept queue; the client stalled up to ${round.losses.clientStallMs} ms`,
        );
      rates.get(v)!.push(round.rate);
    }
    progress(`rate round ${r + 1}/${ROUNDS} done`);
  }
  const none = rates.get(variants[0]!)!;
  const baseline = quantile(none, 0.5);
  // Two baselines: no ruleset at all, and netpol's with no policies (conntrack and the base chains, the fixed cost).
  const noPolicies = quantile(rates.get(variants.find((v) => v.rendering === 'netpol' && v.policies === 0)!)!, 0.5);
  for (const [v, values] of rates) {
    const median = quantile(values, 0.5);
    emit({
      bench: 'new-connection-rate',
      ...labelOf(v),
      connPerSec: round(median),
      ratioToNone: round(median / baseline, 3),
      ratioToNoPolicies: round(median / noPolicies, 3),
      // Each round against the no-ruleset node of the same round: the machine's load drifts between
      // rounds far more than within one, so the median of paired ratios is the steadier figure.
      pairedRatioToNone: round(
        quantile(
          values.map((x, i) => x / none[i]!),
          0.5,
        ),
        3,
      ),
      rounds: values.map((x) => round(x)),
      // (max - min) / median over the rounds.
      spread: round((Math.max(...values) - Math.min(...values)) / median, 2),
      ...losses.get(v)!,
    });
  }
}

async function benchLatency(variants: Variant[]): Promise<void> {
  const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < 2; r++) {
    for (const v of variants) {
      const result = await client(v, 'latency', ['--count', '1000']);
      samples.get(v)!.push(...(result['samples'] as number[]));
    }
  }
  for (const [v, values] of samples) {
    emit({
      bench: 'first-packet-latency',
      ...labelOf(v),
      p50us: round(quantile(values, 0.5)),
      p99us: round(quantile(values, 0.99)),
      samples: values.length,
    });
  }
}

function benchRender(): void {
  const size = { pods: 10_000, policies: 2_000 };
  progress(`render: generating ${size.pods} pods / ${size.policies} policies`);
  const raw = generateCluster(size);
  const times: { resolve: number; render: number }[] = [];
  let ruleset: NftRuleset | undefined;
  for (let i = 0; i < 5; i++) {
    // Fresh objects each time: nothing derived from them is cached, as for an agent that just started.
    const objects = raw.map((o) => objectFromData(o));
    const started = performance.now();
    const cluster = buildCluster(objects);
    const resolved = performance.now();
    ruleset = buildNftRuleset(cluster, { node: 'node-0' });
    times.push({ resolve: resolved - started, render: performance.now() - resolved });
  }
  const text = formatNftRuleset(ruleset!);
  const scratch = `${LAB_PREFIX}${LAB}-render`;
  run(['ip', 'netns', 'add', scratch]);
  const applyStarted = performance.now();
  nft.apply(text, scratch);
  const applyMs = performance.now() - applyStarted;
  run(['ip', 'netns', 'del', scratch]);
  const total = times.map((t) => t.resolve + t.render);
  emit({
    bench: 'render',
    rendering: 'netpol',
    ...size,
    node: 'node-0',
    ms: round(quantile(total, 0.5), 1),
    resolveMs: round(
      quantile(
        times.map((t) => t.resolve),
        0.5,
      ),
      1,
    ),
    renderMs: round(
      quantile(
        times.map((t) => t.render),
        0.5,
      ),
      1,
    ),
    firstMs: round(total[0]!, 1),
    applyMs: round(applyMs, 1),
    rules: ruleCount(ruleset),
    sets: ruleset!.sets.length,
    bytes: text.length,
  });
}

/**
 * The agent watches a directory with one file per object, as a controller that mirrors the API
 * server would write it. Each change is one file replaced by a rename; the latency runs from just
 * before the rename to the return of the agent's `nft -f` for that change.
 */
async function benchUpdates(size: { pods: number; policies: number }): Promise<void> {
  progress(`update latency: ${size.pods} pods / ${size.policies} policies`);
  const dir = join(LAB_ROOT, LAB, `update-${size.pods}`);
  // Fresh each run: the pods an earlier run created are not this cluster's.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const raw = generateCluster(size);
  const fileOf = (o: JSONObject): string =>
    join(dir, `${o['kind']}-${metadataOf(o)['namespace'] ?? ''}-${metadataOf(o)['name']}.json`);
  const write = (o: JSONObject): void => {
    const file = fileOf(o);
    writeFileSync(`${file}.tmp`, JSON.stringify(o));
    renameSync(`${file}.tmp`, file);
  };
  for (const o of raw) writeFileSync(fileOf(o), JSON.stringify(o));
  const netns = `${LAB_PREFIX}${LAB}-upd`;
  run(['ip', 'netns', 'add', netns]);
  let reconciled: ((commands: readonly string[], snapshot: SourceSnapshot) => void) | undefined;
  const { agent } = fileAgent({
    paths: [dir],
    node: 'node-0',
    netns,
    resyncMs: 0,
    log: (entry) => void (entry.msg.startsWith('applied') || progress(`agent: ${entry.msg}`)),
    onReconciled: (commands, snapshot) => reconciled?.(commands, snapshot),
  });
  const startAt = performance.now();
  await agent.start();
  progress(`agent up in ${round(performance.now() - startAt)} ms (parse, validate, render, apply)`);
  /** The time from writing an object's file to the commit of the reconcile that read it. */
  const timed = async (o: JSONObject): Promise<{ us: number; commands: readonly string[] }> => {
    const file = fileOf(o);
    const done = new Promise<readonly string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the agent did not apply a change within 5 s')), 5_000);
      reconciled = (commands, snapshot) => {
        // The reconcile that read this file: its object is among those the read brought in.
        if (!snapshot.change.added.some((object) => object.origin.file === file)) return;
        clearTimeout(timer);
        resolve(commands);
      };
    });
    const started = performance.now();
    write(o);
    const commands = await done;
    const us = (performance.now() - started) * 1000;
    reconciled = undefined;
    await sleep(5);
    return { us, commands };
  };
  const local = raw.filter(
    (o) =>
      o['kind'] === 'Pod' &&
      (o['spec'] as JSONObject)['nodeName'] === 'node-0' &&
      metadataOf(o)['namespace'] !== 'kube-system',
  );
  const results: Record<'label' | 'pod-create', { us: number[]; commands: number[] }> = {
    label: { us: [], commands: [] },
    'pod-create': { us: [], commands: [] },
  };
  const record = (
    change: 'label' | 'pod-create',
    { us, commands }: { us: number; commands: readonly string[] },
  ): void => {
    assertDelta(commands);
    // A change the rules do not see commits nothing: there is no rule to make live, so no latency to count.
    if (commands.length === 0) return;
    results[change].us.push(us);
    results[change].commands.push(commands.length);
  };
  for (let i = 0; i < UPDATES; i++) {
    // A local pod moves to another app and back, so that the policies selecting it and the peer sets holding it change.
    const original = local[i % local.length]!;
    const moved = Math.floor(i / local.length) % 2 === 0;
    const pod = structuredClone(original);
    if (moved)
      metadataOf(pod)['labels'] = {
        ...labelsOf(original),
        app: labelsOf(original)['app'] === 'db' ? 'cache' : 'db',
        tier: 'data',
      };
    record('label', await timed(pod));
    // A new pod on this node, in the namespace of the pod above.
    const fresh = structuredClone(original);
    metadataOf(fresh)['name'] = `bench-new-${i}`;
    const ip = `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    fresh['status'] = { phase: 'Running', podIP: ip, podIPs: [{ ip }] };
    record('pod-create', await timed(fresh));
  }
  await agent.stop();
  run(['ip', 'netns', 'del', netns]);
  for (const [change, r] of Object.entries(results)) {
    emit({
      bench: 'update-latency',
      rendering: 'netpol',
      change,
      ...size,
      p50us: round(quantile(r.us, 0.5)),
      p99us: round(quantile(r.us, 0.99)),
      maxUs: round(Math.max(...r.us)),
      updates: r.us.length,
      noOps: UPDATES - r.us.length,
      medianCommands: quantile(r.commands, 0.5),
    });
  }
}

/**
 * What one transaction costs here, whatever renders it: an element added, then deleted, on a
 * table of one set, through a one-shot `nft -f` in `ip netns exec`, and through a long-lived
 * `nft -i` session as the agent uses. A one-shot nft that deleted anything waits for an RCU
 * grace period as its netlink socket closes.
 */
async function benchCommitFloor(): Promise<void> {
  const netns = `${LAB_PREFIX}${LAB}-floor`;
  run(['ip', 'netns', 'add', netns]);
  const session = new NftSession(netns);
  try {
    nft.apply('table inet floor {\n\tset s {\n\t\ttype ipv4_addr\n\t}\n}\n', netns);
    const variants: [string, (command: string) => Promise<void>][] = [
      ['nft -f', async (command) => nft.apply(`${command}\n`, netns)],
      ['nft -i session', (command) => session.apply([command])],
    ];
    for (const [via, apply] of variants) {
      const times: Record<'add-element' | 'delete-element', number[]> = { 'add-element': [], 'delete-element': [] };
      for (let i = 0; i < 50; i++) {
        for (const [change, command] of [
          ['add-element', 'add element inet floor s { 10.0.0.1 }'],
          ['delete-element', 'delete element inet floor s { 10.0.0.1 }'],
        ] as const) {
          const started = performance.now();
          await apply(command);
          times[change].push((performance.now() - started) * 1000);
        }
      }
      for (const [change, us] of Object.entries(times)) {
        emit({
          bench: 'nft-commit-floor',
          rendering: 'none',
          policies: 0,
          change,
          via,
          p50us: round(quantile(us, 0.5)),
          p99us: round(quantile(us, 0.99)),
        });
      }
    }
  } finally {
    session.close();
    run(['ip', 'netns', 'del', netns]);
  }
}

/** An update must be a delta: no table or base chain deleted, nothing flushed wholesale. */
function assertDelta(commands: readonly string[]): void {
  const rebuild = commands.find((c) => /^(delete table|flush table|delete chain inet \S+ (ingress|egress)$)/.test(c));
  if (rebuild !== undefined) throw new Error(`an update was applied as a rebuild: ${rebuild}`);
}

/**
 * Forced full resyncs (the whole table replaced in one transaction) while 150 connections ping
 * and new ones keep coming. The control rebuilds the same table non-atomically: the base and
 * endpoint chains first and the policy rules 50 ms later, as a rebuild in steps would.
 */
async function benchResync(v: Variant): Promise<void> {
  const full = formatNftRuleset(v.ruleset!);
  const skeleton = formatNftRuleset({
    ...v.ruleset!,
    chains: v.ruleset!.chains.map((c) => (c.name.startsWith('pol_') ? { ...c, rules: [] } : c)),
  });
  const modes: Record<string, () => Promise<void>> = {
    'full-replace': async () => nft.apply(full, v.node.netns),
    'non-atomic-control': async () => {
      nft.apply(skeleton, v.node.netns);
      await sleep(50);
      nft.apply(full, v.node.netns);
    },
  };
  for (const [mode, resync] of Object.entries(modes)) {
    let resyncs = 0;
    let resyncing: Promise<void> = Promise.resolve();
    const result = await client(v, 'hold', ['--open', '150', '--ms', '4000'], (line) => {
      if (line !== 'ready') return;
      resyncing = (async () => {
        for (let i = 0; i < 10; i++) {
          await sleep(250);
          await resync();
          resyncs++;
        }
      })();
    });
    await resyncing;
    const lost = (result['heldLost'] as number) + (result['freshFailures'] as number);
    emit({
      bench: 'resync-under-traffic',
      ...labelOf(v),
      mode,
      resyncs,
      open: result['open'],
      heldLost: result['heldLost'],
      newConnections: result['fresh'],
      newFailed: result['freshFailures'],
      lost,
    });
  }
}

await main();
