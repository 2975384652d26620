import type { Cluster } from '../policy/cluster.js';
import { ruleName } from '../policy/ir.js';
import type { PolicySource, SourceSnapshot } from '../controller/source.js';
import type { LoadProblem } from '../load/load.js';
import { formatLocation } from '../util/location.js';
import type { NftRuleset } from '../render/nftables.js';
import type { LogEntry } from '../util/log.js';
import { plural } from '../util/plural.js';
import { type Diagnostic, formatInvalidObject } from '../validate/validate.js';
import type { ProbeResult } from '../controller/probe-server.js';
import type { AgentMetricsRecorder } from './agent-metrics.js';
import type { RulesetSink } from './nft-sink.js';
import type { NftReconciler } from './reconcile.js';
import { StatusFile } from './status-file.js';

export interface AgentOptions {
  /** Where the cluster is read from: FileSource (a directory of manifests) or the Kubernetes API. */
  readonly source: PolicySource;
  /** From snapshots to the node's ruleset, and from the kernel's table to it. */
  readonly reconciler: NftReconciler;
  /** Where rulesets go and are read back from: NftSink, or a fake in tests. */
  readonly sink: RulesetSink;
  /** How often the kernel is read back and drift repaired; 0 turns it off. */
  readonly resyncMs?: number;
  /** The first wait before a failed reconcile is tried again; it doubles up to `resyncMs` (or 30 s). */
  readonly retryMs?: number;
  /** Where the agent reports what it applied, for the lab and for operators. */
  readonly statusFile?: string;
  readonly log?: (entry: LogEntry) => void;
  /** Told of reconciles and transactions, for /metrics. */
  readonly metrics?: AgentMetricsRecorder;
  /** Called after each reconcile that reached the kernel, with the transaction it committed (maybe empty). */
  readonly onReconciled?: (commands: readonly string[], snapshot: SourceSnapshot) => void;
}

export interface AgentStatus {
  /** The source's name for the inputs the applied ruleset was rendered from (files: `inputsDigest`). */
  readonly inputsHash: string;
  /** Transactions committed since the start. */
  readonly applied: number;
  readonly lastCommands: number;
  readonly lastApplyMs: number;
  /** Why the kernel may not hold what the inputs say: a source that fails, a kernel that refused or cannot be read. */
  readonly error?: string;
  /** Objects left out because the API server would refuse them, as `file:line: message`, the first 20. */
  readonly problems?: readonly string[];
  /** When this was written (ISO 8601). */
  readonly time: string;
}

/** What has kept the kernel from holding the inputs' rules, and since when. */
interface Trouble {
  readonly message: string;
  readonly since: number;
}

const PROBLEMS_IN_STATUS = 20;

/**
 * Keeps one node's nftables table in step with a source. Each change is read from the source,
 * turned into the node's ruleset by the reconciler, and committed by the sink as one transaction of
 * deltas against what was last committed: set and map elements added and removed, only changed
 * chains refilled; the table and its base chains are not deleted.
 *
 * Repair always wins. A delta the kernel refuses is followed by a read-back and the delta from what
 * the kernel really holds; a table no delta can repair, or a kernel that cannot be read when rules
 * must go in, is replaced whole in one transaction. A failed read-back is an error, never an empty
 * kernel. Every resync reads the kernel back, compares every rule body and all, and repairs drift.
 * A failure is retried with backoff; the node's recovery is logged.
 */
export class NodeAgent {
  /** What the kernel holds as far as the agent knows: the last ruleset it committed; undefined when unknown. */
  private applied: NftRuleset | undefined;
  private transactions = 0;
  /** The commands of the last transaction, for tests and logs. */
  lastCommands: readonly string[] = [];
  /** Reconciles and resyncs, one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  /** A reconcile asked for and not started yet: further asks join it. */
  private queued: { readBack: boolean } | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private stopped = false;
  private sourceStarted = false;
  /** Why the last reconcile did not bring the kernel to the inputs; undefined when it did. */
  private trouble: Trouble | undefined;
  private readonly reported = new Set<string>();
  private unenforced = '';
  /**
   * Why the kernel could not be read back at the last try; kept until a read-back succeeds, so that a change
   * applied as a delta in between does not report the table verified.
   */
  private unreadable: string | undefined;
  private readonly status: StatusFile | undefined;
  /** When the kernel last held the rules of the inputs (ms since the epoch). */
  private appliedAt: number | undefined;
  /** Objects the source holds that netpol refuses, at the last read. */
  private invalid = 0;

