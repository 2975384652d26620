import { Backoff, type BackoffOptions } from './backoff.js';

export interface WorkQueueOptions {
  /**
   * The per-key delay after failures: exponential with jitter, reset by `forget`. By default 100 ms doubling to
   * 5 minutes, each delay stretched by up to half at random.
   */
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
}

/**
 * The work queue of a controller, as client-go's rate-limited work queue behaves: keys, not events, so a burst of
 * events about one object is one reconcile; a key is handed to one worker at a time, and a key added while it is
 * being worked on is worked on again once, after; failures are retried after a per-key exponential backoff with
 * jitter, which success resets. As in client-go, a new event for a key that is waiting out its backoff is worked
 * on at once (the object changed: the retry may succeed now), except while the server's Retry-After runs: a
 * throttled key waits as long as the API server asked, whatever happens meanwhile.
 */
export class WorkQueue<K> {
  private readonly ready: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly delayed = new Map<K, { readonly at: number; readonly timer: NodeJS.Timeout }>();
  private readonly failures = new Map<K, Backoff>();
  /** Until when (ms since the epoch) the API server asked not to be asked about the key again. */
  private readonly holds = new Map<K, number>();
  private readonly waiters: ((key: K | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(private readonly options: WorkQueueOptions = {}) {}

  /** Queues the key, unless it is queued already; a key being worked on is queued again when it is done. */
  add(key: K): void {
    const hold = this.holds.get(key);
    if (hold !== undefined && hold > Date.now()) return this.addAfter(key, hold - Date.now());
    this.addNow(key);
  }

  private addNow(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Queues the key after a delay; of two delays for one key, the earlier stands. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.addNow(key);
    }, delayMs);
    this.delayed.set(key, { at, timer });
  }

  /** Queues the key after its next backoff delay, never sooner than `floorMs`; returns the delay. */
  addRateLimited(key: K, floorMs = 0): number {
    let backoff = this.failures.get(key);
    if (backoff === undefined) {
      backoff = new Backoff(
        { initialMs: 100, maxMs: 300_000, jitter: 0.5, ...this.options.backoff },
        this.options.random,
      );
      this.failures.set(key, backoff);
    }
    const delay = backoff.next(floorMs);
    if (floorMs > 0) this.holds.set(key, Date.now() + delay);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its next failure starts the backoff again. */
  forget(key: K): void {
    this.failures.delete(key);
    this.holds.delete(key);
  }

  /** How many times in a row the key has failed. */
  retries(key: K): number {
    return this.failures.get(key)?.failures ?? 0;
  }

  /** The next key to work on, once there is one; undefined when the queue shuts down. */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    if (this.ready.length > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker is done with the key: it is queued again if it was added meanwhile. */
  done(key: K): void {
    this.processing.delete(key);
    if (!this.dirty.has(key)) return;
    const hold = this.holds.get(key);
    if (hold !== undefined && hold > Date.now()) {
      this.dirty.delete(key);
      this.addAfter(key, hold - Date.now());
    } else {
      this.push(key);
    }
  }

  /** Keys waiting for a worker (not those waiting for a delay): the queue depth. */
  get length(): number {
    return this.ready.length;
  }

  /** Keys waiting for a delay, as retries are. */
  get delayedCount(): number {
    return this.delayed.size;
  }

  /** Hands out nothing more (a stopping controller does not drain): waiting workers get undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private push(key: K): void {
    this.ready.push(key);
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(this.take());
  }

  private take(): K {
    const key = this.ready.shift()!;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
