import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { buildCluster } from '../../src/policy/cluster.js';
import { loadText } from '../../src/load/load.js';
import { buildNftRuleset, formatNftRuleset } from '../../src/render/nftables.js';
import { withScratchNetns } from './root.js';

/**
 * A NetworkPolicy of x that the API server stores as JSON but its validation refuses (port 70000): the agent must
 * skip it, say so, and enforce the rest.
 */
export const INVALID_POLICY = [
  '---',
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {name: too-far, namespace: x}',
  'spec:',
  '  podSelector: {matchLabels: {app: b}}',
  '  ingress:',
  '    - ports:',
  '        - port: 70000',
  '',
].join('\n');

/** `netpol agent` as an operator runs it: a process of its own, its stderr kept for the test to read. */
export interface RunningAgent {
  readonly child: ChildProcess;
  /** Everything the agent wrote on stderr so far. */
  stderr(): string;
  alive(): boolean;
  /** Resolves with the exit code (or the signal that ended it) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Sends the signal and resolves with the exit code (or the signal that ended it). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts `netpol agent ARGS`; its /metrics on a free port of 127.0.0.1 unless the args say where, so that agents of
 * tests that run at once do not contend for the default port.
 */
export function startAgent(args: readonly string[], env: NodeJS.ProcessEnv = process.env): RunningAgent {
  const metrics = args.includes('--metrics-address') ? [] : ['--metrics-address', '127.0.0.1:0'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'agent', ...args, ...metrics], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    child,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function readStatus(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Runs a program inside a namespace, argv only. */
export const inNs = (netns: string, ...argv: string[]): ReturnType<typeof spawnSync> =>
  spawnSync('ip', ['netns', 'exec', netns, ...argv], { encoding: 'utf8' });

/**
 * The table as the kernel lists it, every handle left out and every element list sorted: two tables
 * that hold the same sets, maps, chains and rules, in whatever order they were made, list the same.
 */
export function listedTable(netns: string, table = 'netpol'): unknown {
  const listed = inNs(netns, 'nft', '-j', 'list', 'table', 'inet', table);
  if (listed.status !== 0) return undefined;
  const items = (JSON.parse(String(listed.stdout)) as { nftables: Record<string, Record<string, unknown>>[] }).nftables;
  const out: Record<string, Record<string, unknown>> = { set: {}, map: {}, chain: {}, rule: {} };
  for (const item of items) {
    const [kind] = Object.keys(item);
    if (kind === 'metainfo' || kind === 'table') continue;
    const { handle: _handle, ...body } = item[kind!]!;
    if (Array.isArray(body['elem'])) body['elem'] = body['elem'].map((e) => JSON.stringify(e)).sort();
    if (kind === 'rule') {
      const chain = body['chain'] as string;
      ((out['rule']![chain] ??= []) as unknown[]).push(body);
    } else out[kind!]![body['name'] as string] = body;
  }
  return out;
}

/**
 * What the kernel should hold for these manifests on node n1 (the renderer's ruleset, made by a
 * plain `nft -f` into a namespace of its own and listed back): the oracle the agent is held to.
 */
export function expectedTable(manifests: string, node = 'n1'): unknown {
  const cluster = buildCluster(loadText(manifests, 'm.yaml').objects);
  const ruleset = buildNftRuleset(cluster, { node, podCIDRs: cluster.nodes.get(node)?.podCIDRs ?? [] });
  return withScratchNetns((netns) => {
    const loaded = spawnSync('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], {
      input: formatNftRuleset(ruleset),
      encoding: 'utf8',
    });
    if (loaded.status !== 0) throw new Error(`the expected ruleset does not load: ${loaded.stderr}`);
    return listedTable(netns);
  });
}

/** Whether the kernel's table is exactly the one these manifests render to: body and all. */
export const holds = (netns: string, manifests: string): boolean =>
  isDeepStrictEqual(listedTable(netns), expectedTable(manifests));

export const ruleCount = (netns: string): number =>
  Object.values(((listedTable(netns) as { rule?: Record<string, unknown[]> }) ?? {}).rule ?? {}).reduce(
    (n, rules) => n + rules.length,
    0,
  );

/** A directory holding an `nft` that fails every JSON listing and runs the real nft otherwise: put it first on PATH. */
export function nftFailingJsonListings(): string {
  const real = spawnSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'netpol-nft-shim-'));
  const shim = join(dir, 'nft');
  writeFileSync(
    shim,
    [
      '#!/bin/sh',
      'for argument in "$@"; do',
      '  if [ "$argument" = "-j" ]; then echo "Error: netlink: Operation not supported (simulated)" >&2; exit 1; fi',
      'done',
      `exec ${real} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(shim, 0o755);
  return dir;
}