  constructor(private readonly options: AgentOptions) {
    this.retryDelay = options.retryMs ?? 1000;
    this.status =
      options.statusFile === undefined
        ? undefined
        : new StatusFile(options.statusFile, (message) => this.log('warn', message));
  }

  /** When the kernel last held the rules of the inputs (ms since the epoch); undefined before the first apply. */
  get lastAppliedAt(): number | undefined {
    return this.appliedAt;
  }

  /** Objects left out at the last read because the API server would refuse them. */
  get invalidObjects(): number {
    return this.invalid;
  }

  /** /healthz: the agent runs (a liveness probe restarts it otherwise). */
  live(): ProbeResult {
    return this.stopped ? { ok: false, reason: 'the agent is stopping' } : { ok: true };
  }

  /**
   * /readyz: the kernel holds the rules of the inputs. Not before the first apply (which waits for every cache to
   * list), nor while the source fails or the kernel refuses or cannot be read back: the reason says which.
   */
  ready(): ProbeResult {
    if (this.stopped) return { ok: false, reason: 'the agent is stopping' };
    if (this.appliedAt === undefined)
      return {
        ok: false,
        reason: this.options.source.health().synced
          ? `no rules applied yet${this.trouble === undefined ? '' : `: ${this.trouble.message}`}`
          : 'waiting for every cache to list before the first apply',
      };
    if (this.trouble !== undefined) return { ok: false, reason: this.trouble.message };
    if (!this.options.source.health().synced)
      return { ok: false, reason: 'the source is failing (retrying with backoff); the last rules stay in force' };
    return { ok: true };
  }

  /**
   * Follows the source, applies what it says starting from what the kernel holds, then resyncs. Nothing is applied
   * before the source has started (every cache listed): changes it announces while it lists are read by the first
   * reconcile, never applied from half a cluster.
   */
  async start(): Promise<void> {
    this.options.source.onChange(() => {
      if (this.sourceStarted) this.kick(false);
    });
    await this.options.source.start();
    this.sourceStarted = true;
    if (this.stopped) return;
    await this.enqueue(() => this.reconcile(true));
    const every = this.options.resyncMs ?? 30_000;
    if (every > 0 && !this.stopped) this.resyncTimer = setInterval(() => this.kick(true), every);
  }

  /** Stops following the source. The rules stay in the kernel unless asked to clean up. */
  async stop({ cleanup = false }: { cleanup?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.retryTimer);
    await this.options.source.stop();
    await this.queue;
    this.options.sink.close();
    if (!cleanup) return;
    try {
      const removed = await this.options.sink.remove();
      this.log('info', removed ? 'removed the table' : 'the table was already gone: nothing to clean up');
    } catch (error) {
      this.log('error', `could not remove the table: ${(error as Error).message}`);
    }
  }

  /**
   * Reads the source and the kernel back, and repairs any drift of the kernel from the inputs.
   * Resolves to the number of commands the repair took.
   */
  resync(): Promise<number> {
    return this.enqueue(async () => {
      await this.reconcile(true);
      return this.lastCommands.length;
    });
  }

  /** Runs one piece of work after the others: reconciles and resyncs never overlap. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Asks for a reconcile; asks that come before it starts join it. */
  private kick(readBack: boolean): void {
    if (this.stopped) return;
    if (this.queued !== undefined) {
      this.queued.readBack ||= readBack;
      return;
    }
    const ask = (this.queued = { readBack });
    void this.enqueue(async () => {
      this.queued = undefined;
      if (!this.stopped) await this.reconcile(ask.readBack);
    });
  }

  /**
   * One turn: read the source, render, and bring the kernel to it. `readBack`: compare with what the
   * kernel holds rather than with what was last committed. Never throws: what fails is logged,
   * reported, and tried again.
   */
  private async reconcile(readBack: boolean): Promise<void> {
    const started = performance.now();
    let snapshot: SourceSnapshot;
    let ruleset: NftRuleset;
    let waitedMs: number | undefined;
    try {
      waitedMs = this.options.source.health().watchLagMs;
      snapshot = this.options.source.read();
      this.invalid = byObject(snapshot.problems).size;
      const desired = this.options.reconciler.desired(snapshot);
      ruleset = desired.ruleset;
      this.noteInputs(snapshot, domainRules(desired.cluster));
    } catch (error) {
      return this.failed(`reading and rendering the inputs failed: ${(error as Error).message}`);
    }
    const outcome = await this.enforce(ruleset, readBack);
    if (!outcome.enforced) return this.failed(outcome.why, snapshot);
    this.appliedAt = Date.now();
    const elapsedMs = performance.now() - started;
    this.options.metrics?.reconciled('success', elapsedMs / 1000);
    if (waitedMs !== undefined) this.options.metrics?.changeApplied((waitedMs + elapsedMs) / 1000);
    const failures = snapshot.failures ?? [];
    const remaining = [
      ...(outcome.unverified !== undefined ? [outcome.unverified] : []),
      ...(failures.length > 0
        ? [`${plural(failures.length, 'input')} cannot be read: ${describeFailure(failures[0]!)}`]
        : []),
    ].join('; ');
    if (remaining === '') this.recovered();
    else this.trouble ??= { message: remaining, since: Date.now() };
    if (outcome.unverified !== undefined) this.retry();
    else this.retryDelay = this.options.retryMs ?? 1000;
    this.report(snapshot, performance.now() - started, remaining || undefined);
    this.options.onReconciled?.(this.lastCommands, snapshot);
  }

