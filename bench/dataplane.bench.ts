/**
 * netpol's dataplane benchmark, on real packets through lab namespaces (needs root, nftables, iproute2).
 * One JSON line per figure: {"bench", "rendering": "none|netpol|linear", "policies", ...figure}.
 *   npm run bench:dataplane
 *   npm run bench:dataplane -- --only rate,latency,losses,render,update,resync,api --rounds 5 --seconds 2
 *   npm run bench:dataplane -- --only rate,latency --variants netpol-10000,netpol-10000-admin100
 *
 *   new-connection-rate   TCP connections per second from a client pod to a server pod on one node,
 *                         with no ruleset, and with netpol's and the linear rendering of 0, 1,000 and
 *                         10,000 generated policies, and netpol's of 100 AdminNetworkPolicies in front
 *                         of the 10,000 (bench/admin-policies.ts); interleaved rounds, each round's
 *                         figure, the median and the spread, per wall-clock second and per CPU second
 *                         of the client and server; what each round lost, and where (round-losses.ts).
 *   first-packet-latency  connect time (SYN to SYN-ACK, as the client sees it), p50 and p99, and each
 *                         round's p50.
 *   loss-control          faults injected in a rate round (a server or client stopped, SYNs dropped in
 *                         the forward hook): the loss counters must see each where it was made.
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
import { appliedPolicies, isolatingPolicies } from '../src/policy/evaluate.js';
import { type Cluster, buildCluster } from '../src/policy/cluster.js';
import { type JSONObject, isJSONObject } from '../src/util/json.js';
import { objectFromData } from '../src/resources/source.js';
import { type NftRuleset, buildNftRuleset, formatNftRuleset } from '../src/render/nftables.js';
import { selfCommand } from '../src/util/self.js';
import { requireKernelTools } from '../test/support/root.js';
import { generateAdminPolicies } from './admin-policies.js';
import { processCpuMs } from './process-cpu.js';
import { type RoundLosses, installLossCounters, lossSnapshot, lossesBetween } from './round-losses.js';
import { generateCluster } from './generate.js';
import { buildLinearRuleset } from './linear.js';
import { benchApi } from './dataplane-api.js';

const LAB = 'bench';
const BENCH_NODE = 'bench';
const SERVER_PORT = 8080;
/** The rate and latency clusters: 10,000 pods in 100 namespaces, as the analysis bench's middle size. */
const PODS = 10_000;
const POLICY_COUNTS = [0, 1_000, 10_000];
/** Admin policies in front of the largest count of NetworkPolicies (bench/admin-policies.ts). */
const ADMIN_POLICIES = 100;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const only = new Set((arg('--only') ?? 'rate,latency,losses,render,update,resync,api').split(','));
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
  /** AdminNetworkPolicies in front of the NetworkPolicies. */
  readonly adminPolicies: number;
  readonly node: LabNode;
  readonly client: LabPod;
  readonly server: LabPod;
  /** The server process, whose CPU time each rate round reads. */
  readonly serverPid: number;
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
    if (['rate', 'latency', 'resync', 'losses'].some((part) => only.has(part))) {
      const variants = await buildVariants();
      if (only.has('rate')) await benchRate(variants);
      if (only.has('latency')) await benchLatency(variants);
      if (only.has('losses')) {
        const controlled = variants.find((v) => v.rendering === 'netpol');
        if (controlled === undefined) throw new Error('--only losses runs on a netpol variant: add one to --variants');
        await benchLossControls(controlled);
      }
      if (only.has('resync')) {
        const resynced = variants.find((v) => v.node.name === 'netpol-1000');
        if (resynced === undefined)
          throw new Error('--only resync runs on the netpol-1000 variant: add it to --variants');
        await benchResync(resynced);
      }
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
    // SIGCONT after: a server a loss control stopped takes its SIGTERM once it runs again.
    for (const child of processes) for (const signal of ['SIGTERM', 'SIGCONT'] as const) child.kill(signal);
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
function benchCluster(policies: number, adminPolicies: number): { cluster: Cluster; client: string; server: string } {
  const raw = [...generateCluster({ pods: PODS, policies }), ...generateAdminPolicies(adminPolicies)];
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
  const allPlans: { rendering: Rendering; policies: number; adminPolicies: number }[] = [
    { rendering: 'none', policies: 0, adminPolicies: 0 },
    ...POLICY_COUNTS.map((policies) => ({ rendering: 'netpol' as const, policies, adminPolicies: 0 })),
    { rendering: 'netpol', policies: POLICY_COUNTS.at(-1)!, adminPolicies: ADMIN_POLICIES },
    ...POLICY_COUNTS.filter((n) => n > 0).map((policies) => ({
      rendering: 'linear' as const,
      policies,
      adminPolicies: 0,
    })),
  ];
  const plans = chosenVariants(allPlans);
  const clusters = new Map<string, ReturnType<typeof benchCluster>>();
  const variants: Variant[] = [];
  for (const [i, plan] of plans.entries()) {
    const admin = plan.adminPolicies > 0 ? ` behind ${plan.adminPolicies} admin policies` : '';
    progress(`building node ${i}: ${plan.rendering} rendering of ${plan.policies} policies${admin}`);
    const key = `${plan.policies}/${plan.adminPolicies}`;
    if (!clusters.has(key)) clusters.set(key, benchCluster(plan.policies, plan.adminPolicies));
    const { cluster, client, server } = clusters.get(key)!;
    const node: LabNode = {
      name: variantName(plan),
      netns: `${LAB_PREFIX}${LAB}-n${i}`,
      address: `100.64.0.${i + 1}`,
      addresses: [`100.64.0.${i + 1}`],
    };
    createNode(LAB, node, i);
    installLossCounters(node.netns);
    const pod = (id: string, k: number): LabPod => {
      const ip = cluster.endpointById.get(id)!.ips[0]!;
      return {
        id,
        node: node.name,
        key: `${LAB_PREFIX}${LAB}-p${k}`,
        netns: `${LAB_PREFIX}${LAB}-p${k}`,
        hostInterface: `v${k}`,
        nodeNetwork: false,
        ip: formatIPv4(ip.value),
        ports: [`${SERVER_PORT}/TCP`],
      };
    };
    const pods = { client: pod(client, 2 * i), server: pod(server, 2 * i + 1) };
    for (const p of [pods.client, pods.server]) createPod(p, node);
    const variant: Variant = {
      ...plan,
      node,
      ...pods,
      serverPid: startServer(pods.server),
      cluster,
      ruleset: renderFor(plan.rendering, cluster, [client, server]),
    };
    if (variant.ruleset !== undefined) nft.apply(formatNftRuleset(variant.ruleset), node.netns);
    await checkVariant(variant);
    variants.push(variant);
  }
  return variants;
}

/** A variant's node name, as `--variants` takes it: `none-0`, `netpol-10000-admin100`, `linear-1000`, ... */
const variantName = (plan: { rendering: Rendering; policies: number; adminPolicies: number }): string =>
  `${plan.rendering}-${plan.policies}${plan.adminPolicies > 0 ? `-admin${plan.adminPolicies}` : ''}`;

/**
 * The variants `--variants` names, in the bench's order; every one without it. The no-ruleset node is always built:
 * every ratio is taken against it.
 */
function chosenVariants<T extends { rendering: Rendering; policies: number; adminPolicies: number }>(
  plans: readonly T[],
): T[] {
  const wanted = arg('--variants')?.split(',');
  if (wanted === undefined) return [...plans];
  const names = plans.map(variantName);
  const unknown = wanted.filter((name) => !names.includes(name));
  if (unknown.length > 0)
    throw new Error(`--variants: no variant named ${unknown.join(', ')}; the variants are ${names.join(', ')}`);
  return plans.filter((plan) => plan.rendering === 'none' || wanted.includes(variantName(plan)));
}

function renderFor(rendering: Rendering, cluster: Cluster, local: readonly string[]): NftRuleset | undefined {
  if (rendering === 'none') return undefined;
  if (rendering === 'linear') return buildLinearRuleset(cluster);
  const podCIDRs = local.map((id) => `${formatIPv4(cluster.endpointById.get(id)!.ips[0]!.value)}/32`);
  return buildNftRuleset(cluster, { node: BENCH_NODE, podCIDRs });
}

const formatIPv4 = (value: bigint): string => formatIP(4, value);

/** Starts the pod agent that serves the server pod's port, and returns its pid (`ip netns exec` execs it). */
function startServer(server: LabPod): number {
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
  const child = spawn('ip', argv, { stdio: 'ignore' });
  processes.push(child);
  const deadline = Date.now() + 15_000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline) throw new Error(`the server in ${server.netns} did not start`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return child.pid!;
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
  if (v.adminPolicies > 0) {
    const admin = (e: typeof server, direction: 'ingress' | 'egress'): number =>
      appliedPolicies(v.cluster, e, direction).admin.length;
    if (admin(server, 'ingress') === 0 || admin(clientEndpoint, 'egress') === 0)
      throw new Error(`${v.node.name}: no admin policy applies to the pods`);
    progress(
      `${v.node.name}: the client's egress walks ${admin(clientEndpoint, 'egress')} admin policies, ` +
        `the server's ingress ${admin(server, 'ingress')}, before a tenant's pass hands them to the NetworkPolicies`,
    );
  }
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
  onStart?: (pid: number) => void,
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
    // `ip netns exec` execs the command: this pid is the client's own.
    if (child.pid !== undefined) onStart?.(child.pid);
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
  adminPolicies: v.adminPolicies,
  pods: PODS,
  rules: ruleCount(v.ruleset),
});

