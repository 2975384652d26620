/**
 * `netpol agent --kubeconfig`: the node agent following the test API server through the real
 * @kubernetes/client-node informers, on real nftables in a network namespace made here. The kernel is held to
 * the same oracle as the fault suite: the manifests rendered and loaded with a plain `nft -f` into a fresh
 * namespace, listed back.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LabNode, LabPod } from '../src/dataplane/lab/plan.js';
import type { ProbeOutcome, ProbeReply } from '../src/dataplane/lab/pod-agent.js';
import { createFabric, createNode, createPod, deleteNetns, labNamespaces } from '../src/dataplane/lab/topology.js';
import { ApiServer, writeKubeconfig } from '../src/testing/apiserver/index.js';
import { selfCommand } from '../src/util/self.js';
import { holdInServer } from './support/api-objects.js';
import { type RunningAgent, holds, inNs, sleep, startAgent, until, INVALID_POLICY } from './support/agent-cli.js';
import { requireKernelTools } from './support/root.js';

const BASE = readFileSync('test/golden/nft/two-nodes.yaml', 'utf8');
/** Pod c (app: c, on n2) moves to app: b: an element joins the peer set of `app: b`. */
const RELABELLED = BASE.replace('labels: {app: c}', 'labels: {app: b}');
/** The ipBlock rule's port range grows. */
const PORT_CHANGED = RELABELLED.replace('{port: 8000, endPort: 8080}', '{port: 8000, endPort: 8090}');
/** A cluster-wide tier: pods of app c may not reach anything in x, whatever the NetworkPolicies say. */
const ADMIN = [
  '---',
  'apiVersion: policy.networking.k8s.io/v1alpha1',
  'kind: AdminNetworkPolicy',
  'metadata: {name: deny-from-c}',
  'spec:',
  '  priority: 10',
  '  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: x}}}',
  '  ingress:',
  '    - name: no-c',
  '      action: Deny',
  '      from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: c}}}}]',
  '',
].join('\n');

/** The JSON log line that says where the agent serves its probes. */
function metricsAddressOf(agent: RunningAgent): string | undefined {
  for (const line of agent.stderr().split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { metricsAddress?: string };
    if (entry.metricsAddress !== undefined) return entry.metricsAddress;
  }
  return undefined;
}

async function get(address: string, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://${address}${path}`);
  return { status: response.status, body: await response.text() };
}