  /**
   * Brings the kernel to the ruleset, repairing on the way what can be repaired. `unverified`: the
   * rules went in, but the kernel could not be read back to check the rest of the table.
   */
  private async enforce(
    desired: NftRuleset,
    readBack: boolean,
  ): Promise<{ enforced: true; unverified?: string } | { enforced: false; why: string }> {
    const { reconciler, sink } = this.options;
    const trusted = this.applied;
    if (trusted !== undefined && !readBack) {
      if (await this.commit(reconciler.delta(trusted, desired), desired, 'the kernel refused the delta'))
        return this.unreadable === undefined ? { enforced: true } : { enforced: true, unverified: this.unreadable };
    }
    let view;
    try {
      view = await sink.read(desired);
      this.unreadable = undefined;
    } catch (error) {
      const unverified = `cannot read the kernel back: ${(error as Error).message}`;
      this.unreadable = unverified;
      this.log('error', unverified);
      // What was committed last is still known: the change goes in as a delta from it; else the table is made whole.
      const done =
        trusted !== undefined && this.applied !== undefined
          ? await this.commit(reconciler.delta(trusted, desired), desired, 'the kernel refused the delta')
          : await this.replace(desired, 'the kernel cannot be read back');
      return done ? { enforced: true, unverified } : { enforced: false, why: unverified };
    }
    if (view !== undefined && view.irreparable.length > 0) {
      const why = `no delta can repair the table: ${view.irreparable.join('; ')}`;
      return (await this.replace(desired, why)) ? { enforced: true } : { enforced: false, why };
    }
    const commands = reconciler.delta(view?.ruleset, desired);
    if (trusted !== undefined && (view === undefined || (readBack && commands.length > 0))) {
      // The kernel was changed under the agent: its repair is a recovery, and said as one.
      const drift = view === undefined ? 'the table is gone from the kernel' : 'the kernel drifted from the inputs';
      this.trouble ??= { message: drift, since: Date.now() };
      this.log('warn', `${drift}: repairing it with ${plural(commands.length, 'command')}`, {
        commands: commands.length,
      });
    }
    if (await this.commit(commands, desired, 'the kernel refused the repair')) return { enforced: true };
    const why = 'the kernel refused the repair';
    return (await this.replace(desired, why)) ? { enforced: true } : { enforced: false, why };
  }

