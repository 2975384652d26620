import { InvalidArgumentError, Option, type Command } from 'commander';
import { type Protocol, isProtocol } from '../algebra/connset.js';
import { defaultEngineOptions, type EngineOptions } from '../engine/verdict.js';
import type { Cluster } from '../model/cluster.js';
import { type Inputs, inputsAreValid, readInputs } from '../model/inputs.js';
import { DEFAULT_MAX_INPUT_BYTES, LARGEST_INPUT_BYTES, type LoadOptions, type LoadProblem } from '../model/load.js';
import { buildCluster, unmodelledPolicyWarning } from '../model/cluster.js';
import { isNamespaced, knownKind } from '../model/kinds.js';
import { SEMANTICS, type Semantics } from '../policy/legacy.js';
import { type SourcedObject, formatLocation, objectKey } from '../model/source.js';
import type { Diagnostic } from '../validate/validate.js';
import type { Io } from './io.js';

export const formatProblem = (p: LoadProblem): string => `${formatLocation(p.location)}: ${p.message}`;

export const formatDiagnostic = (d: Diagnostic): string =>
  `${formatLocation(d.location)}: ${d.object.kind} ${objectKey({ name: d.object.name, namespace: shownNamespace(d.object) })}: ${d.message}`;

/** A cluster-scoped object is named without the namespace its manifest may carry: the API server ignores it. */
function shownNamespace(o: SourcedObject): string | undefined {
  const kind = knownKind(o.apiVersion, o.kind);
  return kind !== undefined && !isNamespaced(kind) ? undefined : o.namespace;
}

/** Writes what could not be read, and what was skipped, to stderr. */
export function reportInputs(inputs: Inputs, io: Io): void {
  for (const s of inputs.load.skipped) io.err(`${formatProblem(s)}\n`);
  for (const p of inputs.load.problems) io.err(`${formatProblem(p)}\n`);
  for (const d of inputs.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
}

/** The flags of every command that reads paths. */
export interface InputFlags {
  readonly exclude?: readonly string[];
  readonly maxInputBytes?: number;
}

export function addInputOptions(command: Command): Command {
  return command
    .option(
      '--exclude <glob>',
      'leave out files and directories that match (a pattern without / matches a name anywhere); repeatable',
      (glob: string, globs: string[]) => [...globs, glob],
      [] as string[],
    )
    .option(
      '--max-input-bytes <bytes>',
      `refuse an input larger than this (default ${DEFAULT_MAX_INPUT_BYTES / 2 ** 20} MiB)`,
      parseByteCount,
    );
}

export const loadOptionsFrom = (flags: InputFlags, io: Io): LoadOptions => ({
  readStdin: io.readStdin,
  ...(flags.exclude !== undefined ? { exclude: flags.exclude } : {}),
  ...(flags.maxInputBytes !== undefined ? { maxInputBytes: flags.maxInputBytes } : {}),
});

function parseByteCount(text: string): number {
  const count = Number(text);
  if (!/^[0-9]+$/.test(text) || count < 1 || count > LARGEST_INPUT_BYTES) {
    throw new InvalidArgumentError(
      `a number of bytes from 1 to ${LARGEST_INPUT_BYTES}, the longest text Node.js holds`,
    );
  }
  return count;
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
  const inputs = readInputs(paths, loadOptionsFrom(flags, io));
  reportInputs(inputs, io);
  if (!inputsAreValid(inputs)) {
    const count = inputs.load.problems.length + inputs.diagnostics.length;
    io.err(
      `netpol: refusing to analyse invalid input (${count} problem${count === 1 ? '' : 's'}); run 'netpol validate' for details\n`,
    );
    return undefined;
  }
  const cluster = buildCluster(inputs.load.objects, { semantics: flags.semantics });
  for (const p of cluster.legacy?.problems ?? [])
    io.err(`${formatLocation(p.origin)}: Namespace ${p.namespace}: ${p.message}\n`);
  reportUnmodelled(cluster.unmodelledPolicies, io);
  return { objects: inputs.load.objects, cluster };
}

/** One line per policy the answers leave out, so that no answer is taken for more than it is. */
export function reportUnmodelled(policies: readonly SourcedObject[], io: Io): void {
  for (const o of policies) io.err(`${formatLocation(o.origin)}: ${unmodelledPolicyWarning(o)}\n`);
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port < 1 || port > 65535)
    throw new InvalidArgumentError('a port is a number from 1 to 65535');
  return port;
}

export function parseProtocol(text: string): Protocol {
  const upper = text.toUpperCase();
  if (!isProtocol(upper)) throw new InvalidArgumentError('the protocol is TCP, UDP or SCTP');
  return upper;
}

/** The switches for what upstream leaves to implementations. */
export function addEngineOptions(command: Command): Command {
  return addInputOptions(command)
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
}

/** What commander makes of the flags that addEngineOptions declares. */
export interface EngineFlags extends InputFlags {
  readonly ipblockPodIps?: boolean;
  readonly localNodeEgress?: boolean;
  readonly semantics?: Semantics;
}

export function engineOptionsFrom(opts: EngineFlags): EngineOptions {
  return {
    ipBlockMatchesPodIPs: opts.ipblockPodIps ?? defaultEngineOptions.ipBlockMatchesPodIPs,
    allowEgressToLocalNode: opts.localNodeEgress ?? defaultEngineOptions.allowEgressToLocalNode,
  };
}
