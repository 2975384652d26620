import { type FSWatcher, existsSync, readdirSync, renameSync, statSync, watch, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type EngineOptions, defaultEngineOptions } from '../policy/evaluate.js';
import { ClusterBuilder } from '../model/cluster-builder.js';
import { type CachedInputs, InputCache } from '../model/input-cache.js';
import type { Semantics } from '../policy/legacy.js';
import { MembershipCache } from '../render/membership.js';
import { type NftRuleset, buildNftRuleset } from '../render/nftables.js';
import { rulesetDelta } from './delta.js';
import { asRuleset, readKernelRuleset } from './kernel.js';
import { inNetns, runOk } from './exec.js';
import { NftSession, SESSION_LINE_LIMIT } from './nft-session.js';
import { plural } from '../util/plural.js';

export interface AgentOptions {
  readonly paths: readonly string[];
  /** Globs of files and directories under `paths` to leave out, as `--exclude` takes them. */
  readonly exclude?: readonly string[];
  readonly node: string;
  readonly netns?: string;
  readonly table?: string;
  /** Overrides the node's spec.podCIDRs. */
  readonly podCIDRs?: readonly string[];
  readonly engine?: EngineOptions;
  readonly semantics?: Semantics;
  /** How often the kernel is read back and drift repaired; 0 turns it off. */
  readonly resyncMs?: number;
  /** Where the agent reports what it applied, for the lab and for operators. */
  readonly statusFile?: string;
  readonly log?: (line: string) => void;
  /**
   * Called after each reconcile that rendered a ruleset, with the transaction it committed (maybe
   * empty) and the files it was told had changed (undefined: it looked at every file).
   */
  readonly onReconciled?: (commands: readonly string[], files: ReadonlySet<string> | undefined) => void;
}

export interface AgentStatus {
  /** The digest of the inputs the applied ruleset was rendered from: sha256 over each file's sha256, in file order (`inputsDigest`). */
  readonly inputsHash: string;
  readonly applied: number;
  readonly lastCommands: number;
  readonly lastApplyMs: number;
  readonly error?: string;
}

/**
 * Keeps one node's nftables table in step with its inputs. Every change is
 * one atomic transaction of deltas, through the agent's `nft -i` session:
 * set and map elements added and removed, and only the chains whose rules
 * changed refilled. The table and
 * its base chains are never deleted while the agent runs. Invalid input is
 * reported and never applied: the last good rules stay.
 */
export class NodeAgent {
  private desired: NftRuleset | undefined;
  private applied = 0;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Reconciles and resyncs, one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Whether a reconcile is queued that has not yet taken the dirty files. */
  private scheduled = false;
  private stopped = false;
  private session: NftSession | undefined;
  private readonly inputs: InputCache;
  private readonly membership = new MembershipCache();
  private readonly clusters: ClusterBuilder;
  /** Files the watchers reported since the last reconcile; undefined when any file may have changed. */
  private dirty: Set<string> | undefined = new Set();
  /** The last inputs read, whose digest is reported (and only then computed). */
  private lastInputs: CachedInputs | undefined;
  /** The commands of the last transaction, for tests and logs. */
  lastCommands: readonly string[] = [];

  constructor(private readonly options: AgentOptions) {
    this.clusters = new ClusterBuilder({ semantics: options.semantics });
    this.inputs = new InputCache(options.exclude);
  }

  private get table(): string {
    return this.options.table ?? 'netpol';
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Applies the inputs once, starting from what the kernel holds, then watches and resyncs. */
  async start(): Promise<void> {
    await this.enqueue(() => this.reconcile());
    this.session = new NftSession(this.options.netns);
    for (const path of this.options.paths) this.watch(path);
    const every = this.options.resyncMs ?? 30_000;
    if (every > 0)
      this.timer = setInterval(() => void this.resync().catch((error: Error) => this.failed(error)), every);
  }

  /** Stops watching. The rules stay in the kernel unless asked to clean up. */
  stop({ cleanup = false }: { cleanup?: boolean } = {}): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearInterval(this.timer);
    this.session?.close();
    if (cleanup) runOk(inNetns(this.options.netns, ['nft', 'delete', 'table', 'inet', this.table]));
  }

