import { sameList } from '../../util/order.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Protocol } from '../../algebra/connset.js';
import { connectivityMatrix } from '../../engine/matrix.js';
import { type TruthTable, restrictTruthTable } from '../../engine/truthtable.js';
import { type Cluster, buildCluster } from '../../policy/cluster.js';
import { type JSONObject } from '../../util/json.js';
import { objectFromData } from '../../resources/source.js';
import type { Semantics } from '../../policy/legacy.js';
import { selfCommand } from '../../util/self.js';
import { SyncHttp } from '../../util/sync-http.js';
import { holdObjects } from './api-objects.js';
import { inputsDigest } from '../../pipeline/input-cache.js';
import type { AgentStatus } from '../agent.js';
import { type LabNode, type LabPlan, type LabPod, checkLabName, planLab } from './plan.js';
import type { ProbeOutcome, ProbeReply, ProbeRequest } from './pod-agent.js';
import {
  createFabric,
  createNode,
  createPod,
  deleteNetns,
  labNamespaces,
  linkNodes,
  routePodFrom,
  unlinkNode,
  unroutePodFrom,
} from './topology.js';
import { type EngineOptions, defaultEngineOptions } from '../../policy/evaluate.js';

/** Where labs keep their state between commands; tmpfs, so a reboot forgets labs that a reboot destroyed. */
export const LAB_ROOT = process.env['NETPOL_LAB_DIR'] ?? '/run/netpol-lab';
const PROBE_TIMEOUT_MS = 1000;
const AGENT_TIMEOUT_MS = 30_000;
/** The node agents read the kernel back this often; the tests and benches force resyncs themselves. */
const AGENT_RESYNC_SECONDS = '10';

interface LabState {
  readonly name: string;
  readonly plan: LabPlan;
  /** Pod agent process ids, by pod key. */
  readonly agents: Record<string, number>;
  /** `netpol agent` process ids, by node name. */
  readonly nodeAgents: Record<string, number>;
  readonly semantics: Semantics;
  /** What the agents enforce and the predictions assume, where upstream leaves it to implementations. */
  readonly engine: EngineOptions;
  /** The ports every pod in a namespace of its own serves beside its declared ones. */
  readonly serve: readonly string[];
  /** Where the node agents read the cluster from: the manifests file, or the lab's API server. */
  readonly source?: LabSource;
  /** The lab's API server, with `source: 'api'`. */
  readonly apiServer?: { readonly pid: number; readonly url: string };
}

export interface LabOptions {
  readonly semantics?: Semantics;
  readonly engine?: EngineOptions;
  readonly serve?: readonly string[];
  /** What the node agents follow: the lab's manifests file (default), or an API server the lab starts. */
  readonly source?: LabSource;
}

export const LAB_SOURCES = ['file', 'api'] as const;
export type LabSource = (typeof LAB_SOURCES)[number];

export interface ProbeResult {
  /** Undefined when the protocol cannot be probed here (SCTP): not run, never passed. */
  readonly observed: TruthTable | undefined;
  readonly predicted: TruthTable;
  /** Pairs whose packets got through to a port nothing listens on: allowed by the network, counted as allowed. */
  readonly refused: readonly string[];
  /** Endpoints the engine knows but the lab does not run (load balancers, virtual IPs), left out of both tables. */
  readonly notHosted: readonly string[];
}

/** A cluster made of network namespaces on this machine, enforcing netpol's rendered rules on real packets. */
export class Lab {
  private constructor(private state: LabState) {}

  static dir(name: string): string {
    return join(LAB_ROOT, checkLabName(name));
  }

  static open(name: string): Lab {
    const file = join(Lab.dir(name), 'state.json');
    if (!existsSync(file)) throw new Error(`no lab named ${JSON.stringify(name)} is up: run netpol lab up`);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<LabState>;
    return new Lab({ engine: defaultEngineOptions, serve: [], ...saved } as LabState);
  }