// ---------------------------------------------------------------------------------------------
// Figures.

/** One rate round of one variant: connections per second, per CPU second of its client and server, and losses. */
interface RateRound {
  readonly rate: number;
  /**
   * Connections per CPU second of the client and server processes (user and system time: the packets' way through
   * the node's hooks runs in their system time, as softirq work done on their sends, unless deferred to ksoftirqd).
   * Another process that takes the CPU slows the wall-clock rate down and changes this one less (caches are still
   * shared), so its rounds are usually closer together on a shared machine.
   */
  readonly perCpu: number;
  readonly losses: RoundLosses;
}

/** A round; `fault`, when given, runs beside it from the client's start (the loss controls). */
async function rateRound(
  v: Variant,
  ms = SECONDS * 1000,
  fault?: (clientPid: number) => Promise<void>,
): Promise<RateRound & { connections: number }> {
  const namespaces = { node: v.node.netns, server: v.server.netns, client: v.client.netns };
  const before = lossSnapshot(namespaces);
  const serverCpuBefore = processCpuMs(v.serverPid);
  let faulted: Promise<void> = Promise.resolve();
  const args = ['--ms', String(ms), '--concurrency', '32'];
  const result = await client(v, 'rate', args, undefined, (pid) => void (faulted = fault?.(pid) ?? faulted));
  await faulted;
  const cpuMs = processCpuMs(v.serverPid) - serverCpuBefore + (result['cpuMs'] as number);
  const losses = lossesBetween(before, lossSnapshot(namespaces), {
    failed: result['failures'] as number,
    clientStallMs: result['maxStallMs'] as number,
  });
  const connections = result['connections'] as number;
  const rate = connections / ((result['ms'] as number) / 1000);
  return { rate, perCpu: connections / (cpuMs / 1000), losses, connections };
}

