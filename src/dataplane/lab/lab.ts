import { sameList } from '../../util/order.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Protocol } from '../../algebra/connset.js';
import { connectivityMatrix } from '../../engine/matrix.js';
import type { TruthTable } from '../../engine/truthtable.js';
import { type Cluster, buildCluster } from '../../model/cluster.js';
import { type JSONObject, objectFromData } from '../../model/source.js';
import { buildNftRuleset, formatNftRuleset } from '../../render/nftables.js';
import { nft } from '../nft.js';
import { type LabNode, type LabPlan, type LabPod, planLab, validLabName } from './plan.js';
import type { ProbeReply, ProbeRequest } from './pod-agent.js';
import { createFabric, createNode, createPod, deleteNetns, labNamespaces, routePodFrom, unroutePodFrom } from './topology.js';

/** Where labs keep their state between commands; tmpfs, so a reboot forgets labs that a reboot destroyed. */
export const LAB_ROOT = process.env['NETPOL_LAB_DIR'] ?? '/run/netpol-lab';
const PROBE_TIMEOUT_MS = 1000;

interface LabState {
  readonly name: string;
  readonly plan: LabPlan;
  /** Pod agent process ids, by pod netns. */
  readonly agents: Record<string, number>;
}

export interface ProbeResult {
  /** Undefined when the protocol cannot be probed here (SCTP): not run, never passed. */
  readonly observed: TruthTable | undefined;
  readonly predicted: TruthTable;
}

/** A cluster made of network namespaces on this machine, enforcing netpol's rendered rules on real packets. */
export class Lab {
  private constructor(private state: LabState) {}

  static dir(name: string): string {
    return join(LAB_ROOT, name);
  }

  static open(name: string): Lab {
    const file = join(Lab.dir(name), 'state.json');
    if (!existsSync(file)) throw new Error(`no lab named ${JSON.stringify(name)} is up: run netpol lab up`);
    return new Lab(JSON.parse(readFileSync(file, 'utf8')) as LabState);
  }

  /** Builds the lab, or leaves nothing behind if any step fails. */
  static up(name: string, objects: readonly JSONObject[]): Lab {
    if (!validLabName(name)) throw new Error(`a lab name is 1 to 10 lower-case letters and digits, not ${JSON.stringify(name)}`);
    if (existsSync(Lab.dir(name)) || labNamespaces(name).length > 0) {
      throw new Error(`lab ${JSON.stringify(name)} is already up: run netpol lab down --name ${name} first`);
    }
    mkdirSync(Lab.dir(name), { recursive: true });
    const lab = new Lab({ name, plan: { nodes: [], pods: [], objects: [] }, agents: {} });
    try {
      createFabric(name);
      lab.converge(planLab(name, objects));
      return lab;
    } catch (error) {
      Lab.down(name);
      throw error;
    }
  }

  /** Removes everything a lab created: safe to run twice, or after a crash. */
  static down(name: string): void {
    const file = join(Lab.dir(name), 'state.json');
    if (existsSync(file)) {
      const state = JSON.parse(readFileSync(file, 'utf8')) as LabState;
      for (const pid of Object.values(state.agents)) stopProcess(pid);
    }
    for (const netns of labNamespaces(name)) deleteNetns(netns);
    rmSync(Lab.dir(name), { recursive: true, force: true });
  }

  get plan(): LabPlan {
    return this.state.plan;
  }

  /** The cluster the lab runs, as the engine sees it. */
  cluster(): Cluster {
    return buildCluster(this.state.plan.objects.map((o) => objectFromData(o)));
  }

  /** Replaces the lab's manifests: pods come and go, and every node's rules follow. */
  update(objects: readonly JSONObject[]): void {
    this.converge(planLab(this.state.name, objects, this.state.plan));
  }