  private async commit(commands: readonly string[], desired: NftRuleset, refusal: string): Promise<boolean> {
    const started = performance.now();
    try {
      await this.options.sink.commit(commands);
    } catch (error) {
      // Whether anything was committed only the kernel knows now.
      this.applied = undefined;
      this.trouble ??= { message: `${refusal}: ${(error as Error).message}`, since: Date.now() };
      this.log('warn', `${refusal} (${firstLine((error as Error).message)}): reading the kernel back to repair it`);
      return false;
    }
    this.applied = desired;
    this.lastCommands = commands;
    if (commands.length > 0) {
      this.transactions++;
      this.options.metrics?.committed('delta', commands.length);
      this.log('info', `applied ${plural(commands.length, 'command')} in one transaction`, {
        commands: commands.length,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
    return true;
  }

  /** The last resort: the whole table in one transaction, as it should be. */
  private async replace(desired: NftRuleset, why: string): Promise<boolean> {
    this.log('warn', `${why}: replacing the table whole, in one transaction`);
    try {
      await this.options.sink.replace(desired);
    } catch (error) {
      this.applied = undefined;
      this.log('error', `replacing the table failed: ${firstLine((error as Error).message)}`);
      return false;
    }
    this.applied = desired;
    this.lastCommands = [];
    this.transactions++;
    this.options.metrics?.committed('replace', 0);
    return true;
  }

  /** Logs what is wrong with the inputs once, when it appears, and says when it is gone. */
  private noteInputs(snapshot: SourceSnapshot, unenforced: readonly string[]): void {
    const now = new Map<string, () => void>();
    for (const [object, diagnostics] of byObject(snapshot.problems)) {
      const at = diagnostics[0]!.location;
      const refused = 'this version is not enforced, as the API server would refuse it';
      const msg = `${formatInvalidObject(object, diagnostics)}: ${refused}`;
      now.set(`${formatLocation(at)} ${msg}`, () => this.log('warn', msg, undefined, at));
    }
    for (const failure of snapshot.failures ?? []) {
      const msg = `${failure.message}: what this input held at its last good read stays in force`;
      now.set(`${formatLocation(failure.location)} ${msg}`, () => this.log('error', msg, undefined, failure.location));
    }
    for (const [key, say] of now) if (!this.reported.has(key)) say();
    if (this.reported.size > 0 && now.size === 0) this.log('info', 'every input reads and validates again');
    this.reported.clear();
    for (const key of now.keys()) this.reported.add(key);
    const names = unenforced.join(', ');
    if (names !== this.unenforced && names !== '')
      this.log('warn', `not enforced: rules of DNS names, which only a DNS proxy could match: ${names}`);
    this.unenforced = names;
  }

  private failed(message: string, snapshot?: SourceSnapshot): void {
    this.options.metrics?.reconciled('error');
    this.trouble ??= { message, since: Date.now() };
    this.log('error', `${message}; trying again`);
    this.retry();
    this.report(snapshot, 0, message);
  }

  /** A failure is tried again soon, then less often, until a resync would come anyway. */
  private retry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const ceiling = Math.min(this.options.resyncMs || 30_000, 30_000);
    const delay = Math.min(this.retryDelay, ceiling);
    this.retryDelay = Math.min(this.retryDelay * 2, ceiling);
    this.retryTimer = setTimeout(() => this.kick(true), delay);
  }

  private recovered(): void {
    if (this.trouble === undefined) return;
    const seconds = ((Date.now() - this.trouble.since) / 1000).toFixed(1);
    this.log('info', `recovered: the table holds the rules of the inputs again, after ${seconds} s of trouble`, {
      troubleSeconds: Number(seconds),
    });
    this.trouble = undefined;
    clearTimeout(this.retryTimer);
  }

  private report(snapshot: SourceSnapshot | undefined, applyMs: number, error: string | undefined): void {
    if (this.status === undefined) return;
    let inputsHash = '';
    let problems: string[] = [];
    try {
      inputsHash = snapshot?.version ?? '';
      problems = [...byObject(snapshot?.problems ?? [])]
        .slice(0, PROBLEMS_IN_STATUS)
        .map(([object, d]) => `${formatLocation(d[0]!.location)}: ${formatInvalidObject(object, d)}`);
    } catch {
      // A snapshot read over since: the status says what it can.
    }
    const status: AgentStatus = {
      inputsHash,
      applied: this.transactions,
      lastCommands: this.lastCommands.length,
      lastApplyMs: applyMs,
      ...(error !== undefined ? { error } : {}),
      ...(problems.length > 0 ? { problems } : {}),
      time: new Date().toISOString(),
    };
    this.status.write(status);
  }

  private log(
    level: LogEntry['level'],
    msg: string,
    fields?: LogEntry['fields'],
    location?: LogEntry['location'],
  ): void {
    this.options.log?.({ level, msg, ...(fields ? { fields } : {}), ...(location ? { location } : {}) });
  }
}

function byObject(problems: readonly Diagnostic[]): Map<Diagnostic['object'], Diagnostic[]> {
  const out = new Map<Diagnostic['object'], Diagnostic[]>();
  for (const problem of problems) {
    const list = out.get(problem.object);
    if (list === undefined) out.set(problem.object, [problem]);
    else list.push(problem);
  }
  return out;
}

const describeFailure = (failure: LoadProblem): string => `${formatLocation(failure.location)}: ${failure.message}`;

const firstLine = (text: string): string => text.split('\n')[0]!;

/** The rules of DNS names, which nftables cannot match: the agent says it leaves them out. */
function domainRules(cluster: Cluster): string[] {
  return [...cluster.tiers.admin, ...cluster.tiers.baseline].flatMap((policy) =>
    [...(policy.ingress ?? []), ...(policy.egress ?? [])]
      .filter((rule) => rule.peers !== 'any' && rule.peers.some((p) => p.kind === 'domains'))
      .map((rule) => ruleName(rule.ref)),
  );
}
