import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the metrics read from the controller when they are scraped. */
export interface ControllerReadings {
  /** Keys waiting for a worker. */
  queueDepth(): number;
  /** Keys waiting out a retry delay. */
  retryDepth(): number;
  /** When the last reconcile succeeded (ms since the epoch); undefined before the first. */
  lastSuccessAt(): number | undefined;
  /** Every watch cache has listed and none is failing. */
  synced(): boolean;
}

export type ReconcileResult = 'success' | 'error';

/**
 * A controller's metrics in the Prometheus text format, named as controller-runtime names its own
 * (reconcile totals by result, errors, work queue depth and retries), with the age of the last successful
 * reconcile for alerts on a controller that has stopped making progress, and Node's process metrics. Each
 * controller has its own registry, so that several can run in one process (tests).
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconciles: Counter<'controller' | 'result'>;
  private readonly errors: Counter<'controller'>;
  private readonly retries: Counter<'controller'>;
  private readonly duration: Histogram<'controller'>;

  constructor(
    private readonly controller: string,
    readings: ControllerReadings,
  ) {
    const registers = [this.registry];
    const labelNames = ['controller'] as const;
    this.reconciles = new Counter({
      name: 'netpol_controller_reconcile_total',
      help: 'Reconciles, by result.',
      labelNames: ['controller', 'result'],
      registers,
    });
    for (const result of ['success', 'error'] as const) this.reconciles.inc({ controller, result }, 0);
    this.errors = new Counter({
      name: 'netpol_controller_reconcile_errors_total',
      help: 'Reconciles that failed and were queued again with backoff.',
      labelNames,
      registers,
    });
    this.errors.inc({ controller }, 0);
    this.retries = new Counter({
      name: 'netpol_controller_workqueue_retries_total',
      help: 'Keys queued again after a failure.',
      labelNames,
      registers,
    });
    this.retries.inc({ controller }, 0);
    this.duration = new Histogram({
      name: 'netpol_controller_reconcile_duration_seconds',
      help: 'How long one reconcile took.',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number | undefined): void =>
      readingGauge(this.registry, name, help, { controller }, read);
    gauge('netpol_controller_workqueue_depth', 'Keys waiting for a worker.', () => readings.queueDepth());
    gauge('netpol_controller_workqueue_retry_depth', 'Keys waiting out a retry delay.', () => readings.retryDepth());
    gauge(
      'netpol_controller_last_reconcile_age_seconds',
      'Seconds since the last successful reconcile; absent before the first.',
      () => {
        const at = readings.lastSuccessAt();
        return at === undefined ? undefined : (Date.now() - at) / 1000;
      },
    );
    gauge('netpol_controller_source_synced', '1 when every watch cache has listed and none is failing.', () =>
      readings.synced() ? 1 : 0,
    );
    collectDefaultMetrics({ register: this.registry });
  }

  reconciled(result: ReconcileResult, seconds: number): void {
    this.reconciles.inc({ controller: this.controller, result });
    this.duration.observe({ controller: this.controller }, seconds);
    if (result === 'error') {
      this.errors.inc({ controller: this.controller });
      this.retries.inc({ controller: this.controller });
    }
  }
}

/**
 * A gauge whose value is read when it is scraped, with fixed labels; absent from the scrape while `read` says
 * undefined (an age before the first event). The controller and the node agent make theirs with it.
 */
export function readingGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labels: Readonly<Record<L, string>>,
  read: () => number | undefined,
): void {
  new Gauge<L>({
    name,
    help,
    labelNames: Object.keys(labels) as L[],
    registers: [registry],
    collect() {
      const value = read();
      if (value === undefined) this.remove(labels as Record<L, string>);
      else this.set(labels as Record<L, string>, value);
    },
  });
}
