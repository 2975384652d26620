import { InvalidArgumentError, Option, type Command } from 'commander';
import { type Protocol, isProtocol } from '../algebra/connset.js';
import { defaultEngineOptions, type EngineOptions } from '../policy/evaluate.js';
import type { Cluster } from '../policy/cluster.js';
import { type Inputs, inputsAreValid, readInputs, validObjects } from '../pipeline/inputs.js';
import { DEFAULT_MAX_INPUT_BYTES, LARGEST_INPUT_BYTES, type LoadOptions } from '../load/load.js';
import { buildCluster } from '../policy/cluster.js';
import { SEMANTICS, type Semantics } from '../policy/legacy.js';
import { DEFAULT_HOST_NETWORK_PODS, HOST_NETWORK_PODS, type HostNetworkPods } from '../model/host-network.js';
import { type SourcedObject } from '../resources/source.js';
import { type InputWarning, inputWarnings } from '../pipeline/input-warnings.js';
import type { ReplacedObject } from '../load/load.js';
import { formatLocation } from '../util/location.js';
import { destinationPort } from '../engine/flow.js';
import type { Io } from './io.js';
import { emptyInputNotice, leftOutNotice, skipSummary } from './input-report.js';
import { plural } from '../util/plural.js';

import { formatDiagnostic, formatProblem } from '../report/validation.js';

export { formatDiagnostic, formatProblem };

/** The flags about reading paths: how much to say about what is skipped, and whether invalid objects stop analysis. */
export function addInputOptions(command: Command, options: { skipInvalid?: boolean } = {}): Command {
  command
    .addOption(
      new Option('-q, --quiet', 'say nothing about objects skipped (kinds netpol does not read)').conflicts('verbose'),
    )
    .option('-v, --verbose', 'list each object skipped, not only how many of each kind')
    .addOption(excludeOption())
    .addOption(
      new Option(
        '--max-input-bytes <bytes>',
        `refuse an input larger than this (default ${DEFAULT_MAX_INPUT_BYTES / 2 ** 20} MiB)`,
      ).argParser(parseByteCount),
    );
  if (options.skipInvalid ?? true) {
    command.option(
      '--skip-invalid',
      'analyse the valid objects and leave out the invalid ones, saying which first, instead of refusing the input',
    );
  }
  return command;
}

/** What commander makes of the flags that addInputOptions declares. */
export interface InputFlags {
  readonly exclude?: readonly string[];
  readonly maxInputBytes?: number;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly skipInvalid?: boolean;
}

/** Writes to stderr what was skipped (one line, each with -v, nothing with -q), and says when nothing was read. */
export function reportSkipped(paths: readonly string[], inputs: Inputs, io: Io, flags: InputFlags = {}): void {
  const skipped = inputs.load.skipped;
  if (skipped.length > 0 && !flags.quiet) {
    if (flags.verbose) for (const s of skipped) io.err(`${formatProblem(s)}\n`);
    io.err(`netpol: ${skipSummary(skipped, flags.verbose === true)}\n`);
  }
  const empty = emptyInputNotice(paths, inputs);
  if (empty !== undefined) io.err(`netpol: ${empty}\n`);
}

/** Writes the input's warnings to stderr, whatever -q says: they change what the results mean. */
export function reportWarnings(inputs: Inputs, io: Io): InputWarning[] {
  const warnings = inputWarnings(inputs.load);
  for (const w of warnings) io.err(`netpol: warning: ${w.message}\n`);
  return warnings;
}

