import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import { type JSONObject, isJSONObject } from '../util/json.js';
import { type SourcedObject } from '../resources/source.js';
import {
  APINET_API_VERSION,
  type IroncoreReconciliation,
  apinetNameOf,
  applyFailedStatus,
  invalidIroncorePolicy,
  reconcileIroncore,
} from '../render/ironcore.js';
import type { LogEntry } from '../util/log.js';
import type { BackoffOptions } from './backoff.js';
import { conditionsOf, sameConditions, withTransitionTimes } from './conditions.js';
import { type IroncoreState, affectedKeys, nextState } from './ironcore-state.js';
import { KubeRequestError } from './kube-http.js';
import type { FollowedKind } from './kube-resources.js';
import { KubeSource } from './kube-source.js';
import { KubeWriter, type WrittenResource } from './kube-writer.js';
import { ControllerMetrics } from './metrics.js';
import type { ProbeResult } from './probe-server.js';
import { OwnWrites } from './own-writes.js';
import { WorkQueue } from './work-queue.js';

/** The field manager of the controller's writes. */
export const FIELD_MANAGER = 'netpol-ironcore-controller';
/** apinetlet's finalizer: a policy with it is not gone before its apinet objects are. */
export const FINALIZER = 'apinet.ironcore.dev/networkpolicy';

const IRONCORE_GROUP = { group: 'networking.ironcore.dev', version: 'v1alpha1' };
const APINET_GROUP = { group: 'core.apinet.ironcore.dev', version: 'v1alpha1' };
const IRONCORE_POLICIES: WrittenResource = { ...IRONCORE_GROUP, plural: 'networkpolicies', namespaced: true };
const APINET_POLICIES: WrittenResource = { ...APINET_GROUP, plural: 'networkpolicies', namespaced: true };
const APINET_RULES: WrittenResource = { ...APINET_GROUP, plural: 'networkpolicyrules', namespaced: true };

/** What the controller reads of Ironcore: everything a policy's reconciliation looks at. */
export const IRONCORE_KINDS: readonly FollowedKind[] = [
  ...['NetworkPolicy', 'Network', 'NetworkInterface', 'LoadBalancer', 'VirtualIP'].map((kind) => ({
    ...IRONCORE_GROUP,
    kind,
    required: true,
  })),
  // Machines place interfaces on nodes and declare ephemeral ones; a cluster may serve no compute API.
  { group: 'compute.ironcore.dev', version: 'v1alpha1', kind: 'Machine', required: false },
];

/** What it reads of apinet: its own objects, in the one namespace it writes them to. */
export const apinetKinds = (namespace: string): FollowedKind[] =>
  ['NetworkPolicy', 'NetworkPolicyRule'].map((kind) => ({ ...APINET_GROUP, kind, required: true, namespace }));

export interface IroncoreControllerOptions {
  /** The cluster that serves Ironcore's API. */
  readonly config: KubeConfig;
  /** The cluster that serves apinet's (ironcore-net's), when it is another one. */
  readonly apinetConfig?: KubeConfig;
  /** Where the apinet objects are written: `apinet` by default, as `render ironcore` writes them. */
  readonly apinetNamespace?: string;
  /** Reconciles run at once, each on its own policy. */
  readonly workers?: number;
  /** Every policy is reconciled again this often, whatever the events (0: never): 10 minutes by default. */
  readonly resyncMs?: number;
  /** The per-policy retry delays (work-queue.ts has the defaults). */
  readonly backoff?: BackoffOptions;
  /** The watch caches' retry delays (kube-source.ts has the defaults). */
  readonly sourceBackoff?: BackoffOptions;
  readonly requestTimeoutMs?: number;
  readonly log?: (entry: LogEntry) => void;
  readonly random?: () => number;
}

/**
 * ironcore-net's apinetlet NetworkPolicy reconciler (ironcore-cn2.md §2.4), against the API: it follows Ironcore
 * policies, networks, interfaces, load balancers, virtual IPs and machines, and its own apinet objects, through
 * KubeSource's informers; each change is mapped to the policies it can affect, which a work queue reconciles
 * one at a time per policy. A reconcile is seed 000's: fetch the policy (gone: clean up), validate it, find the
 * interfaces it selects, apply the rules — the apinet NetworkPolicy and NetworkPolicyRule that
 * `reconcileIroncore` computes, by server-side apply, the rule owned by the policy — and set the policy's
 * status conditions. Errors are logged and the policy retried with exponential backoff and jitter.
 */