const median = (values: readonly number[]): number => quantile(values, 0.5);
/** (max - min) / median: how far apart the rounds of one variant are. */
const spreadOf = (values: readonly number[]): number =>
  round((Math.max(...values) - Math.min(...values)) / median(values), 2);
/** The median over rounds of one variant's figure against another's in the same round. */
const pairedRatio = (values: readonly number[], base: readonly number[]): number =>
  round(median(values.map((x, i) => x / base[i]!)), 3);

/** The variant that is `v` without its admin policies, for the admin variants. */
const withoutAdmin = (variants: readonly Variant[], v: Variant): Variant | undefined =>
  v.adminPolicies === 0
    ? undefined
    : variants.find((o) => o.rendering === v.rendering && o.policies === v.policies && o.adminPolicies === 0);

function addLosses(total: RoundLosses, round: RoundLosses): void {
  for (const key of ['failed', 'dataplaneDrops', 'serverDrops', 'synRetransmits'] as const) total[key] += round[key];
  total.conntrackDrops =
    total.conntrackDrops === undefined || round.conntrackDrops === undefined
      ? undefined
      : total.conntrackDrops + round.conntrackDrops;
  total.clientStallMs = Math.max(total.clientStallMs, round.clientStallMs);
}

function reportLosses(v: Variant, r: number, losses: RoundLosses): void {
  if (
    losses.failed + losses.dataplaneDrops + losses.serverDrops + losses.synRetransmits === 0 &&
    !losses.conntrackDrops
  )
    return;
  progress(
    `${v.node.name}, round ${r + 1}: ${losses.failed} connection(s) failed; ${losses.dataplaneDrops} SYN/SYN-ACK(s) ` +
      `dropped in the node's forward hook, ${losses.serverDrops} SYN(s) dropped by the server's kernel on a full ` +
      `accept queue, ${losses.synRetransmits} SYN(s) sent again, ` +
      `${losses.conntrackDrops ?? 'unknown (no conntrack tool)'} conntrack drop(s); ` +
      `the client stalled up to ${losses.clientStallMs} ms`,
  );
}