/** One sample of the Prometheus text: `name{labels} value`, labels as written. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const tableExists = (netns: string): boolean => inNs(netns, 'nft', 'list', 'table', 'inet', 'netpol').status === 0;

describe('netpol agent --kubeconfig: the Kubernetes API as the source, on real nftables', () => {
  let dir: string;
  let server: ApiServer;
  let netns: string;
  let agent: RunningAgent;
  let address: string;

  before(async () => {
    requireKernelTools();
    dir = mkdtempSync(join(tmpdir(), 'netpol-agent-api-'));
    netns = `np-agentapi-${process.pid}`;
    const made = spawnSync('ip', ['netns', 'add', netns], { encoding: 'utf8' });
    assert.equal(made.status, 0, `ip netns add ${netns}: ${made.stderr}`);
    server = await ApiServer.start({ bookmarkIntervalMs: 500 });
  });

  after(async () => {
    await agent?.stop();
    await server?.stop();
    spawnSync('ip', ['netns', 'del', netns]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies nothing before every cache has listed, then exactly what the API server holds', async () => {
    holdInServer(server, BASE);
    // The NetworkPolicies' list fails twice: pods, namespaces and nodes are listed, the policies are not yet.
    server.failNext(2, { type: 'error' }, { verb: 'list', resource: 'networkpolicies.networking.k8s.io' });
    const kubeconfig = writeKubeconfig(dir, server.url);
    agent = startAgent([
      '--kubeconfig',
      kubeconfig,
      '--node',
      'n1',
      '--netns',
      netns,
      '--resync',
      '0',
      '--log-format',
      'json',
    ]);
    await until(() => metricsAddressOf(agent) !== undefined, 'the agent to serve its probes');
    address = metricsAddressOf(agent)!;
    await until(
      () =>
        server.requests.count({ verb: 'list', resource: 'pods' }) > 0 &&
        server.requests.count({ verb: 'list', resource: 'networkpolicies.networking.k8s.io' }) >= 1,
      'the first lists',
    );
    const notYet = await get(address, '/readyz');
    assert.equal(notYet.status, 503);
    assert.match(notYet.body, /waiting for every cache to list/);
    assert.equal(tableExists(netns), false, 'no rules from half a cluster: the policies are not listed yet');
    assert.equal((await get(address, '/healthz')).status, 200, 'alive all the same');
    await until(() => holds(netns, BASE), 'the agent to apply what the API server holds', 15_000);
    assert.ok(server.requests.count({ verb: 'list', resource: 'networkpolicies.networking.k8s.io' }) >= 3);
    await eventually(async () => (await get(address, '/readyz')).status === 200, 'readiness');
  });

  it('follows changes written to the API: a pod relabelled, a port changed, a tier policy, a deletion', async () => {
    for (const [what, manifests] of [
      ['pod c relabelled', RELABELLED],
      ["the ipBlock rule's port range", PORT_CHANGED],
      ['an AdminNetworkPolicy', PORT_CHANGED + ADMIN],
      ['policy b-egress deleted', PORT_CHANGED.slice(0, PORT_CHANGED.lastIndexOf('---')) + ADMIN],
      // The last tier policy gone: the tier's map goes before the chains its elements jump to.
      ['the AdminNetworkPolicy deleted', PORT_CHANGED.slice(0, PORT_CHANGED.lastIndexOf('---'))],
      ['both made again', PORT_CHANGED + ADMIN],
    ] as const) {
      holdInServer(server, manifests);
      await until(() => holds(netns, manifests), `the agent to apply ${what}`, 10_000);
    }
    const metrics = (await get(address, '/metrics')).body;
    assert.equal(sample(metrics, 'netpol_agent_transactions_total', 'kind="replace"'), 0, 'every change a delta');
    assert.ok(sample(metrics, 'netpol_agent_transactions_total', 'kind="delta"')! >= 7, metrics);
  });

  it('leaves out an object netpol refuses, says where it is, and enforces the rest', async () => {
    const valid = PORT_CHANGED + ADMIN;
    holdInServer(server, valid + INVALID_POLICY);
    await until(() => /too-far/.test(agent.stderr()), 'the agent to report the refused policy');
    const said = agent
      .stderr()
      .split('\n')
      .find((l) => l.includes('too-far'))!;
    const entry = JSON.parse(said) as { level: string; msg: string; file: string };
    assert.equal(entry.level, 'warn');
    assert.equal(entry.file, 'kube:networkpolicies.networking.k8s.io/x/too-far');
    assert.match(entry.msg, /spec\.ingress\[0\]\.ports\[0\]\.port: Invalid value: 70000/);
    assert.ok(holds(netns, valid), 'the rest is enforced');
    const metrics = (await get(address, '/metrics')).body;
    assert.equal(sample(metrics, 'netpol_agent_invalid_objects', 'node="n1"'), 1);
  });

  it('serves /metrics in Prometheus text: reconciles, deltas, errors, last-applied age, watch lag', async () => {
    const { status, body } = await get(address, '/metrics');
    assert.equal(status, 200);
    assert.ok(sample(body, 'netpol_agent_reconcile_total', 'result="success"')! >= 5);
    assert.equal(sample(body, 'netpol_agent_reconcile_total', 'result="error"'), 0);
    assert.equal(sample(body, 'netpol_agent_reconcile_errors_total', 'node="n1"'), 0);
    assert.ok(sample(body, 'netpol_agent_delta_commands_total', 'node="n1"')! > 0);
    const age = sample(body, 'netpol_agent_last_applied_age_seconds', 'node="n1"');
    assert.ok(age !== undefined && age >= 0 && age < 30, `last applied ${age} s ago`);
    assert.equal(sample(body, 'netpol_agent_watch_lag_seconds', 'node="n1"'), 0, 'nothing waits');
    assert.equal(sample(body, 'netpol_agent_source_synced', 'node="n1"'), 1);
    assert.ok(sample(body, 'netpol_agent_source_errors_total', 'node="n1"')! >= 2, 'the two failed lists');
    assert.ok(sample(body, 'netpol_agent_change_to_commit_seconds_count', 'node="n1"')! >= 1);
    assert.match(body, /^process_resident_memory_bytes \d/m, "and Node's process metrics");
    assert.equal((await get(address, '/nothing')).status, 404);
  });

  it('keeps the rules while the API server fails, says so in /readyz, and catches up when it answers', async () => {
    server.failNext(Infinity, { type: 'error' });
    server.closeWatches();
    await eventually(async () => (await get(address, '/readyz')).status === 503, 'readiness to drop');
    assert.match((await get(address, '/readyz')).body, /the source is failing/);
    assert.ok(holds(netns, PORT_CHANGED + ADMIN), 'the last rules stay in force');
    assert.equal((await get(address, '/healthz')).status, 200, 'a failing API server is no reason to restart');
    server.clearFailures();
    holdInServer(server, RELABELLED + ADMIN);
    // The watch caches retry with backoff (800 ms doubling): a few seconds.
    await until(() => holds(netns, RELABELLED + ADMIN), 'the agent to list again and apply', 30_000);
    await eventually(async () => (await get(address, '/readyz')).status === 200, 'readiness to come back');
  });

  it('stops on SIGTERM and leaves the rules in place', async () => {
    assert.equal(await agent.stop(), 0);
    assert.ok(holds(netns, RELABELLED + ADMIN));
  });
});

/** The node's pods, a client and a namespace whose pods labelled `app: new` take no ingress. */
const HELD = [
  'apiVersion: v1',
  'kind: Node',
  'metadata: {name: n1}',
  'spec: {podCIDR: 10.0.0.0/24}',
  '---',
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: client, namespace: x, labels: {app: client}}',
  'spec: {nodeName: n1, containers: [{name: c}]}',
  'status: {podIP: 10.0.0.1}',
  '---',
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {name: new-takes-nothing, namespace: x}',
  'spec: {podSelector: {matchLabels: {app: new}}, policyTypes: [Ingress]}',
  '',
].join('\n');
const NEW_POD = [
  '---',
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: fresh, namespace: x, labels: {app: new}}',
  'spec: {nodeName: n1, containers: [{name: c, ports: [{containerPort: 80}]}]}',
  'status: {podIP: 10.0.0.9}',
  '',
].join('\n');
const ALLOW_CLIENT = [
  '---',
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {name: new-from-client, namespace: x}',
  'spec:',
  '  podSelector: {matchLabels: {app: new}}',
  '  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 80}]}]',
  '',
].join('\n');

