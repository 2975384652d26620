/**
 * The node agent on the API path, at 10,000 pods (`npm run bench:dataplane -- --only api`):
 *
 *   api-event-to-commit  a change written to the test API server (a local pod's labels, a NetworkPolicy's port)
 *                        until the agent's nft transaction for it has been committed: p50 and p99. The agent is
 *                        `netpol agent --kubeconfig` as a process of its own, the server another (src/testing/
 *                        apiserver/serve.ts); the time runs from just before the bench's write request to the
 *                        agent's log line for the commit, which it writes once nft has returned.
 *   agent-memory         the agent's resident set and V8 heap at 1,000 and at 10,000 pods (the same cluster, the
 *                        other 9,000 pods written in between): the cost per pod, beside Cilium's published
 *                        10.5 KiB per pod (../shared/reference/dataplane.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/dataplane/exec.js';
import type { JSONObject } from '../src/util/json.js';
import { writeKubeconfig } from '../src/testing/apiserver/kubeconfig.js';
import { RESOURCES } from '../src/testing/apiserver/resources.js';
import { selfCommand } from '../src/util/self.js';
import { generateCluster } from './generate.js';

export interface ApiBenchOptions {
  /** Changes timed per kind. */
  readonly updates: number;
  /** A network namespace name for the agent's table, made and removed here. */
  readonly netns: string;
  readonly emit: (figure: Record<string, unknown>) => void;
  readonly progress: (line: string) => void;
}

const PODS = 10_000;
const POLICIES = 2_000;
const FIRST_PODS = 1_000;
const NODE = 'node-0';
/** Cilium's agent, 50,000-pod scale test: ../shared/reference/dataplane.md. */
const CILIUM_KIB_PER_POD = 10.5;
const WRITERS = 16;

const metadataOf = (o: JSONObject): JSONObject => o['metadata'] as JSONObject;
const labelsOf = (o: JSONObject): Record<string, string> => (metadataOf(o)['labels'] ?? {}) as Record<string, string>;
const quantile = (values: readonly number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The REST path of an object's collection, or of the object, on the test server. */
function pathOf(o: JSONObject, withName: boolean): string {
  const [group, version] = String(o['apiVersion']).includes('/')
    ? String(o['apiVersion']).split('/')
    : ['', String(o['apiVersion'])];
  const r = RESOURCES.find((x) => x.group === group && x.version === version && x.kind === o['kind']);
  if (r === undefined) throw new Error(`the test server does not serve ${o['kind']}`);
  const namespace = r.namespaced ? `/namespaces/${metadataOf(o)['namespace'] ?? 'default'}` : '';
  return `${group === '' ? '/api' : `/apis/${group}`}/${version}${namespace}/${r.plural}${
    withName ? `/${metadataOf(o)['name']}` : ''
  }`;
}

class ApiWriter {
  constructor(private readonly url: string) {}

  async send(method: 'POST' | 'PUT', path: string, body: JSONObject): Promise<JSONObject> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as JSONObject;
  }

  /** Creates an object, and writes its status as the cluster's controllers would (a create leaves it out). */
  async create(o: JSONObject): Promise<void> {
    const stored = await this.send('POST', pathOf(o, false), o);
    if (o['status'] !== undefined && o['kind'] === 'Pod')
      await this.send('PUT', `${pathOf(o, true)}/status`, { ...stored, status: o['status'] });
  }

  async replace(o: JSONObject): Promise<void> {
    await this.send('PUT', pathOf(o, true), o);
  }

  /** Many at once, `WRITERS` requests in flight. */
  async createAll(objects: readonly JSONObject[]): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < objects.length) await this.create(objects[next++]!);
      }),
    );
  }
}

/** `netpol agent --kubeconfig` as a process, its JSON log lines read as they come. */
class AgentProcess {
  readonly child: ChildProcess;
  private buffered = '';
  private waiters: ((line: { msg: string; metricsAddress?: string }) => void)[] = [];
  metricsAddress: string | undefined;
  lastAppliedAt = 0;