/** The variants in the order of round r: rotated, so that no variant always runs first or last on a noisy machine. */
const rotated = <T>(items: readonly T[], r: number): T[] => [
  ...items.slice(r % items.length),
  ...items.slice(0, r % items.length),
];

async function benchRate(variants: Variant[]): Promise<void> {
  const rounds = new Map<Variant, RateRound[]>(variants.map((v) => [v, []]));
  const losses = new Map<Variant, RoundLosses>(
    variants.map((v) => [
      v,
      { failed: 0, dataplaneDrops: 0, serverDrops: 0, synRetransmits: 0, conntrackDrops: 0, clientStallMs: 0 },
    ]),
  );
  // A warm-up round, not counted: neighbours resolved, conntrack and caches warm.
  for (const v of variants) await client(v, 'rate', ['--ms', '500', '--concurrency', '32']);
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of rotated(variants, r)) {
      const result = await rateRound(v);
      addLosses(losses.get(v)!, result.losses);
      reportLosses(v, r, result.losses);
      rounds.get(v)!.push(result);
    }
    progress(`rate round ${r + 1}/${ROUNDS} done`);
  }
  const rates = (v: Variant): number[] => rounds.get(v)!.map((x) => x.rate);
  const perCpu = (v: Variant): number[] => rounds.get(v)!.map((x) => x.perCpu);
  const none = variants[0]!;
  // Two baselines: no ruleset at all, and netpol's with no policies (conntrack and the base chains, the fixed cost).
  const noPolicies = variants.find((v) => v.node.name === 'netpol-0');
  for (const v of variants) {
    const plain = withoutAdmin(variants, v);
    emit({
      bench: 'new-connection-rate',
      ...labelOf(v),
      connPerSec: round(median(rates(v))),
      ratioToNone: round(median(rates(v)) / median(rates(none)), 3),
      ...(noPolicies ? { ratioToNoPolicies: round(median(rates(v)) / median(rates(noPolicies)), 3) } : {}),
      // Each round against the no-ruleset node of the same round: the machine's load drifts between rounds far more
      // than within one, so the median of paired ratios is the steadier figure.
      pairedRatioToNone: pairedRatio(rates(v), rates(none)),
      ...(plain ? { pairedRatioToNoAdmin: pairedRatio(rates(v), rates(plain)) } : {}),
      rounds: rates(v).map((x) => round(x)),
      spread: spreadOf(rates(v)),
      connPerCpuSec: round(median(perCpu(v))),
      perCpuRatioToNone: pairedRatio(perCpu(v), perCpu(none)),
      ...(plain ? { perCpuRatioToNoAdmin: pairedRatio(perCpu(v), perCpu(plain)) } : {}),
      perCpuRounds: perCpu(v).map((x) => round(x)),
      perCpuSpread: spreadOf(perCpu(v)),
      ...losses.get(v)!,
      conntrackDrops: losses.get(v)!.conntrackDrops ?? null,
    });
  }
}

