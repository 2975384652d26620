import { KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch } from '@kubernetes/client-node';
import { type JSONObject, isJSONObject } from '../util/json.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { KubeRequestError, ResilientWatch, getJSON } from './kube-http.js';
import {
  FOLLOWED_KINDS,
  type FollowedKind,
  type ServedResource,
  apiVersionOf,
  collectionPath,
  discoverFollowed,
  qualifiedName,
} from './kube-resources.js';
import { type HeldObject, SnapshotBuilder, withoutManagedFields } from './snapshot-builder.js';
import type { PolicySource, SourceHealth, SourceSnapshot } from './source.js';

export interface KubeSourceOptions {
  /** A kubeconfig file; without one (and without `config`), the in-cluster service account is used. */
  readonly kubeconfig?: string;
  /** A context of the kubeconfig instead of its current one. */
  readonly context?: string;
  /** A KubeConfig made by the caller, instead of `kubeconfig`. */
  readonly config?: KubeConfig;
  /** What to follow: everything the agent's cluster model reads by default (FOLLOWED_KINDS). */
  readonly kinds?: readonly FollowedKind[];
  /** How often discovery is asked again, so a CRD that appears later is followed: 30 s by default. */
  readonly discoveryIntervalMs?: number;
  /** Objects per list request (`limit`); the rest comes with continue tokens. */
  readonly pageSize?: number;
  /** How long a request may wait for its response headers. */
  readonly requestTimeoutMs?: number;
  /** The `timeoutSeconds` of each watch: by default 5 to 10 minutes at random, as client-go picks. */
  readonly watchTimeoutSeconds?: number;
  readonly backoff?: BackoffOptions;
  /** Failures (a request refused, a watch cut, discovery failing) come at `warn`, the rest at `info`. */
  readonly log?: (message: string, level: 'info' | 'warn') => void;
}

/** Reads a kubeconfig as kubectl would: the file, then the context asked for. */
export function loadKubeConfig(options: Pick<KubeSourceOptions, 'kubeconfig' | 'context' | 'config'>): KubeConfig {
  if (options.config !== undefined) return options.config;
  const config = new KubeConfig();
  if (options.kubeconfig === undefined) {
    config.loadFromCluster();
    return config;
  }
  loadKubeconfigFile(config, options.kubeconfig);
  if (options.context !== undefined) {
    if (!config.getContexts().some((c) => c.name === options.context)) {
      throw new Error(`${options.kubeconfig}: context "${options.context}" not found`);
    }
    config.setCurrentContext(options.context);
  }
  if (config.getCurrentCluster() === null) throw new Error(`${options.kubeconfig}: no current context with a cluster`);
  return config;
}

