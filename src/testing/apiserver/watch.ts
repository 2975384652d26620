import type { ServerResponse } from 'node:http';
import type { JSONObject } from '../../util/json.js';
import { parseRevision } from './list.js';
import type { ObjectFilter } from './selectors.js';
import { type ResourceType, apiVersionOf, qualifiedResource } from './resources.js';
import { ApiError } from './status.js';
import { type EventType, type StoreEvent, type VersionedStore, metadataOf } from './store.js';

export interface WatchQuery {
  readonly namespace: string | undefined;
  readonly filter: ObjectFilter;
  readonly resourceVersion?: string;
  readonly allowBookmarks: boolean;
  /** WatchList: the current objects first, then a bookmark marked `k8s.io/initial-events-end`. */
  readonly sendInitialEvents: boolean;
  readonly timeoutSeconds: number;
}

type WatchEventType = EventType | 'BOOKMARK' | 'ERROR';

/**
 * One watch connection: a chunked stream of `{"type":..,"object":..}` lines, one per event, as the API
 * server's watch cache sends them. Without a resourceVersion (or with `0`) it starts with an ADDED event per
 * current object; from a resourceVersion it replays what followed it, or sends one ERROR event with a 410
 * Expired Status when that history is gone. Objects that start or stop matching the selectors arrive as
 * ADDED or DELETED.
 */
export class WatchStream {
  private unsubscribe: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly store: VersionedStore,
    readonly resource: ResourceType,
    private readonly query: WatchQuery,
    bookmarkIntervalMs: number,
    private readonly onClose: (stream: WatchStream) => void,
  ) {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    response.flushHeaders();
    response.on('close', () => this.close());
    if (query.allowBookmarks) this.timers.push(setInterval(() => this.bookmark(), bookmarkIntervalMs));
    this.timers.push(setTimeout(() => this.close(), query.timeoutSeconds * 1000));
    this.begin();
  }

  get allowsBookmarks(): boolean {
    return this.query.allowBookmarks;
  }

  /** A BOOKMARK at the current revision, for watches that asked for them. */
  bookmark(annotations?: JSONObject): void {
    if (!this.query.allowBookmarks) return;
    const metadata: JSONObject = { resourceVersion: String(this.store.revision) };
    if (annotations !== undefined) metadata['annotations'] = annotations;
    this.send('BOOKMARK', { kind: this.resource.kind, apiVersion: apiVersionOf(this.resource), metadata });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
    this.response.end();
    this.onClose(this);
  }

  private begin(): void {
    const requested = this.query.resourceVersion;
    const fromState = requested === undefined || requested === '' || requested === '0' || this.query.sendInitialEvents;
    try {
      if (fromState) {
        for (const object of this.store.list(this.resource)) if (this.visible(object)) this.send('ADDED', object);
        if (this.query.sendInitialEvents) this.bookmark({ 'k8s.io/initial-events-end': 'true' });
      } else {
        for (const event of this.store.eventsSince(parseRevision(requested))) this.deliver(event);
      }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      this.send('ERROR', e.toStatus());
      this.close();
      return;
    }
    this.unsubscribe = this.store.subscribe((event) => this.deliver(event));
  }

  private deliver(event: StoreEvent): void {
    if (qualifiedResource(event.resource) !== qualifiedResource(this.resource)) return;
    const now = this.visible(event.object);
    const before = event.previous !== undefined && this.visible(event.previous);
    switch (event.type) {
      case 'ADDED':
        if (now) this.send('ADDED', event.object);
        return;
      case 'DELETED':
        if (now || before) this.send('DELETED', event.object);
        return;
      case 'MODIFIED':
        if (now) this.send(before ? 'MODIFIED' : 'ADDED', event.object);
        else if (before) this.send('DELETED', atRevision(event.previous!, event.revision));
        return;
    }
  }

  private visible(object: JSONObject): boolean {
    const namespace = this.query.namespace;
    return (namespace === undefined || metadataOf(object)['namespace'] === namespace) && this.query.filter(object);
  }

  private send(type: WatchEventType, object: JSONObject): void {
    if (this.closed) return;
    this.response.write(`${JSON.stringify({ type, object })}\n`);
  }
}

/** An object that left the selection is sent as it was, with the revision of the change that took it out. */
const atRevision = (object: JSONObject, revision: number): JSONObject => ({
  ...object,
  metadata: { ...metadataOf(object), resourceVersion: String(revision) },
});