  /** Real connection attempts between every pair of pods, with the engine's prediction beside them. */
  async probe(protocol: Protocol, port: number): Promise<ProbeResult> {
    const cluster = this.cluster();
    const predicted = connectivityMatrix(cluster, protocol, port);
    if (protocol === 'SCTP') return { observed: undefined, predicted };
    const pods = new Map(this.state.plan.pods.map((p) => [p.id, p]));
    const cells = await Promise.all(
      predicted.sources.map(async (src) => {
        const from = pods.get(src)!;
        const targets = predicted.destinations.map((dst) => (dst === src ? undefined : pods.get(dst)!));
        const answers = await probeFrom(this.socketOf(from), targets.map((to) => (to === undefined ? undefined : { ip: to.ip, port, protocol })));
        return answers;
      }),
    );
    return { observed: { sources: predicted.sources, destinations: predicted.destinations, cells }, predicted };
  }

  private socketOf(pod: LabPod): string {
    return join(Lab.dir(this.state.name), `${pod.netns}.sock`);
  }

  /** Moves the running lab to a plan: nodes and pods created or removed, agents started, rules applied per node. */
  private converge(plan: LabPlan): void {
    const before = this.state.plan;
    const nodeOf = (pod: LabPod): LabNode => plan.nodes.find((n) => n.name === pod.node)!;
    plan.nodes.forEach((node, i) => {
      if (!before.nodes.some((n) => n.name === node.name)) createNode(this.state.name, node, i);
    });
    const agents = { ...this.state.agents };
    for (const pod of before.pods) {
      const kept = plan.pods.find((p) => p.netns === pod.netns);
      if (kept !== undefined && kept.ip === pod.ip && kept.node === pod.node && sameList(kept.ports, pod.ports)) continue;
      stopProcess(agents[pod.netns]);
      delete agents[pod.netns];
      for (const node of before.nodes) unroutePodFrom(pod, node);
      deleteNetns(pod.netns);
    }
    this.state = { ...this.state, plan, agents };
    this.enforce();
    for (const pod of plan.pods) {
      if (agents[pod.netns] !== undefined) continue;
      createPod(pod, nodeOf(pod));
      for (const other of plan.nodes) if (other.name !== pod.node) routePodFrom(pod, nodeOf(pod), other);
      agents[pod.netns] = startAgent(pod, this.socketOf(pod));
    }
    for (const pod of plan.pods) waitForSocket(this.socketOf(pod));
    this.save();
  }

  /** Renders and applies each node's ruleset, each in one atomic transaction. */
  private enforce(): void {
    const cluster = this.cluster();
    const podCIDRs = this.state.plan.pods.map((p) => `${p.ip}/32`);
    for (const node of this.state.plan.nodes) {
      nft.apply(formatNftRuleset(buildNftRuleset(cluster, { node: node.name, podCIDRs })), node.netns);
    }
  }

  private save(): void {
    writeFileSync(join(Lab.dir(this.state.name), 'state.json'), JSON.stringify(this.state, null, 1));
  }
}


/** The pod agent runs from the same build as this module: compiled JavaScript, or TypeScript through tsx in development. */
function agentCommand(): string[] {
  const script = fileURLToPath(new URL(`./pod-agent${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  return script.endsWith('.ts') ? [process.execPath, '--import', import.meta.resolve('tsx'), script] : [process.execPath, script];
}

function startAgent(pod: LabPod, socket: string): number {
  const argv = ['netns', 'exec', pod.netns, ...agentCommand(), '--socket', socket, '--ports', pod.ports.join(',') || '-'];
  const child = spawn('ip', argv, { detached: true, stdio: 'ignore' });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start the agent of ${pod.id}`);
  return child.pid;
}

function stopProcess(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

function waitForSocket(path: string): void {
  const deadline = Date.now() + 15_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`the pod agent did not start: no socket ${path}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/** Asks one pod's agent to attempt each connection, all at once. */
function probeFrom(socket: string, targets: readonly (Omit<ProbeRequest, 'id' | 'timeoutMs'> | undefined)[]): Promise<(boolean | undefined)[]> {
  return new Promise((resolve, reject) => {
    const results: (boolean | undefined)[] = targets.map(() => undefined);
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
        results[reply.id] = reply.connected;
        if (--pending === 0) {
          connection.end();
          resolve(results);
        }
      }
    });
    connection.on('connect', () => {
      targets.forEach((target, id) => {
        if (target !== undefined) connection.write(`${JSON.stringify({ id, ...target, timeoutMs: PROBE_TIMEOUT_MS })}\n`);
      });
    });
  });
}