/** Reads a kubeconfig file into `config`; a file that cannot be read or parsed is named in the error. */
export function loadKubeconfigFile(config: KubeConfig, file: string): void {
  try {
    config.loadFromFile(file);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot read the kubeconfig ${file}: ${reason.replace(/^ENOENT: /, '')}`, { cause: e });
  }
}

/**
 * The cluster as the API server holds it, through @kubernetes/client-node informers (ListWatch): each followed
 * kind is listed in chunks, then watched from the list's resourceVersion with bookmarks; a 410 relists, any
 * other failure is retried with exponential backoff and jitter, and the informer's cache carries on from
 * where it was. The tier kinds and Ironcore's are followed when discovery serves them, checked again every
 * `discoveryIntervalMs`.
 */
export class KubeSource implements PolicySource {
  private readonly config: KubeConfig;
  private readonly kinds: readonly FollowedKind[];
  private readonly followed = new Map<string, FollowedInformer>();
  private readonly listeners: (() => void)[] = [];
  private readonly builder = new SnapshotBuilder();
  /** What changed since the last read, by key: the object's new version, or undefined when it went. */
  private pending = new Map<string, HeldObject | undefined>();
  private readonly logAt: (message: string, level: 'info' | 'warn') => void;
  private errorCount = 0;
  private lastEventAt: number | undefined;
  private unreadSince: number | undefined;
  private notifyQueued = false;
  private discoveryTimer: NodeJS.Timeout | undefined;
  private discovering = false;
  private discoveryWait: NodeJS.Timeout | undefined;
  private wakeDiscovery: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: KubeSourceOptions = {}) {
    this.config = loadKubeConfig(options);
    this.kinds = options.kinds ?? FOLLOWED_KINDS;
    this.logAt = options.log ?? (() => {});
  }

  async start(): Promise<void> {
    const served = await this.discoverUntilAnswered();
    const missing = this.kinds.filter(
      (k) => k.required && !served.some((s) => s.kind === k.kind && apiVersionOf(s) === apiVersionOf(k)),
    );
    if (missing.length > 0) {
      const names = missing.map((k) => `${k.kind} (${apiVersionOf(k)})`).join(', ');
      throw new Error(`${this.config.getCurrentCluster()?.server}: the API server does not serve ${names}`);
    }
    for (const resource of served) this.follow(resource);
    await Promise.all([...this.followed.values()].map((f) => f.synced));
    if (this.stopped) return;
    this.discoveryTimer = setInterval(() => void this.rediscover(), this.options.discoveryIntervalMs ?? 30_000);
  }

  private log(message: string, level: 'info' | 'warn' = 'info'): void {
    this.logAt(message, level);
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  read(): SourceSnapshot {
    this.unreadSince = undefined;
    const changes = this.pending;
    this.pending = new Map();
    return this.builder.apply(changes);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.discoveryTimer);
    clearTimeout(this.discoveryWait);
    this.wakeDiscovery?.();
    await Promise.all([...this.followed.values()].map((f) => f.stop()));
  }

  health(): SourceHealth {
    const now = Date.now();
    const followed = [...this.followed.values()];
    return {
      synced: followed.length > 0 && followed.every((f) => f.isSynced()),
      ...(this.lastEventAt !== undefined ? { lastEventAgeMs: now - this.lastEventAt } : {}),
      errors: this.errorCount,
      ...(this.unreadSince !== undefined ? { watchLagMs: now - this.unreadSince } : {}),
      resources: [...this.followed.keys()].sort(),
    };
  }

  private follow(resource: ServedResource): void {
    const name = qualifiedName(resource);
    if (this.followed.has(name)) return;
    this.log(`following ${name}`);
    const followed = new FollowedInformer(resource, this.config, this.options, {
      changed: (key, held) => {
        this.pending.set(key, held);
        this.changed();
      },
      event: () => (this.lastEventAt = Date.now()),
      failed: (error) => {
        this.errorCount++;
        this.log(`${name}: ${error instanceof Error ? error.message : String(error)}`, 'warn');
      },
    });
    this.followed.set(name, followed);
    followed.start();
  }

  private async unfollow(name: string): Promise<void> {
    const followed = this.followed.get(name);
    if (followed === undefined) return;
    this.log(`${name} is no longer served: its objects are dropped`);
    this.followed.delete(name);
    await followed.stop();
    for (const held of followed.held()) this.pending.set(held.key, undefined);
    this.changed();
  }

  /** The first discovery: retried with backoff until the API server answers. */
  private async discoverUntilAnswered(): Promise<ServedResource[]> {
    const backoff = new Backoff(this.options.backoff);
    for (;;) {
      try {
        return await discoverFollowed(this.config, this.timeouts(), this.kinds);
      } catch (e) {
        if (this.stopped) throw new Error('the source was stopped before it synced');
        this.errorCount++;
        const delay = backoff.next(e instanceof KubeRequestError ? e.retryAfterMs : 0);
        this.log(
          `discovery failed (${e instanceof Error ? e.message : String(e)}); trying again in ${delay} ms`,
          'warn',
        );
        // A stop wakes it at once: a process asked to end does not wait out the backoff.
        await new Promise<void>((resolve) => {
          this.discoveryWait = setTimeout(resolve, delay);
          this.wakeDiscovery = resolve;
        });
        if (this.stopped) throw new Error('the source was stopped before it synced');
      }
    }
  }

  /** Starts following optional kinds that appeared, stops those that went; a failed discovery changes nothing. */
  private async rediscover(): Promise<void> {
    // A slow discovery is not started again over itself.
    if (this.discovering) return;
    this.discovering = true;
    let served: ServedResource[];
    try {
      served = await discoverFollowed(this.config, this.timeouts(), this.kinds);
    } catch (e) {
      this.errorCount++;
      this.log(`discovery failed (${e instanceof Error ? e.message : String(e)}); following what was served`, 'warn');
      return;
    } finally {
      this.discovering = false;
    }
    if (this.stopped) return;
    const names = new Set(served.map(qualifiedName));
    for (const resource of served) this.follow(resource);
    for (const [name, followed] of this.followed)
      if (!followed.resource.required && !names.has(name)) await this.unfollow(name);
  }

  private changed(): void {
    this.unreadSince ??= Date.now();
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    setImmediate(() => {
      this.notifyQueued = false;
      if (this.stopped) return;
      for (const listener of this.listeners) listener();
    });
  }

  private timeouts() {
    return { responseMs: this.options.requestTimeoutMs ?? 30_000 };
  }
}

interface FollowerEvents {
  /** An object came or changed (its new version), or went (undefined). */
  readonly changed: (key: string, held: HeldObject | undefined) => void;
  readonly event: () => void;
  readonly failed: (error: unknown) => void;
}

/** One kind's informer, restarted with backoff after each failure. */
class FollowedInformer {
  readonly synced: Promise<void>;
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly watch: ResilientWatch;
  private readonly backoff: Backoff;
  private readonly name: string;
  private listedOnce = false;
  private failing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private resolveSynced!: () => void;
  private rejectSynced!: (error: Error) => void;

  constructor(
    readonly resource: ServedResource,
    private readonly config: KubeConfig,
    private readonly options: KubeSourceOptions,
    private readonly events: FollowerEvents,
  ) {
    this.name = qualifiedName(resource);
    this.backoff = new Backoff(options.backoff);
    this.synced = new Promise<void>((resolve, reject) => {
      this.resolveSynced = resolve;
      this.rejectSynced = reject;
    });
    this.synced.catch(() => {});
    this.watch = new ResilientWatch(config, {
      responseMs: options.requestTimeoutMs ?? 30_000,
      timeoutSeconds: () => options.watchTimeoutSeconds ?? Math.round(300 * (1 + Math.random())),
      onEvent: () => this.sawEvent(),
      transform: withoutManagedFields,
    });
    this.informer = new ListWatch(collectionPath(resource), this.watch, () => this.list(), false);
    for (const verb of ['add', 'update'] as const)
      this.informer.on(verb, (object) => {
        const held = this.heldOf(object);
        events.changed(held.key, held);
      });
    this.informer.on('delete', (object) => events.changed(this.heldOf(object).key, undefined));
    this.informer.on('error', (error) => this.failed(error));
  }

  start(): void {
    void this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.rejectSynced(new Error(`${this.name}: stopped before it synced`));
    this.watch.stop();
    await this.informer.stop();
  }

  isSynced(): boolean {
    return this.listedOnce && !this.failing;
  }

  held(): HeldObject[] {
    return this.informer.list().map((object) => this.heldOf(object));
  }

  private heldOf(object: KubernetesObject): HeldObject {
    const namespace = object.metadata?.namespace;
    const name = object.metadata?.name ?? '';
    const key = `${this.name}/${namespace === undefined ? '' : `${namespace}/`}${name}`;
    return { key, origin: { file: `kube:${key}`, line: 0 }, raw: object as unknown as JSONObject };
  }

  /** The whole collection, chunk by chunk; a continuation that expired starts the list again. */
  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    const path = collectionPath(this.resource);
    const timeouts = { responseMs: this.options.requestTimeoutMs ?? 30_000 };
    const pageSize = this.options.pageSize ?? 500;
    let items: KubernetesObject[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    let restarts = 0;
    for (;;) {
      const query: Record<string, string> = restarts < 3 ? { limit: String(pageSize) } : {};
      if (continueToken !== undefined) query['continue'] = continueToken;
      let page: JSONObject;
      try {
        page = await getJSON(this.config, path, query, timeouts);
      } catch (e) {
        if (continueToken === undefined || !(e instanceof KubeRequestError) || e.statusCode !== 410) throw e;
        // The snapshot the continue token reads is gone: a consistent list must start again.
        items = [];
        continueToken = undefined;
        restarts++;
        continue;
      }
      const metadata = isJSONObject(page['metadata']) ? page['metadata'] : {};
      const pageItems = Array.isArray(page['items']) ? page['items'].filter(isJSONObject) : [];
      items.push(...pageItems.map((item) => this.withTypeMeta(item)));
      resourceVersion = typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : '';
      continueToken =
        typeof metadata['continue'] === 'string' && metadata['continue'] !== '' ? metadata['continue'] : undefined;
      if (continueToken === undefined) break;
    }
    this.backoff.reset();
    // ListWatch adds the items right after this resolves; the cache is complete on the next turn.
    setImmediate(() => this.listed());
    return {
      apiVersion: apiVersionOf(this.resource),
      kind: `${this.resource.kind}List`,
      metadata: { resourceVersion },
      items,
    };
  }

  /** Lists of built-in kinds leave apiVersion and kind out of their items. */
  private withTypeMeta(item: JSONObject): KubernetesObject {
    return {
      ...withoutManagedFields(item),
      apiVersion: apiVersionOf(this.resource),
      kind: this.resource.kind,
    } as KubernetesObject;
  }

  private listed(): void {
    if (this.stopped) return;
    this.failing = false;
    if (!this.listedOnce) {
      this.listedOnce = true;
      this.resolveSynced();
    }
  }

  private sawEvent(): void {
    this.failing = false;
    this.backoff.reset();
    this.events.event();
  }

  private failed(error: unknown): void {
    if (this.stopped) return;
    this.failing = true;
    this.events.failed(error);
    const delay = this.backoff.next(error instanceof KubeRequestError ? error.retryAfterMs : 0);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) void this.informer.start();
    }, delay);
  }
}
