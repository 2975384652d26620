import { InvalidArgumentError, Option, type Command } from 'commander';
import { type Protocol, isProtocol } from '../algebra/connset.js';
import { defaultEngineOptions, type EngineOptions } from '../engine/verdict.js';
import type { Cluster } from '../model/cluster.js';
import { type Inputs, inputsAreValid, readInputs } from '../model/inputs.js';
import type { LoadProblem } from '../model/load.js';
import { buildCluster } from '../model/cluster.js';
import { SEMANTICS, type Semantics } from '../policy/legacy.js';
import { DEFAULT_HOST_NETWORK_PODS, HOST_NETWORK_PODS, type HostNetworkPods } from '../policy/host-network.js';
import { type SourcedObject, formatLocation, objectKey } from '../model/source.js';
import type { Diagnostic } from '../validate/validate.js';
import { isValidPortName } from '../validate/names.js';
import type { Io } from './io.js';

export const formatProblem = (p: LoadProblem): string => `${formatLocation(p.location)}: ${p.message}`;

export const formatDiagnostic = (d: Diagnostic): string =>
  `${formatLocation(d.location)}: ${d.object.kind} ${objectKey({ name: d.object.name, namespace: d.object.namespace })}: ${d.message}`;

/** Writes what could not be read, and what was skipped, to stderr. */
export function reportInputs(inputs: Inputs, io: Io): void {
  for (const s of inputs.load.skipped) io.err(`${formatProblem(s)}\n`);
  for (const p of inputs.load.problems) io.err(`${formatProblem(p)}\n`);
  for (const d of inputs.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
}

/** For analysis commands: the cluster, or undefined after reporting why the input was refused. */
export function clusterOrReport(paths: readonly string[], io: Io, flags: EngineFlags = {}): Cluster | undefined {
  return loadOrReport(paths, io, flags)?.cluster;
}

/** The valid objects read and the cluster built from them, or undefined after reporting why the input was refused. */
export function loadOrReport(
  paths: readonly string[],
  io: Io,
  flags: EngineFlags = {},
): { objects: readonly SourcedObject[]; cluster: Cluster } | undefined {
  const inputs = readInputs(paths, { readStdin: io.readStdin });
  reportInputs(inputs, io);
  if (!inputsAreValid(inputs)) {
    const count = inputs.load.problems.length + inputs.diagnostics.length;
    io.err(
      `netpol: refusing to analyse invalid input (${count} problem${count === 1 ? '' : 's'}); run 'netpol validate' for details\n`,
    );
    return undefined;
  }
  const cluster = buildCluster(inputs.load.objects, {
    semantics: flags.semantics,
    hostNetworkPods: flags.hostNetworkPods,
  });
  for (const p of cluster.legacy?.problems ?? [])
    io.err(`${formatLocation(p.origin)}: Namespace ${p.namespace}: ${p.message}\n`);
  for (const w of cluster.warnings) io.err(`${formatLocation(w.origin)}: warning: ${w.message}\n`);
  return { objects: inputs.load.objects, cluster };
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port < 1 || port > 65535)
    throw new InvalidArgumentError('a port is a number from 1 to 65535');
  return port;
}

/** A destination port: a number, or a container port name (an IANA_SVC_NAME) that the destination resolves. */
export function parsePortOrName(text: string): number | string {
  if (/^[0-9]+$/.test(text)) return parsePort(text);
  if (isValidPortName(text).length > 0)
    throw new InvalidArgumentError('a port is a number from 1 to 65535, or a container port name such as http');
  return text;
}

export function parseProtocol(text: string): Protocol {
  const upper = text.toUpperCase();
  if (!isProtocol(upper)) throw new InvalidArgumentError('the protocol is TCP, UDP or SCTP');
  return upper;
}

/**
 * The switches for what upstream leaves to implementations. `hostNetworkPods: false` leaves out
 * `--host-network-pods`, for commands that enforce rules: a ruleset follows upstream, where hostNetwork pods are
 * node traffic.
 */
export function addEngineOptions(command: Command, { hostNetworkPods = true } = {}): Command {
  command
    .option('--no-ipblock-pod-ips', "ipBlocks never match pod addresses (Cilium's default); by default they do")
    .option('--no-local-node-egress', "subject egress to the pod's own node to policy; by default it is always allowed")
    .addOption(
      new Option(
        '--semantics <model>',
        'v1, as every cluster since 1.7; or legacy: the pre-1.7 namespace isolation by annotation, ingress only',
      )
        .choices(SEMANTICS)
        .default('v1'),
    );
  if (!hostNetworkPods) return command;
  return command.addOption(
    new Option(
      '--host-network-pods <model>',
      'node: hostNetwork pods are node traffic, as upstream says; pod: policy subjects and peers like any pod, ' +
        'as netpol-analyzer takes them',
    )
      .choices(HOST_NETWORK_PODS)
      .default(DEFAULT_HOST_NETWORK_PODS),
  );
}

/** What commander makes of the flags that addEngineOptions declares. */
export interface EngineFlags {
  readonly ipblockPodIps?: boolean;
  readonly localNodeEgress?: boolean;
  readonly semantics?: Semantics;
  readonly hostNetworkPods?: HostNetworkPods;
}

export function engineOptionsFrom(opts: EngineFlags): EngineOptions {
  return {
    ipBlockMatchesPodIPs: opts.ipblockPodIps ?? defaultEngineOptions.ipBlockMatchesPodIPs,
    allowEgressToLocalNode: opts.localNodeEgress ?? defaultEngineOptions.allowEgressToLocalNode,
  };
}