export class IroncoreController {
  readonly metrics: ControllerMetrics;
  private readonly ironcoreSource: KubeSource;
  private readonly apinetSource: KubeSource;
  private readonly writer: KubeWriter;
  private readonly apinetWriter: KubeWriter;
  private readonly queue: WorkQueue<string>;
  private readonly apinetNamespace: string;
  private readonly log: (entry: LogEntry) => void;
  private readonly aborter = new AbortController();
  /** What each policy was last reconciled to, so that the log says when it changes. */
  private readonly outcomes = new Map<string, string>();
  private readonly writes = new OwnWrites();
  /**
   * apinet NetworkPolicies deleted by this controller that the cache may still hold (its watch is another stream
   * than the Ironcore policies'): not deleted twice.
   */
  private readonly deletedApinet = new Set<string>();
  private state: IroncoreState | undefined;
  private workers: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private lastSuccessAt: number | undefined;
  private started = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: IroncoreControllerOptions) {
    this.apinetNamespace = options.apinetNamespace ?? 'apinet';
    this.log = options.log ?? (() => {});
    const sourceLog = (source: string) => (message: string, level: 'info' | 'warn') =>
      this.log({ level, msg: message, fields: { source } });
    const common = {
      ...(options.sourceBackoff !== undefined ? { backoff: options.sourceBackoff } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    };
    this.ironcoreSource = new KubeSource({
      config: options.config,
      kinds: IRONCORE_KINDS,
      log: sourceLog('ironcore'),
      ...common,
    });
    this.apinetSource = new KubeSource({
      config: options.apinetConfig ?? options.config,
      kinds: apinetKinds(this.apinetNamespace),
      log: sourceLog('apinet'),
      ...common,
    });
    const writes = {
      fieldManager: FIELD_MANAGER,
      signal: this.aborter.signal,
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    };
    this.writer = new KubeWriter(options.config, writes);
    this.apinetWriter = new KubeWriter(options.apinetConfig ?? options.config, writes);
    this.queue = new WorkQueue({
      ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
      ...(options.random !== undefined ? { random: options.random } : {}),
    });
    this.metrics = new ControllerMetrics('ironcore', {
      queueDepth: () => this.queue.length,
      retryDepth: () => this.queue.delayedCount,
      lastSuccessAt: () => this.lastSuccessAt,
      synced: () => this.synced(),
    });
  }

  /** Resolves once every cache has listed and the workers run; every policy is then queued once. */
  async start(): Promise<void> {
    const refresh = (): void => {
      if (this.started && !this.stopped) this.refresh();
    };
    this.ironcoreSource.onChange(refresh);
    this.apinetSource.onChange(refresh);
    const starts = [this.ironcoreSource.start(), this.apinetSource.start()];
    try {
      await Promise.all(starts);
    } catch (first) {
      // Both reasons are worth saying (neither API served, say); a source still retrying is stopped for it.
      await Promise.all([this.ironcoreSource.stop(), this.apinetSource.stop()]);
      const reasons = (await Promise.allSettled(starts)).flatMap((r) =>
        r.status === 'rejected' && !/stopped before it synced/.test(String(r.reason)) ? [messageOf(r.reason)] : [],
      );
      throw new Error(reasons.length > 0 ? reasons.join('; ') : messageOf(first));
    }
    if (this.stopped) return;
    this.started = true;
    this.refresh();
    const workers = this.options.workers ?? 2;
    this.workers = Array.from({ length: workers }, () => this.work());
    const resyncMs = this.options.resyncMs ?? 600_000;
    if (resyncMs > 0) this.resyncTimer = setInterval(() => this.resync(), resyncMs);
    this.log({ level: 'info', msg: `caches synced; reconciling with ${workers} workers` });
  }

  /** Stops at once: requests in flight are aborted, and what they did not finish the next start does. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      clearInterval(this.resyncTimer);
      this.queue.shutDown();
      this.aborter.abort();
      await Promise.all(this.workers);
      await Promise.all([this.ironcoreSource.stop(), this.apinetSource.stop()]);
    })();
    return this.stopping;
  }

  /** Queues every policy again (a resync, or SIGHUP). */
  resync(): void {
    if (this.state === undefined) return;
    for (const key of this.state.allKeys()) this.queue.add(key);
  }

  live(): ProbeResult {
    return this.stopped ? { ok: false, reason: 'stopping' } : { ok: true };
  }

  ready(): ProbeResult {
    if (!this.started) return { ok: false, reason: 'the watch caches have not listed yet' };
    if (!this.synced()) return { ok: false, reason: 'a watch is failing; retrying with backoff' };
    return this.live();
  }

  private synced(): boolean {
    return this.started && this.ironcoreSource.health().synced && this.apinetSource.health().synced;
  }

  /** Reads the caches and queues what their changes affect. */
  private refresh(): void {
    const ironcore = this.ironcoreSource.read();
    const apinet = this.apinetSource.read();
    const before = this.state;
    const after = nextState(before, ironcore, apinet);
    this.state = after;
    for (const name of this.deletedApinet) if (!after.apinetPolicies.has(name)) this.deletedApinet.delete(name);
    for (const object of after.refused) {
      if (before?.refused.has(object)) continue;
      const problems = ironcore.problems.filter((p) => p.object === object);
      for (const p of problems) {
        this.log({ level: 'warn', msg: `${p.object.kind} ${p.message}; netpol skips it`, location: p.location });
      }
    }
    for (const key of affectedKeys(before, after, ironcore.change, apinet.change)) this.queue.add(key);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = performance.now();
      try {
        await this.reconcile(key);
        this.queue.forget(key);
        this.lastSuccessAt = Date.now();
        this.metrics.reconciled('success', (performance.now() - started) / 1000);
      } catch (e) {
        this.metrics.reconciled('error', (performance.now() - started) / 1000);
        if (this.stopped) return;
        const retryAfter = e instanceof KubeRequestError ? (e.retryAfterMs ?? 0) : 0;
        const delay = this.queue.addRateLimited(key, retryAfter);
        this.log({
          level: 'error',
          msg: `NetworkPolicy ${key}: ${e instanceof Error ? e.message : String(e)}; trying again in ${delay} ms`,
          fields: { policy: key, failures: this.queue.retries(key), retryInMs: delay },
        });
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** One policy, from what the caches hold now. */
  private async reconcile(key: string): Promise<void> {
    const state = this.state!;
    const entry = state.policies.get(key);
    if (entry === undefined) return this.cleanUpGone(key, state);
    const cached = this.writes.current(key, entry.object.raw);
    if ((cached['metadata'] as JSONObject)['deletionTimestamp'] !== undefined)
      return this.finalize(key, entry.object, cached);
    const live = await this.ensureFinalizer(key, entry.object, cached);
    await this.deleteStale(key, apinetNameOf(entry.object), state);
    const result =
      entry.problems.length > 0
        ? invalidIroncorePolicy(entry.object, entry.problems)
        : reconcileIroncore(
            [entry.object, ...(state.networksByNamespace.get(entry.object.namespace ?? 'default') ?? [])],
            state.cluster,
            { apinetNamespace: this.apinetNamespace },
          )[0]!;
    if (result.apinet.length === 0) {
      // Invalid, or its network is missing: nothing may stay applied for it.
      const name = apinetNameOf(entry.object);
      if (this.apinetPolicyHeld(name)) await this.deleteApinetPolicy(name);
    } else {
      await this.applyApinet(key, live, result);
    }
    await this.writeStatus(key, live, result.policy);
    this.logOutcome(key, result);
  }

  /** The apinet NetworkPolicy, then its rule owned by it; a refusal is said in the policy's status too. */
  private async applyApinet(key: string, live: JSONObject, result: IroncoreReconciliation): Promise<void> {
    const [policy, rule] = result.apinet as [JSONObject, JSONObject];
    try {
      this.deletedApinet.delete((policy['metadata'] as JSONObject)['name'] as string);
      const applied = await this.apinetWriter.apply(APINET_POLICIES, policy);
      const uid = (applied['metadata'] as JSONObject)['uid'];
      if (typeof uid !== 'string') throw new Error('the API server answered the apply without a uid');
      await this.apinetWriter.apply(APINET_RULES, ownedBy(rule, uid));
    } catch (e) {
      if (isRefusal(e)) {
        const message = typeof e.status?.['message'] === 'string' ? e.status['message'] : e.message;
        await this.writeStatus(key, live, applyFailedStatus(result.policy, message)).catch(() => {});
      }
      throw e;
    }
  }

  /** The finalizer goes on before anything is written for the policy, so its deletion waits for the clean-up. */
  private async ensureFinalizer(key: string, object: SourcedObject, live: JSONObject): Promise<JSONObject> {
    const metadata = live['metadata'] as JSONObject;
    const finalizers = stringList(metadata['finalizers']);
    if (finalizers.includes(FINALIZER)) return live;
    // The resourceVersion read makes a stale cache a 409 Conflict rather than finalizers lost.
    const patched = await this.writer.mergePatch(IRONCORE_POLICIES, object.namespace, object.name, {
      metadata: { finalizers: [...finalizers, FINALIZER], resourceVersion: metadata['resourceVersion'] ?? null },
    });
    this.writes.wrote(key, live, patched);
    return patched;
  }

  /**
   * A policy being deleted: its apinet NetworkPolicy goes (the rule with it, by garbage collection), then the
   * finalizer.
   */
  private async finalize(key: string, object: SourcedObject, live: JSONObject): Promise<void> {
    const metadata = live['metadata'] as JSONObject;
    const finalizers = stringList(metadata['finalizers']);
    if (!finalizers.includes(FINALIZER)) return;
    const name = apinetNameOf(object);
    await this.deleteApinetPolicy(name);
    await this.deleteStale(key, name, this.state!);
    const released = await this.writer.mergePatch(IRONCORE_POLICIES, object.namespace, object.name, {
      metadata: {
        finalizers: finalizers.filter((f) => f !== FINALIZER),
        resourceVersion: metadata['resourceVersion'] ?? null,
      },
    });
    this.writes.wrote(key, live, released);
    this.outcomes.delete(key);
    this.log({
      level: 'info',
      msg: `NetworkPolicy ${key} deleted: apinet NetworkPolicy ${this.apinetNamespace}/${name} removed`,
    });
  }

  /** The policy is gone without its finalizer having run (removed by hand, or while no controller ran). */
  private async cleanUpGone(key: string, state: IroncoreState): Promise<void> {
    for (const apinet of state.apinetByOrigin.get(key) ?? []) {
      if (this.apinetPolicyHeld(apinet.name) && (await this.deleteApinetPolicy(apinet.name)))
        this.log({
          level: 'info',
          msg: `NetworkPolicy ${key} is gone: apinet NetworkPolicy ${this.apinetNamespace}/${apinet.name} removed`,
        });
    }
    this.outcomes.delete(key);
    this.writes.forget(key);
  }

  /** apinet objects made for an earlier policy of the same name (another UID): left over, so removed. */
  private async deleteStale(key: string, current: string, state: IroncoreState): Promise<void> {
    for (const apinet of state.apinetByOrigin.get(key) ?? []) {
      if (apinet.name !== current && this.apinetPolicyHeld(apinet.name)) await this.deleteApinetPolicy(apinet.name);
    }
  }

  /** Deletes an apinet NetworkPolicy (its rule goes by garbage collection); false when it was gone already. */
  private async deleteApinetPolicy(name: string): Promise<boolean> {
    const deleted = await this.apinetWriter.delete(APINET_POLICIES, this.apinetNamespace, name);
    this.deletedApinet.add(name);
    return deleted;
  }

  /** Whether the cache holds an apinet NetworkPolicy that this controller has not deleted already. */
  private apinetPolicyHeld(name: string): boolean {
    return this.state?.apinetPolicies.has(name) === true && !this.deletedApinet.has(name);
  }

  /** The conditions through the status subresource, each keeping its transition time; nothing when unchanged. */
  private async writeStatus(key: string, live: JSONObject, desired: JSONObject): Promise<void> {
    const current = conditionsOf(live);
    const next = withTransitionTimes(current, conditionsOf(desired), new Date());
    if (sameConditions(current, next)) return;
    const written = await this.writer.apply(IRONCORE_POLICIES, { ...desired, status: { conditions: next } }, 'status');
    this.writes.wrote(key, live, written);
  }

  private logOutcome(key: string, result: IroncoreReconciliation): void {
    const conditions = conditionsOf(result.policy).map((c) => [c['type'], c['status'], c['reason'], c['message']]);
    const outcome = JSON.stringify([conditions, result.apinet]);
    if (this.outcomes.get(key) === outcome) return;
    this.outcomes.set(key, outcome);
    const said = conditions.map(([type, status, , message]) => `${type}=${status} (${message})`).join(', ');
    this.log({ level: 'info', msg: `NetworkPolicy ${key}: ${said}`, fields: { policy: key } });
  }
}

/** The rule, owned by the apinet NetworkPolicy it belongs to (known by UID only once that one is applied). */
function ownedBy(rule: JSONObject, ownerUid: string): JSONObject {
  const metadata = rule['metadata'] as JSONObject;
  const references = Array.isArray(metadata['ownerReferences']) ? metadata['ownerReferences'].filter(isJSONObject) : [];
  return {
    ...rule,
    metadata: {
      ...metadata,
      ownerReferences: references.map((r) =>
        r['apiVersion'] === APINET_API_VERSION && r['kind'] === 'NetworkPolicy' ? { ...r, uid: ownerUid } : r,
      ),
    },
  };
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * The API server refused what was sent (forbidden, a namespace that does not exist, invalid): worth saying in the
 * policy's status. Conflicts, throttling and server errors are passing, and only retried.
 */
const isRefusal = (e: unknown): e is KubeRequestError =>
  e instanceof KubeRequestError && e.statusCode >= 400 && e.statusCode < 500 && ![408, 409, 429].includes(e.statusCode);