/** Writes to stderr what could not be read and what is invalid, each with its file:line. */
function reportProblems(inputs: Inputs, io: Io): void {
  for (const p of inputs.load.problems) io.err(`${formatProblem(p)}\n`);
  for (const d of inputs.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
}

/** `--exclude`: for every command that walks directories, the agent's too. */
export const excludeOption = (): Option =>
  new Option(
    '--exclude <glob>',
    'leave out files and directories that match (a pattern without / matches a name anywhere); repeatable',
  )
    .argParser((glob: string, globs: string[] | undefined) => [...(globs ?? []), glob])
    .default([]);

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

/**
 * The objects to work on, or undefined after reporting why the input was refused. Invalid input
 * is refused, unless --skip-invalid: then the valid objects are kept, and what is left out is said
 * before anything else.
 */
export function objectsOrReport(
  paths: readonly string[],
  io: Io,
  flags: InputFlags = {},
  refusal = 'analyse',
): SourcedObject[] | undefined {
  return readOrReport(paths, io, flags, refusal)?.objects;
}

/** What analysis reads of the paths, with what it says about them. */
export interface ReadObjects {
  readonly objects: SourcedObject[];
  /** Said on stderr already; for the JSON outputs that carry them. */
  readonly warnings: readonly InputWarning[];
  /** Objects a later one of the same kind, namespace and name replaced. */
  readonly replaced: readonly ReplacedObject[];
}

/** As objectsOrReport, with the warnings (said on stderr, even with -q) and the objects replaced. */
export function readOrReport(
  paths: readonly string[],
  io: Io,
  flags: InputFlags = {},
  refusal = 'analyse',
): ReadObjects | undefined {
  const inputs = readInputs(paths, loadOptionsFrom(flags, io));
  reportSkipped(paths, inputs, io, flags);
  const warnings = reportWarnings(inputs, io);
  const read = (objects: SourcedObject[]): ReadObjects => ({ objects, warnings, replaced: inputs.load.replaced });
  if (inputsAreValid(inputs)) return read(inputs.load.objects);
  if (flags.skipInvalid) {
    io.err(`netpol: ${leftOutNotice(inputs)}\n`);
    reportProblems(inputs, io);
    return read(validObjects(inputs));
  }
  reportProblems(inputs, io);
  const count = inputs.load.problems.length + inputs.diagnostics.length;
  io.err(
    `netpol: refusing to ${refusal} invalid input (${plural(count, 'problem')}); ` +
      "run 'netpol validate' for details, or --skip-invalid to leave it out\n",
  );
  return undefined;
}

/** For analysis commands: the cluster, or undefined after reporting why the input was refused. */
export function clusterOrReport(
  paths: readonly string[],
  io: Io,
  flags: EngineFlags & InputFlags = {},
): Cluster | undefined {
  return loadOrReport(paths, io, flags)?.cluster;
}

/** The objects read and the cluster built from them, or undefined after reporting why the input was refused. */
export function loadOrReport(
  paths: readonly string[],
  io: Io,
  flags: EngineFlags & InputFlags = {},
): (ReadObjects & { cluster: Cluster }) | undefined {
  const read = readOrReport(paths, io, flags);
  if (read === undefined) return undefined;
  const { objects } = read;
  const cluster = buildCluster(objects, { semantics: flags.semantics, hostNetworkPods: flags.hostNetworkPods });
  for (const p of cluster.legacy?.problems ?? [])
    io.err(`${formatLocation(p.origin)}: Namespace ${p.namespace}: ${p.message}\n`);
  for (const w of cluster.warnings) io.err(`${formatLocation(w.origin)}: warning: ${w.message}\n`);
  return { ...read, cluster };
}

const TEXT_NAMES = ['txt', 'text'];

/**
 * `-o, --output <format>` with the command's formats. `txt` and `text` both name its text format
 * (`txt`, or `text` for one that calls it otherwise), as users of either convention type them.
 */
export function outputOption<F extends string>(
  formats: readonly F[],
  options: { default: F; text?: F; description?: string },
): Option {
  const text = options.text ?? formats.find((f) => TEXT_NAMES.includes(f));
  // The aliases stand right after the text format, so help reads `txt, text, csv, ...`.
  const choices = formats.flatMap((f): string[] =>
    f === text ? [f, ...TEXT_NAMES.filter((name) => name !== f && !formats.includes(name as F))] : [f],
  );
  return new Option('-o, --output <format>', options.description ?? 'output format')
    .choices(choices)
    .default(options.default)
    .argParser((value: string): F => {
      if (!choices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
      return text !== undefined && TEXT_NAMES.includes(value) ? text : (value as F);
    });
}

/** Node's timers take at most 2^31 - 1 ms; a longer period would fire at once, over and over. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A period in seconds for a timer: 0 (never) up to about 24.8 days. */
export function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_TIMER_SECONDS)
    throw new InvalidArgumentError(`a number of seconds, from 0 (never) to ${MAX_TIMER_SECONDS}`);
  return seconds;
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port < 1 || port > 65535)
    throw new InvalidArgumentError('a port is a number from 1 to 65535');
  return port;
}

/** A destination port: a number, or a container port name (an IANA_SVC_NAME) that the destination resolves. */
export function parsePortOrName(text: string): number | string {
  try {
    return destinationPort(text);
  } catch (error) {
    if (error instanceof RangeError) throw new InvalidArgumentError(error.message);
    throw error;
  }
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
export interface EngineFlags extends InputFlags {
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