  constructor(kubeconfig: string, netns: string, status: string) {
    const [command, ...args] = selfCommand(import.meta.url, '../src/cli/bin');
    this.child = spawn(
      command!,
      [
        ...args,
        'agent',
        '--kubeconfig',
        kubeconfig,
        '--node',
        NODE,
        '--netns',
        netns,
        '--resync',
        '0',
        '--status',
        status,
        '--log-format',
        'json',
        '--metrics-address',
        '127.0.0.1:0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        const text = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        let line: { msg: string; metricsAddress?: string; level?: string };
        try {
          line = JSON.parse(text) as typeof line;
        } catch {
          process.stderr.write(`# agent: ${text}\n`);
          continue;
        }
        if (line.metricsAddress !== undefined) this.metricsAddress = line.metricsAddress;
        if (line.msg.startsWith('applied')) this.lastAppliedAt = performance.now();
        else if (line.level !== 'info' || !line.msg.startsWith('following')) process.stderr.write(`# agent: ${text}\n`);
        for (const waiter of this.waiters.splice(0)) waiter(line);
      }
    });
  }

  /** The next commit's log line, or undefined when none comes within `ms` (a change the rules do not see). */
  nextCommit(ms: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      const wait = (line: { msg: string }): void => {
        if (!line.msg.startsWith('applied')) return void this.waiters.push(wait);
        clearTimeout(timer);
        resolve(performance.now());
      };
      this.waiters.push(wait);
    });
  }

  /** Waits until no commit has come for `quietMs`. */
  async settle(quietMs: number): Promise<void> {
    const started = performance.now();
    while (performance.now() - Math.max(this.lastAppliedAt, started) < quietMs) await sleep(50);
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://${this.metricsAddress}/metrics`)).text();
  }

  /** Resident set (from /proc) and the V8 heap in use (from its /metrics), in bytes. */
  async memory(): Promise<{ rss: number; heap: number }> {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
    const heap = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(await this.metrics())![1]);
    return { rss, heap };
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