  /** Builds the lab, or leaves nothing behind if any step fails. */
  static up(
    name: string,
    objects: readonly JSONObject[],
    { semantics = 'v1', engine = defaultEngineOptions, serve = [], source = 'file' }: LabOptions = {},
  ): Lab {
    checkLabName(name);
    if (existsSync(Lab.dir(name)) || labNamespaces(name).length > 0) {
      throw new Error(`lab ${JSON.stringify(name)} is already up: run netpol lab down --name ${name} first`);
    }
    mkdirSync(Lab.dir(name), { recursive: true });
    const empty: LabPlan = { nodes: [], pods: [], objects: [] };
    const lab = new Lab({
      name,
      plan: empty,
      agents: {},
      nodeAgents: {},
      semantics,
      engine,
      serve: checkServed(serve),
      source,
    });
    try {
      if (source === 'api') lab.startApiServer();
      createFabric(name);
      lab.converge(planLab(name, objects, undefined, { serve }));
      return lab;
    } catch (error) {
      Lab.down(name);
      throw error;
    }
  }

  /** Removes everything a lab created: safe to run twice, or after a crash. */
  static down(name: string): void {
    checkLabName(name);
    const file = join(Lab.dir(name), 'state.json');
    if (existsSync(file)) {
      const state = JSON.parse(readFileSync(file, 'utf8')) as LabState;
      // Agents first: a node agent must not apply rules into a namespace that is going away. They are waited for,
      // so that none writes its status or log into the directory as it is removed.
      stopAndWait([...Object.values(state.nodeAgents ?? {}), ...Object.values(state.agents)]);
      // The API server last: agents that lose it keep their rules, and they are stopped already.
      stopAndWait(state.apiServer === undefined ? [] : [state.apiServer.pid]);
    }
    for (const netns of labNamespaces(name)) deleteNetns(netns);
    rmSync(Lab.dir(name), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }

  get plan(): LabPlan {
    return this.state.plan;
  }

  /** The cluster the lab runs, as the engine sees it. */
  cluster(): Cluster {
    return buildCluster(
      this.state.plan.objects.map((o) => objectFromData(o)),
      { semantics: this.state.semantics },
    );
  }

  /** What the agents enforce and the predictions assume. */
  get engine(): EngineOptions {
    return this.state.engine;
  }

  /**
   * Replaces the lab's manifests (and, if given, the extra ports pods serve): pods come and go, and every node's
   * rules follow.
   */
  update(objects: readonly JSONObject[], { serve }: { serve?: readonly string[] } = {}): void {
    if (serve !== undefined) this.state = { ...this.state, serve: checkServed(serve) };
    this.converge(planLab(this.state.name, objects, this.state.plan, { serve: this.state.serve }));
  }

  /** Real connection attempts between every pair of pods, with the engine's prediction beside them. */
  async probe(protocol: Protocol, port: number): Promise<ProbeResult> {
    const cluster = this.cluster();
    const pods = new Map(this.state.plan.pods.map((p) => [p.id, p]));
    const notHosted = cluster.endpoints.filter((e) => !pods.has(e.id)).map((e) => e.id);
    const predicted = restrictTruthTable(connectivityMatrix(cluster, protocol, port, this.state.engine), (id) =>
      pods.has(id),
    );
    if (protocol === 'SCTP') return { observed: undefined, predicted, refused: [], notHosted };
    const cells = await Promise.all(
      predicted.sources.map(async (src) => {
        const from = pods.get(src)!;
        const targets = predicted.destinations.map((dst) => (dst === src ? undefined : pods.get(dst)!));
        return probeFrom(
          this.socketOf(from),
          targets.map((to) => (to === undefined ? undefined : { ip: to.ip, port, protocol })),
        );
      }),
    );
    const refused = cells.flatMap((row, i) =>
      row.flatMap((outcome, j) =>
        outcome === 'refused' ? [`${predicted.sources[i]} -> ${predicted.destinations[j]}`] : [],
      ),
    );
    const observed = cells.map((row) =>
      row.map((outcome) => (outcome === undefined ? undefined : outcome !== 'timeout')),
    );
    return {
      observed: { sources: predicted.sources, destinations: predicted.destinations, cells: observed },
      predicted,
      refused,
      notHosted,
    };
  }

  private socketOf(pod: LabPod): string {
    return join(Lab.dir(this.state.name), `${pod.key}.sock`);
  }

  /**
   * Moves the running lab to a plan. Pods that go away are removed first (with the nodes whose addresses
   * changed, which are made again); then the manifests are replaced and every node's agent applies its delta;
   * only then are new pods started, so that no pod runs before its rules.
   */
  private converge(plan: LabPlan): void {
    const before = this.state.plan;
    const nodeOf = (pod: LabPod): LabNode => plan.nodes.find((n) => n.name === pod.node)!;
    const moved = before.nodes.filter((node) => {
      const now = plan.nodes.find((n) => n.name === node.name);
      return now !== undefined && !sameList(now.addresses, node.addresses);
    });
    const agents = { ...this.state.agents };
    const nodeAgents = { ...this.state.nodeAgents };
    this.state = { ...this.state, agents, nodeAgents };
    try {
      for (const pod of before.pods) {
        const kept = plan.pods.find((p) => p.key === pod.key);
        if (kept !== undefined && samePlacement(kept, pod) && !moved.some((n) => n.name === pod.node)) continue;
        stopProcess(agents[pod.key]);
        delete agents[pod.key];
        if (pod.nodeNetwork) continue;
        for (const node of before.nodes) unroutePodFrom(pod, node);
        deleteNetns(pod.netns);
      }
      for (const node of moved) {
        stopProcess(nodeAgents[node.name]);
        delete nodeAgents[node.name];
        unlinkNode(node, before.nodes);
        deleteNetns(node.netns);
      }
      plan.nodes.forEach((node, i) => {
        if (!before.nodes.some((n) => n.name === node.name) || moved.some((n) => n.name === node.name))
          createNode(this.state.name, node, i);
      });
      linkNodes(plan.nodes);
      this.state = { ...this.state, plan };
      const expected = this.writeManifests(plan.objects);
      for (const node of plan.nodes) nodeAgents[node.name] ??= this.startNodeAgent(node);
      this.waitForNodeAgents(expected);
      for (const pod of plan.pods) {
        if (agents[pod.key] !== undefined) continue;
        if (!pod.nodeNetwork) {
          createPod(pod, nodeOf(pod));
          for (const other of plan.nodes) if (other.name !== pod.node) routePodFrom(pod, nodeOf(pod), other);
        }
        agents[pod.key] = this.startPodAgent(pod);
      }
      for (const pod of plan.pods) this.waitForPodAgent(pod);
    } finally {
      // Saved even on failure, so that `lab down` finds every process this started.
      this.save();
    }
  }

  private startPodAgent(pod: LabPod): number {
    // The socket of an agent this one replaces would pass for this one's until it makes its own.
    rmSync(this.socketOf(pod), { force: true });
    const log = openSync(join(Lab.dir(this.state.name), `${pod.key}.log`), 'a');
    const argv = [
      'netns',
      'exec',
      pod.netns,
      ...selfCommand(import.meta.url, './pod-agent'),
      '--socket',
      this.socketOf(pod),
      '--ports',
      pod.ports.join(',') || '-',
    ];
    const child = spawn('ip', argv, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start the agent of ${pod.id}`);
    return child.pid;
  }

  /** Blocks until a pod's agent serves its ports and takes probes, or says why it stopped. */
  private waitForPodAgent(pod: LabPod): void {
    const socket = this.socketOf(pod);
    const deadline = Date.now() + 15_000;
    while (!existsSync(socket)) {
      const log = join(Lab.dir(this.state.name), `${pod.key}.log`);
      if (!isAlive(this.state.agents[pod.key]!))
        throw new Error(`the agent of ${pod.id} exited: ${existsSync(log) ? readFileSync(log, 'utf8').trim() : ''}`);
      if (Date.now() > deadline) throw new Error(`the agent of ${pod.id} did not start: no socket ${socket}`);
      sleep(20);
    }
  }

  /** The file every node agent watches: replaced by a rename, so an agent never reads half of it. */
  get manifestsFile(): string {
    return join(Lab.dir(this.state.name), 'manifests.json');
  }

  statusFile(node: string): string {
    return join(Lab.dir(this.state.name), `agent-${node}.json`);
  }

  /** What each node's agent last reported. */
  agentStatus(node: string): AgentStatus | undefined {
    const file = this.statusFile(node);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AgentStatus) : undefined;
  }

  /**
   * Writes the manifests (to the file, or through the lab's API server) and returns the version the agents will
   * report once they have applied them.
   */
  private writeManifests(objects: readonly JSONObject[]): string {
    if (this.state.source === 'api') return holdObjects(this.http(), this.state.apiServer!.url, objects);
    const temporary = `${this.manifestsFile}.tmp`;
    writeFileSync(temporary, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 1));
    renameSync(temporary, this.manifestsFile);
    return inputsDigest([this.manifestsFile]);
  }

  private startNodeAgent(node: LabNode): number {
    const log = openSync(join(Lab.dir(this.state.name), `agent-${node.name}.log`), 'a');
    const common = [
      '--node',
      node.name,
      '--status',
      this.statusFile(node.name),
      '--resync',
      AGENT_RESYNC_SECONDS,
      '--semantics',
      this.state.semantics,
      ...(this.state.engine.ipBlockMatchesPodIPs ? [] : ['--no-ipblock-pod-ips']),
      ...(this.state.engine.allowEgressToLocalNode ? [] : ['--no-local-node-egress']),
    ];
    const [command, ...self] = selfCommand(import.meta.url, '../../cli/bin');
    // From files: started inside the node's namespace, as a node agent runs (`ip netns exec` execs it, so the pid is
    // the agent's). From the API: the server listens on the host's 127.0.0.1, which a node's namespace cannot
    // reach, so the agent runs beside it and applies into the node's namespace (--netns); its probes on any free
    // port, as several agents share the host's loopback.
    const argv =
      this.state.source === 'api'
        ? [command!, ...self, 'agent', '--kubeconfig', this.kubeconfigFile, '--netns', node.netns]
        : ['ip', 'netns', 'exec', node.netns, command!, ...self, 'agent', this.manifestsFile];
    if (this.state.source === 'api') argv.push('--metrics-address', '127.0.0.1:0');
    const child = spawn(argv[0]!, [...argv.slice(1), ...common], { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start the agent of node ${node.name}`);
    return child.pid;
  }

  /** Blocks until every node agent reports the given inputs applied, or says why it could not. */
  private waitForNodeAgents(expected: string): void {
    const deadline = Date.now() + AGENT_TIMEOUT_MS;
    for (const node of this.state.plan.nodes) {
      for (;;) {
        const status = readStatus(this.statusFile(node.name));
        if (status?.inputsHash === expected) {
          if (status.error !== undefined)
            throw new Error(`the agent of node ${node.name} did not apply the manifests: ${status.error}`);
          break;
        }
        const pid = this.state.nodeAgents[node.name]!;
        if (!isAlive(pid))
          throw new Error(
            `the agent of node ${node.name} exited; see ${join(Lab.dir(this.state.name), `agent-${node.name}.log`)}`,
          );
        if (Date.now() > deadline)
          throw new Error(
            `the agent of node ${node.name} did not apply the manifests within ${AGENT_TIMEOUT_MS / 1000} s`,
          );
        sleep(2);
      }
    }
  }

  /** The kubeconfig of the lab's API server, which its agents (and kubectl) read it through. */
  get kubeconfigFile(): string {
    return join(Lab.dir(this.state.name), 'kubeconfig');
  }

  private httpClient: SyncHttp | undefined;
  private http(): SyncHttp {
    return (this.httpClient ??= new SyncHttp());
  }

  /** Starts the test API server as a process of its own (on 127.0.0.1), which outlives this command. */
  private startApiServer(): void {
    const dir = Lab.dir(this.state.name);
    const ready = join(dir, 'apiserver.json');
    const log = openSync(join(dir, 'apiserver.log'), 'a');
    const [command, ...args] = selfCommand(import.meta.url, '../../testing/apiserver/serve');
    const child = spawn(command!, [...args, '--ready-file', ready, '--kubeconfig-dir', dir], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error("could not start the lab's API server");
    this.state = { ...this.state, apiServer: { pid: child.pid, url: '' } };
    this.save();
    const deadline = Date.now() + AGENT_TIMEOUT_MS;
    while (!existsSync(ready)) {
      if (!isAlive(child.pid)) throw new Error(`the lab's API server exited; see ${join(dir, 'apiserver.log')}`);
      if (Date.now() > deadline)
        throw new Error(`the lab's API server did not start within ${AGENT_TIMEOUT_MS / 1000} s`);
      sleep(20);
    }
    const { url } = JSON.parse(readFileSync(ready, 'utf8')) as { url: string };
    this.state = { ...this.state, apiServer: { pid: child.pid, url } };
  }

  private save(): void {
    writeFileSync(join(Lab.dir(this.state.name), 'state.json'), JSON.stringify(this.state, null, 1));
  }
}

/** Whether a pod stays as it runs: on the same node, with the same address and ports. */
const samePlacement = (a: LabPod, b: LabPod): boolean =>
  a.ip === b.ip && a.node === b.node && a.nodeNetwork === b.nodeNetwork && sameList(a.ports, b.ports);

/** `port/TCP` or `port/UDP`: what a pod agent can serve on this kernel. */
export function checkServed(ports: readonly string[]): readonly string[] {
  for (const port of ports) {
    const match = /^(\d+)\/(TCP|UDP)$/.exec(port);
    if (match === null || Number(match[1]) < 1 || Number(match[1]) > 65535)
      throw new Error(
        `a port to serve is a number from 1 to 65535 and TCP or UDP, as 8080/TCP, not ${JSON.stringify(port)}`,
      );
  }
  return ports;
}

function stopProcess(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** Asks processes to stop, and waits for them (3 s at most, then kills those left). */
function stopAndWait(pids: readonly number[]): void {
  for (const pid of pids) stopProcess(pid);
  const deadline = Date.now() + 3000;
  while (pids.some(isAlive) && Date.now() < deadline) sleep(20);
  for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
}

/**
 * Whether a process still runs. One that has exited but that its parent has not reaped yet (a zombie: the agents
 * are this process's own children when the lab is driven in-process, and a synchronous wait reaps nothing) has
 * stopped too.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // The state follows the command name in parentheses, which may itself hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function readStatus(file: string): AgentStatus | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AgentStatus;
  } catch {
    return undefined; // not written yet
  }
}

/** The lab's commands are synchronous; this waits without spinning. */
const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Asks one pod's agent to attempt each connection, all at once. */
function probeFrom(
  socket: string,
  targets: readonly (Omit<ProbeRequest, 'id' | 'timeoutMs'> | undefined)[],
): Promise<(ProbeOutcome | undefined)[]> {
  return new Promise((resolve, reject) => {
    const results: (ProbeOutcome | undefined)[] = targets.map(() => undefined);
    let pending = targets.filter((t) => t !== undefined).length;
    if (pending === 0) return resolve(results);
    const connection = createConnection(socket);
    let buffered = '';
    connection.on('error', reject);
    connection.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const reply = JSON.parse(buffered.slice(0, newline)) as ProbeReply;
        buffered = buffered.slice(newline + 1);
        results[reply.id] = reply.outcome;
        if (--pending === 0) {
          connection.end();
          resolve(results);
        }
      }
    });
    connection.on('connect', () => {
      targets.forEach((target, id) => {
        if (target !== undefined)
          connection.write(`${JSON.stringify({ id, ...target, timeoutMs: PROBE_TIMEOUT_MS })}\n`);
      });
    });
  });
}
