import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { readingGauge } from '../controller/metrics.js';
import type { SourceHealth } from '../controller/source.js';

/** What the node agent tells its metrics as it works. */
export interface AgentMetricsRecorder {
  /** One reconcile ended: the kernel holds the inputs' rules (success, and how long it took) or not (error). */
  reconciled(result: 'success' | 'error', seconds?: number): void;
  /** A transaction went into the kernel: a delta of `commands` commands, or the whole table. */
  committed(how: 'delta' | 'replace', commands: number): void;
  /** A change the source received reached the kernel this long after it arrived. */
  changeApplied(seconds: number): void;
}

/** What the metrics read from the agent and its source when they are scraped. */
export interface AgentReadings {
  /** When the kernel last held the rules of the inputs (ms since the epoch); undefined before the first time. */
  lastAppliedAt(): number | undefined;
  /** Objects the source holds that netpol refuses. */
  invalidObjects(): number;
  source(): SourceHealth;
}

/**
 * The node agent's metrics in the Prometheus text format, labelled `node`: reconciles by result, transactions
 * and their commands, the age of the last apply, how long changes wait, the source's health (synced, errors,
 * watch lag, last event), and Node's process metrics. Each agent has its own registry (tests run several).
 */
export class AgentMetrics implements AgentMetricsRecorder {
  readonly registry = new Registry();
  private readonly reconciles: Counter<'node' | 'result'>;
  private readonly errors: Counter<'node'>;
  private readonly duration: Histogram<'node'>;
  private readonly transactions: Counter<'node' | 'kind'>;
  private readonly commands: Counter<'node'>;
  private readonly changeLatency: Histogram<'node'>;

  constructor(
    private readonly node: string,
    readings: AgentReadings,
  ) {
    const registers = [this.registry];
    const labels = { node };
    this.reconciles = new Counter({
      name: 'netpol_agent_reconcile_total',
      help: "Reconciles of the node's table with the inputs, by result.",
      labelNames: ['node', 'result'],
      registers,
    });
    for (const result of ['success', 'error'] as const) this.reconciles.inc({ node, result }, 0);
    this.errors = new Counter({
      name: 'netpol_agent_reconcile_errors_total',
      help: 'Reconciles that left the kernel without the rules of the inputs, tried again with backoff.',
      labelNames: ['node'],
      registers,
    });
    this.errors.inc(labels, 0);
    this.duration = new Histogram({
      name: 'netpol_agent_reconcile_duration_seconds',
      help: 'One reconcile: read the source, render, commit (and read back on resyncs).',
      labelNames: ['node'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.transactions = new Counter({
      name: 'netpol_agent_transactions_total',
      help: 'Transactions committed to the kernel: deltas, or the whole table replaced.',
      labelNames: ['node', 'kind'],
      registers,
    });
    for (const kind of ['delta', 'replace'] as const) this.transactions.inc({ node, kind }, 0);
    this.commands = new Counter({
      name: 'netpol_agent_delta_commands_total',
      help: 'nft commands of the deltas committed (elements added and removed, chains refilled).',
      labelNames: ['node'],
      registers,
    });
    this.commands.inc(labels, 0);
    this.changeLatency = new Histogram({
      name: 'netpol_agent_change_to_commit_seconds',
      help: "From a change the source received (a watch event, a file's) to the commit that applied it.",
      labelNames: ['node'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number | undefined): void =>
      readingGauge(this.registry, name, help, labels, read);
    gauge(
      'netpol_agent_last_applied_age_seconds',
      'Seconds since the kernel last held the rules of the inputs; absent before the first apply.',
      () => {
        const at = readings.lastAppliedAt();
        return at === undefined ? undefined : (Date.now() - at) / 1000;
      },
    );
    gauge(
      'netpol_agent_watch_lag_seconds',
      'How long the oldest change the source received has waited to be applied; 0 when none waits.',
      () => (readings.source().watchLagMs ?? 0) / 1000,
    );
    gauge(
      'netpol_agent_last_event_age_seconds',
      'Seconds since the last event on any watch (bookmarks included); absent before the first.',
      () => {
        const age = readings.source().lastEventAgeMs;
        return age === undefined ? undefined : age / 1000;
      },
    );
    gauge('netpol_agent_source_synced', '1 when every watch cache has listed and none is failing.', () =>
      readings.source().synced ? 1 : 0,
    );
    let errorsSeen = 0;
    new Counter({
      name: 'netpol_agent_source_errors_total',
      help: 'Failed lists, watches and discovery requests of the source (files: failed reads).',
      labelNames: ['node'],
      registers,
      collect() {
        const errors = readings.source().errors;
        this.inc(labels, Math.max(0, errors - errorsSeen));
        errorsSeen = Math.max(errors, errorsSeen);
      },
    });
    gauge('netpol_agent_invalid_objects', 'Objects left out because the API server would refuse them.', () =>
      readings.invalidObjects(),
    );
    collectDefaultMetrics({ register: this.registry });
  }

  reconciled(result: 'success' | 'error', seconds?: number): void {
    this.reconciles.inc({ node: this.node, result });
    if (seconds !== undefined) this.duration.observe({ node: this.node }, seconds);
    if (result === 'error') this.errors.inc({ node: this.node });
  }

  committed(how: 'delta' | 'replace', commands: number): void {
    this.transactions.inc({ node: this.node, kind: how });
    if (how === 'delta') this.commands.inc({ node: this.node }, commands);
  }

  changeApplied(seconds: number): void {
    this.changeLatency.observe({ node: this.node }, seconds);
  }
}