export async function benchApi(options: ApiBenchOptions): Promise<void> {
  const { progress, emit, netns } = options;
  const dir = mkdtempSync(join(tmpdir(), 'netpol-bench-api-'));
  const processes: ChildProcess[] = [];
  run(['ip', 'netns', 'add', netns]);
  try {
    // The API server, a process of its own as in a cluster.
    const ready = join(dir, 'apiserver.json');
    const [command, ...args] = selfCommand(import.meta.url, '../src/testing/apiserver/serve');
    processes.push(spawn(command!, [...args, '--ready-file', ready], { stdio: 'inherit' }));
    for (let waited = 0; ; waited += 50) {
      try {
        readFileSync(ready);
        break;
      } catch {
        if (waited > 30_000) throw new Error('the test API server did not start');
        await sleep(50);
      }
    }
    const { url } = JSON.parse(readFileSync(ready, 'utf8')) as { url: string };
    const writer = new ApiWriter(url);

    const raw = generateCluster({ pods: PODS, policies: POLICIES });
    const served = raw.filter((o) => ['Namespace', 'Pod', 'NetworkPolicy'].includes(String(o['kind'])));
    const namespaces = served.filter((o) => o['kind'] === 'Namespace' && metadataOf(o)['name'] !== 'kube-system');
    const pods = served.filter((o) => o['kind'] === 'Pod');
    const policies = served.filter((o) => o['kind'] === 'NetworkPolicy');
    progress(`api: writing ${namespaces.length} namespaces, ${policies.length} policies, ${FIRST_PODS} pods`);
    await writer.createAll(namespaces);
    await writer.createAll([...policies, ...pods.slice(0, FIRST_PODS)]);

    const agent = new AgentProcess(writeKubeconfig(dir, url), netns, join(dir, 'status.json'));
    processes.push(agent.child);
    const startedAt = performance.now();
    if ((await agent.nextCommit(120_000)) === undefined) throw new Error('the agent applied nothing in 120 s');
    progress(`api: agent up in ${round(performance.now() - startedAt)} ms (start, list, validate, render, apply)`);
    await agent.settle(2_000);
    const small = await agent.memory();

    progress(`api: writing the other ${PODS - FIRST_PODS} pods`);
    await writer.createAll(pods.slice(FIRST_PODS));
    await agent.settle(3_000);
    const large = await agent.memory();
    const kib = (bytes: number): number => round(bytes / 1024, 1);
    emit({
      bench: 'agent-memory',
      source: 'api',
      pods: PODS,
      policies: POLICIES,
      rssMiB: round(large.rss / 2 ** 20, 1),
      heapMiB: round(large.heap / 2 ** 20, 1),
      rssKiBPerPod: kib(large.rss / PODS),
      marginalRssKiBPerPod: kib((large.rss - small.rss) / (PODS - FIRST_PODS)),
      marginalHeapKiBPerPod: kib((large.heap - small.heap) / (PODS - FIRST_PODS)),
      ciliumKiBPerPod: CILIUM_KIB_PER_POD,
    });

    // The changes: a local pod's labels (it leaves and rejoins the peers and policies of its app), and a port of
    // a policy that selects local pods (its chain is refilled).
    const local = pods.filter(
      (o) => (o['spec'] as JSONObject)['nodeName'] === NODE && labelsOf(o)['app'] !== undefined,
    );
    const subject = local[0]!;
    const probePolicy = (port: number): JSONObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'bench-api-port', namespace: String(metadataOf(subject)['namespace']) },
      spec: {
        podSelector: { matchLabels: { app: labelsOf(subject)['app']! } },
        ingress: [{ from: [{ podSelector: {} }], ports: [{ port }] }],
      },
    });
    await writer.create(probePolicy(20_000));
    await agent.settle(1_000);
    const timings: Record<'pod-label' | 'policy-port', number[]> = { 'pod-label': [], 'policy-port': [] };
    let noOps = 0;
    const timed = async (kind: keyof typeof timings, write: () => Promise<void>): Promise<void> => {
      const committed = agent.nextCommit(5_000);
      const started = performance.now();
      await write();
      const at = await committed;
      if (at === undefined) noOps++;
      else timings[kind].push(at - started);
      await sleep(10);
    };
    progress(`api: ${options.updates} changes of each kind`);
    for (let i = 0; i < options.updates; i++) {
      const original = local[i % local.length]!;
      const moved = Math.floor(i / local.length) % 2 === 0;
      const pod = structuredClone(original);
      delete pod['status'];
      if (moved)
        metadataOf(pod)['labels'] = {
          ...labelsOf(original),
          app: labelsOf(original)['app'] === 'db' ? 'cache' : 'db',
          tier: 'data',
        };
      await timed('pod-label', () => writer.replace(pod));
      await timed('policy-port', () => writer.replace(probePolicy(20_001 + i)));
    }
    const metrics = await agent.metrics();
    const agentSide = (name: string): number => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)`, 'm').exec(metrics)![1]);
    for (const [change, ms] of Object.entries(timings)) {
      emit({
        bench: 'api-event-to-commit',
        source: 'api',
        change,
        pods: PODS,
        policies: POLICIES,
        p50ms: round(quantile(ms, 0.5), 2),
        p99ms: round(quantile(ms, 0.99), 2),
        maxMs: round(Math.max(...ms), 2),
        events: ms.length,
        targetP99Ms: 50,
      });
    }
    emit({
      bench: 'api-event-to-commit',
      source: 'api',
      change: 'all',
      noOps,
      agentChangeToCommitMeanMs: round(
        (agentSide('netpol_agent_change_to_commit_seconds_sum') /
          agentSide('netpol_agent_change_to_commit_seconds_count')) *
          1000,
        2,
      ),
    });
  } finally {
    for (const child of processes) child.kill('SIGTERM');
    await sleep(300);
    run(['ip', 'netns', 'del', netns]);
    rmSync(dir, { recursive: true, force: true });
  }
}
