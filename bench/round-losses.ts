import { spawnSync } from 'node:child_process';
import { run } from '../src/dataplane/exec.js';
import { nft } from '../src/dataplane/nft.js';

/**
 * Where a rate round of the dataplane bench lost connections. A connection the client counts as failed is a SYN or
 * a SYN-ACK that never arrived, or a client that judged too early. Each place that can lose one is counted in the
 * kernel, so a failure is never a guess:
 *
 * - the node's forward hook, before and after the ruleset under test: SYNs and SYN-ACKs that went in and did not
 *   come out were dropped by the dataplane (a table of its own, whose base chains run first and last);
 * - the server's namespace: SYNs its kernel dropped because the listener's accept queue was full (ListenDrops),
 *   which is the server process not accepting fast enough, not the network;
 * - the client's namespace: SYNs sent again after a second without an answer (TCPSynRetrans);
 * - the node's conntrack: entries it could not insert, or dropped to make room (a full table).
 */
export interface RoundLosses {
  /** Connections the client gave up on (1.5 s: a SYN lost once is sent again at 1 s and still counts in time). */
  failed: number;
  /** SYNs and SYN-ACKs that entered the node's forward hook and did not leave it. */
  dataplaneDrops: number;
  /** SYNs the server's kernel dropped on a full accept queue. */
  serverDrops: number;
  synRetransmits: number;
  /** conntrack's drop, early_drop and insert_failed in the node's namespace; undefined without the conntrack tool. */
  conntrackDrops: number | undefined;
  /** The longest the client process went without running, in ms: the machine's share of a round. */
  clientStallMs: number;
}

const TABLE = 'netpol_bench_losses';
const COUNTERS = ['syn_in', 'syn_out', 'synack_in', 'synack_out'] as const;

/**
 * Counts SYNs and SYN-ACKs through a node's forward hook at priorities before and after every chain of the ruleset
 * under test (netpol's are at `filter` and `filter + 10`). A packet the ruleset drops never reaches the last chain.
 * Every node of the bench gets it, the no-ruleset node too, so its small fixed cost is the same in each variant.
 */
export function installLossCounters(netns: string): void {
  const count = (hook: 'in' | 'out'): string[] => [
    `\t\ttcp flags & (syn | ack) == syn counter name syn_${hook}`,
    `\t\ttcp flags & (syn | ack) == syn | ack counter name synack_${hook}`,
  ];
  nft.apply(
    [
      `table inet ${TABLE} {`,
      ...COUNTERS.map((name) => `\tcounter ${name} {\n\t}`),
      '\tchain count_in {',
      '\t\ttype filter hook forward priority -300; policy accept;',
      ...count('in'),
      '\t}',
      '\tchain count_out {',
      '\t\ttype filter hook forward priority 300; policy accept;',
      ...count('out'),
      '\t}',
      '}',
      '',
    ].join('\n'),
    netns,
  );
}

/** The counters of one round's three namespaces, read before and after it. */
export interface LossSnapshot {
  readonly node: Record<(typeof COUNTERS)[number], number>;
  readonly server: Record<string, number>;
  readonly client: Record<string, number>;
  readonly conntrack: number | undefined;
}

export function lossSnapshot(namespaces: { node: string; server: string; client: string }): LossSnapshot {
  return {
    node: nodeCounters(namespaces.node),
    server: tcpCounters(namespaces.server),
    client: tcpCounters(namespaces.client),
    conntrack: conntrackDrops(namespaces.node),
  };
}

export function lossesBetween(
  before: LossSnapshot,
  after: LossSnapshot,
  client: { failed: number; clientStallMs: number },
): RoundLosses {
  const grew = (side: 'server' | 'client', counter: string): number =>
    (after[side][counter] ?? 0) - (before[side][counter] ?? 0);
  const passed = (name: (typeof COUNTERS)[number]): number => after.node[name] - before.node[name];
  return {
    failed: client.failed,
    dataplaneDrops: passed('syn_in') - passed('syn_out') + passed('synack_in') - passed('synack_out'),
    serverDrops: grew('server', 'TcpExtListenDrops'),
    synRetransmits: grew('client', 'TcpExtTCPSynRetrans'),
    conntrackDrops:
      before.conntrack === undefined || after.conntrack === undefined ? undefined : after.conntrack - before.conntrack,
    clientStallMs: client.clientStallMs,
  };
}

function nodeCounters(netns: string): LossSnapshot['node'] {
  const listed = run(['ip', 'netns', 'exec', netns, 'nft', '-j', 'list', 'counters', 'table', 'inet', TABLE]);
  if (listed.status !== 0) throw new Error(`nft list counters in ${netns} failed: ${listed.stderr.trim()}`);
  const objects = (JSON.parse(listed.stdout) as { nftables: { counter?: { name: string; packets: number } }[] })
    .nftables;
  const packets = (name: string): number => {
    const counter = objects.find((o) => o.counter?.name === name)?.counter;
    if (counter === undefined) throw new Error(`the counter ${name} is missing from ${TABLE} in ${netns}`);
    return counter.packets;
  };
  return {
    syn_in: packets('syn_in'),
    syn_out: packets('syn_out'),
    synack_in: packets('synack_in'),
    synack_out: packets('synack_out'),
  };
}

/** The kernel's TCP counters in a namespace (`nstat`, absolute values, its history file left alone). */
function tcpCounters(netns: string): Record<string, number> {
  // -a: absolute values (history ignored), -s: the history file left alone, -z: zeros too, -j: JSON.
  const listed = run(['ip', 'netns', 'exec', netns, 'nstat', '-a', '-s', '-z', '-j']);
  if (listed.status !== 0) throw new Error(`nstat in ${netns} failed: ${listed.stderr.trim()}`);
  return (JSON.parse(listed.stdout) as { kernel: Record<string, number> }).kernel;
}

let conntrackTool: boolean | undefined;

/** conntrack's losses in a namespace, summed over CPUs (`conntrack -S`, Debian's conntrack package). */
function conntrackDrops(netns: string): number | undefined {
  conntrackTool ??= spawnSync('conntrack', ['--version']).status === 0;
  if (!conntrackTool) return undefined;
  const listed = run(['ip', 'netns', 'exec', netns, 'conntrack', '-S']);
  if (listed.status !== 0) throw new Error(`conntrack -S in ${netns} failed: ${listed.stderr.trim()}`);
  let drops = 0;
  for (const [, field, value] of listed.stdout.matchAll(/\b(drop|early_drop|insert_failed)=(\d+)/g))
    if (field !== undefined) drops += Number(value);
  return drops;
}