/** Stops a process for a while, a second into a round, as a busy machine stops one. */
async function stopFor(pid: number, ms: number): Promise<void> {
  await sleep(1000);
  process.kill(pid, 'SIGSTOP');
  await sleep(ms);
  process.kill(pid, 'SIGCONT');
}

/** Drops one new connection's SYN in a hundred in the node's forward hook, between the loss counters' chains. */
async function dropSomeSyns(netns: string): Promise<void> {
  await sleep(1000);
  const table = 'netpol_bench_fault';
  nft.apply(
    `table inet ${table} {\n\tchain drop_some {\n\t\ttype filter hook forward priority -10; policy accept;\n` +
      `\t\ttcp flags & (syn | ack) == syn numgen random mod 100 == 0 drop\n\t}\n}\n`,
    netns,
  );
  await sleep(2000);
  nft.apply(`delete table inet ${table}\n`, netns);
}

/**
 * The loss counters' controls, on one node: a fault injected in the middle of a 5 s round, and what each place
 * counted. A server stopped for 300 ms and a client stopped for 1.2 s, which made earlier versions of the bench
 * count failures, must cost nothing now; a server stopped for 3 s must show as drops on its full accept queue, and
 * SYNs dropped in the forward hook as the dataplane's. The last two are checked: counters that cannot see a loss
 * would make every round's "nothing lost" worthless.
 */
async function benchLossControls(v: Variant): Promise<void> {
  const controls: [string, (clientPid: number) => Promise<void>, (l: RoundLosses) => boolean][] = [
    ['server-stopped-300ms', () => stopFor(v.serverPid, 300), () => true],
    ['client-stopped-1200ms', (pid) => stopFor(pid, 1200), () => true],
    ['server-stopped-3000ms', () => stopFor(v.serverPid, 3000), (l) => l.serverDrops > 0 && l.dataplaneDrops === 0],
    ['dataplane-drops-1pct', () => dropSomeSyns(v.node.netns), (l) => l.dataplaneDrops > 0 && l.serverDrops === 0],
  ];
  for (const [control, fault, seen] of controls) {
    const { connections, losses } = await rateRound(v, 5000, fault);
    emit({ bench: 'loss-control', ...labelOf(v), control, connections, ...losses });
    if (!seen(losses)) throw new Error(`loss control ${control}: the counters did not see the loss where it was made`);
  }
}

async function benchLatency(variants: Variant[]): Promise<void> {
  const rounds = new Map<Variant, number[][]>(variants.map((v) => [v, []]));
  const failures = new Map<Variant, number>(variants.map((v) => [v, 0]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of rotated(variants, r)) {
      const result = await client(v, 'latency', ['--count', '1000']);
      rounds.get(v)!.push(result['samples'] as number[]);
      failures.set(v, failures.get(v)! + (result['failures'] as number));
      if ((result['failures'] as number) > 0)
        progress(`${v.node.name}, latency round ${r + 1}: ${result['failures']} connection(s) failed`);
    }
  }
  const p50s = (v: Variant): number[] => rounds.get(v)!.map((samples) => quantile(samples, 0.5));
  for (const v of variants) {
    const values = rounds.get(v)!.flat();
    const plain = withoutAdmin(variants, v);
    emit({
      bench: 'first-packet-latency',
      ...labelOf(v),
      p50us: round(quantile(values, 0.5)),
      p99us: round(quantile(values, 0.99)),
      // Each round's p50 against the no-ruleset node's in the same round.
      pairedP50RatioToNone: pairedRatio(p50s(v), p50s(variants[0]!)),
      ...(plain ? { pairedP50RatioToNoAdmin: pairedRatio(p50s(v), p50s(plain)) } : {}),
      roundP50us: p50s(v).map((x) => round(x)),
      p50Spread: spreadOf(p50s(v)),
      samples: values.length,
      failed: failures.get(v)!,
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