  /**
   * Looks at every input file, in case a watcher missed an event, then reads
   * the kernel back and repairs any drift from the last applied ruleset.
   * Resolves to the number of commands the repair took.
   */
  resync(): Promise<number> {
    return this.enqueue(async () => {
      await this.reconcile();
      const desired = this.desired as NftRuleset | undefined;
      if (desired === undefined) return 0;
      const commands = rulesetDelta(this.kernelAs(desired), desired);
      if (commands.length > 0) {
        this.log(`repairing drift: ${plural(commands.length, 'command')}`);
        await this.apply(commands);
      }
      return commands.length;
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

  /**
   * Reads the inputs, renders, and applies the difference to the last applied
   * ruleset. `changed` names the files that changed; without it, every file is checked.
   */
  private async reconcile(changed?: ReadonlySet<string>): Promise<void> {
    const started = performance.now();
    const inputs = this.inputs.read(this.options.paths, this.desired === undefined ? undefined : changed);
    const previous = this.lastInputs;
    const unchanged =
      changed !== undefined &&
      this.desired !== undefined &&
      inputs.change.added.length === 0 &&
      inputs.change.removed.length === 0;
    // Files that are not inputs (an editor's temporary file), or were written again unchanged: nothing to do.
    if (unchanged && previous?.valid === true && inputs.valid) return;
    this.lastInputs = inputs;
    if (!inputs.valid) {
      const problems = [...inputs.load.problems.map((p) => p.message), ...inputs.diagnostics.map((d) => d.message)];
      this.log(`invalid input, keeping the last applied rules: ${problems.slice(0, 3).join('; ')}`);
      this.report({ error: `invalid input: ${problems[0]}` });
      return;
    }
    // The builder built from the previous inputs only if they were valid; else the change is against inputs it never saw.
    const cluster = this.clusters.build(
      () => inputs.load.objects,
      previous?.valid === true ? inputs.change : undefined,
    );
    const desired = buildNftRuleset(cluster, {
      node: this.options.node,
      table: this.table,
      podCIDRs: this.options.podCIDRs ?? cluster.nodes.get(this.options.node)?.podCIDRs ?? [],
      engine: this.options.engine ?? defaultEngineOptions,
      membership: this.membership,
    });
    // The first time, start from the kernel: a restarted agent picks up where the last one stopped.
    const from = this.desired ?? this.kernelAs(desired);
    await this.apply(rulesetDelta(from, desired));
    this.desired = desired;
    this.report({ lastApplyMs: performance.now() - started });
    this.options.onReconciled?.(this.lastCommands, changed);
  }

  private kernelAs(desired: NftRuleset): NftRuleset | undefined {
    const kernel = readKernelRuleset(this.table, this.options.netns);
    return kernel === undefined ? undefined : asRuleset(kernel, desired);
  }

  /** One transaction: a delta through the agent's nft session, a whole table through `nft -f`. */
  private async apply(commands: readonly string[]): Promise<void> {
    this.lastCommands = commands;
    if (commands.length === 0) return;
    if (commands.reduce((n, c) => n + c.length + 2, 0) <= SESSION_LINE_LIMIT && this.session !== undefined) {
      if (!this.session.alive) this.session = new NftSession(this.options.netns);
      try {
        await this.session.apply(commands);
      } catch (error) {
        // The session died with the batch in hand: whether it was committed, only the kernel knows.
        if (!this.session.alive) this.desired = undefined;
        throw error;
      }
    } else {
      runOk(inNetns(this.options.netns, ['nft', '-f', '-']), `${commands.join('\n')}\n`);
    }
    this.applied++;
    this.log(`applied ${plural(commands.length, 'command')} in one transaction`);
  }

  private watch(path: string): void {
    if (existsSync(path) && statSync(path).isDirectory()) return this.watchDirectory(path);
    // A file is watched through its directory: editors and the lab replace files by renaming.
    const name = basename(path);
    this.watchers.push(
      watch(dirname(path), (_event, changed) => {
        if (changed === null) this.schedule(undefined);
        else if (changed === name) this.schedule(path);
      }),
    );
  }

  /**
   * One watcher per directory of the tree, set up before this returns. Node's recursive
   * watch on Linux walks the tree asynchronously and misses what changes meanwhile.
   */
  private watchDirectory(directory: string): void {
    this.watchers.push(
      watch(directory, (_event, changed) => {
        if (changed === null) return this.schedule(undefined);
        const path = join(directory, changed);
        if (existsSync(path) && statSync(path).isDirectory()) {
          this.watchDirectory(path);
          return this.schedule(undefined);
        }
        this.schedule(path);
      }),
    );
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) this.watchDirectory(join(directory, entry.name));
    }
  }

  private schedule(file: string | undefined): void {
    if (file === undefined) this.dirty = undefined;
    else this.dirty?.add(file);
    this.kick();
  }

  /** Coalesces bursts of events into one reconcile, without a fixed delay. */
  private kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    void this.enqueue(async () => {
      // A rename is several events in one go: let them all arrive, then take them together.
      await new Promise((resolve) => setImmediate(resolve));
      // Events that come in from here on schedule the next reconcile.
      this.scheduled = false;
      const changed = this.dirty;
      this.dirty = new Set();
      if (this.stopped || changed?.size === 0) return;
      await this.reconcile(changed);
    }).catch((error: Error) => this.failed(error));
  }

  private failed(error: Error): void {
    this.log(`apply failed, will retry on the next change or resync: ${error.message}`);
    this.report({ error: error.message });
  }

  /** Writes the status file, if there is one; the inputs' digest is computed only here. */
  private report(status: Partial<Omit<AgentStatus, 'inputsHash'>>): void {
    if (this.options.statusFile === undefined) return;
    const full: AgentStatus = {
      inputsHash: this.lastInputs?.digest ?? '',
      applied: this.applied,
      lastCommands: this.lastCommands.length,
      lastApplyMs: 0,
      ...status,
    };
    const temporary = `${this.options.statusFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(full));
    renameSync(temporary, this.options.statusFile);
  }
}