/** Asks a pod agent (src/dataplane/lab/pod-agent.ts) to connect once. */
function probe(socket: string, ip: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    let buffered = '';
    connection.on('error', reject);
    connection.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      if (!buffered.includes('\n')) return;
      connection.end();
      resolve((JSON.parse(buffered.slice(0, buffered.indexOf('\n'))) as ProbeReply).outcome);
    });
    connection.on('connect', () =>
      connection.write(`${JSON.stringify({ id: 0, ip, port, protocol: 'TCP', timeoutMs })}\n`),
    );
  });
}

describe('a new pod on the node is held at default deny until its rules are in (real packets)', () => {
  const lab = `aapi${process.pid % 100_000}`;
  const node: LabNode = { name: 'n1', netns: `npl-${lab}-n0`, address: '100.64.0.1', addresses: ['100.64.0.1'] };
  const pod = (name: string, ip: string, index: number): LabPod => ({
    id: `x/${name}`,
    node: 'n1',
    key: `npl-${lab}-p${index}`,
    nodeNetwork: false,
    netns: `npl-${lab}-p${index}`,
    hostInterface: `v${index}`,
    ip,
    ports: ['80/TCP'],
  });
  const client = pod('client', '10.0.0.1', 0);
  const fresh = pod('fresh', '10.0.0.9', 1);
  let dir: string;
  let server: ApiServer;
  let agent: RunningAgent;
  const podAgents: ChildProcess[] = [];

  const startPodAgent = (p: LabPod): string => {
    const socket = join(dir, `${p.netns}.sock`);
    const argv = ['netns', 'exec', p.netns, ...selfCommand(import.meta.url, '../src/dataplane/lab/pod-agent')];
    podAgents.push(spawn('ip', [...argv, '--socket', socket, '--ports', p.ports.join(',')], { stdio: 'ignore' }));
    return socket;
  };

  before(async () => {
    requireKernelTools();
    dir = mkdtempSync(join(tmpdir(), 'netpol-agent-deny-'));
    for (const netns of labNamespaces(lab)) deleteNetns(netns);
    createFabric(lab);
    createNode(lab, node, 0);
    server = await ApiServer.start({ bookmarkIntervalMs: 500 });
  });

  after(async () => {
    await agent?.stop();
    for (const child of podAgents) child.kill();
    await server?.stop();
    for (const netns of labNamespaces(lab)) deleteNetns(netns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops what an unprogrammed pod sends and receives, never opens it, then allows its rules', async () => {
    holdInServer(server, HELD);
    agent = startAgent([
      '--kubeconfig',
      writeKubeconfig(dir, server.url),
      '--node',
      'n1',
      '--netns',
      node.netns,
      '--resync',
      '0',
    ]);
    await until(() => holds(node.netns, HELD), 'the agent to apply', 15_000);
    createPod(client, node);
    const fromClient = startPodAgent(client);
    // The pod's sandbox is up with its address (the CNI's work) before the API server has its IP.
    createPod(fresh, node);
    const fromFresh = startPodAgent(fresh);
    await until(() => existsSync(fromClient) && existsSync(fromFresh), 'the pod agents');
    assert.equal(await probe(fromClient, fresh.ip, 80, 500), 'timeout', 'to a pod not programmed: dropped');
    assert.equal(await probe(fromFresh, client.ip, 80, 500), 'timeout', 'from a pod not programmed: dropped');

    // The pod arrives in the API, selected by a policy that lets nothing in: from before it is known until after
    // its rules are in, not one connection gets through.
    const outcomes: ProbeOutcome[] = [];
    let probing = true;
    const loop = (async () => {
      while (probing) outcomes.push(await probe(fromClient, fresh.ip, 80, 150));
    })();
    await sleep(300);
    holdInServer(server, HELD + NEW_POD);
    await until(() => holds(node.netns, HELD + NEW_POD), 'the agent to program the new pod', 10_000);
    await sleep(500);
    probing = false;
    await loop;
    assert.ok(outcomes.length >= 4, `${outcomes.length} probes`);
    assert.deepEqual(
      outcomes.filter((o) => o !== 'timeout'),
      [],
      'the new pod was never reachable, before or after the agent knew it',
    );
    assert.equal(await probe(fromFresh, client.ip, 80, 1000), 'connected', 'programmed: its egress is not isolated');

    // Its rules say who may reach it: then, and only then, the client does.
    holdInServer(server, HELD + NEW_POD + ALLOW_CLIENT);
    await until(() => holds(node.netns, HELD + NEW_POD + ALLOW_CLIENT), 'the agent to apply the allow', 10_000);
    assert.equal(await probe(fromClient, fresh.ip, 80, 1000), 'connected');
  });
});
