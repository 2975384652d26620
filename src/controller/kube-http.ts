import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { type JSONObject, isJSONObject } from '../util/json.js';

/**
 * An API request that failed. `statusCode` (and `code`, which client-node's ListWatch also reads) is the HTTP
 * status, so a 410 makes the informer list again; `status` is the API's Status body when there was one.
 */
export class KubeRequestError extends Error {
  readonly code: number;

  constructor(
    readonly statusCode: number,
    message: string,
    readonly status?: JSONObject,
    /** From a 429's Retry-After. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.code = statusCode;
  }
}

export interface RequestTimeouts {
  /** Until the response headers arrive. */
  readonly responseMs: number;
}

/** A request's verb, and for writes its body and media type. */
export interface RequestBody {
  readonly method: 'GET' | 'PATCH' | 'PUT' | 'POST' | 'DELETE';
  readonly body?: string;
  readonly contentType?: string;
}

/**
 * Requests against the API with the kubeconfig's server, TLS and credentials (client-node's KubeConfig), reading
 * objects as the API server sends them: client-node's typed API clients would turn them into model classes
 * (dates, dropped fields), and netpol validates what the server holds.
 */
export async function openRequest(
  config: KubeConfig,
  path: string,
  query: Readonly<Record<string, string>>,
  timeouts: RequestTimeouts,
  request: RequestBody = { method: 'GET' },
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const options: { headers?: Record<string, string | string[] | number>; agent?: unknown; auth?: string } = {};
  await config.applyToHTTPSOptions(options as never);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: request.method,
      ...(options as object),
      headers: {
        ...options.headers,
        Accept: 'application/json',
        ...(body !== undefined
          ? { 'Content-Type': request.contentType ?? 'application/json', 'Content-Length': body.length }
          : {}),
      },
      ...(signal !== undefined ? { signal } : {}),
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer from ${url.host} within ${timeouts.responseMs} ms`)),
      timeouts.responseMs,
    );
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

export async function openGet(
  config: KubeConfig,
  path: string,
  query: Readonly<Record<string, string>>,
  timeouts: RequestTimeouts,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return openRequest(config, path, query, timeouts, { method: 'GET' }, signal);
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A failed answer as an error carrying its Status. */
async function failure(res: IncomingMessage, path: string, method = 'GET'): Promise<KubeRequestError> {
  const text = await readAll(res).catch(() => '');
  let status: JSONObject | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isJSONObject(parsed) && parsed['kind'] === 'Status') status = parsed;
  } catch {
    // not a Status: the message says what came back
  }
  const retryAfter = Number(res.headers['retry-after']);
  const message = typeof status?.['message'] === 'string' ? status['message'] : text.slice(0, 200);
  return new KubeRequestError(
    res.statusCode ?? 0,
    `${method} ${path}: ${res.statusCode} ${message}`,
    status,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
}

export async function getJSON(
  config: KubeConfig,
  path: string,
  query: Readonly<Record<string, string>>,
  timeouts: RequestTimeouts,
): Promise<JSONObject> {
  const res = await openGet(config, path, query, timeouts);
  if (res.statusCode !== 200) throw await failure(res, path);
  const parsed: unknown = JSON.parse(await readAll(res));
  if (!isJSONObject(parsed)) throw new Error(`GET ${path}: the answer is not an object`);
  return parsed;
}

/**
 * One request whose answer is an object: the API's Status of a failure is thrown as a KubeRequestError (its
 * message the API server's), a success is the object it returns.
 */
export async function requestJSON(
  config: KubeConfig,
  path: string,
  query: Readonly<Record<string, string>>,
  timeouts: RequestTimeouts,
  request: RequestBody,
  signal?: AbortSignal,
): Promise<JSONObject> {
  const res = await openRequest(config, path, query, timeouts, request, signal);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) throw await failure(res, path, request.method);
  const text = await readAll(res);
  const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
  if (!isJSONObject(parsed)) throw new Error(`${request.method} ${path}: the answer is not an object`);
  return parsed;
}

export interface WatchOptions extends RequestTimeouts {
  /** Asked of the server as `timeoutSeconds`; the client gives up this much later plus `responseMs`. */
  readonly timeoutSeconds: () => number;
  /** Called for every event, bookmarks included. */
  readonly onEvent?: () => void;
  /** Applied to each event's object before the informer sees it (dropping what it need not keep). */
  readonly transform?: (object: JSONObject) => JSONObject;
}

/**
 * client-node's Watch, made to survive a server that stops answering: it asks for bookmarks, sets
 * `timeoutSeconds`, gives up on a response that does not come, and ends a stream that outlives its timeout.
 * (client-node 1.4's own Watch sets a 30 s timeout and then overwrites it, so a hung watch would hang its
 * informer for good.) `done` is called once, with the error or null, unless the informer aborted the watch.
 */
export class ResilientWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly options: WatchOptions,
  ) {
    super(config);
  }

  // client-node's ListWatch aborts only a watch it already holds: one stopped while its list or its watch request
  // was in flight would open the watch afterwards and keep it (and the process) alive. So the watch stops itself.
  private stopped = false;
  private readonly open = new Set<AbortController>();

  /** Aborts every watch open or opening, and refuses new ones. */
  stop(): void {
    this.stopped = true;
    for (const controller of this.open) controller.abort();
    this.open.clear();
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    if (this.stopped) {
      controller.abort();
      return controller;
    }
    this.open.add(controller);
    controller.signal.addEventListener('abort', () => this.open.delete(controller));
    const timeoutSeconds = this.options.timeoutSeconds();
    const query: Record<string, string> = { watch: 'true', allowWatchBookmarks: 'true' };
    for (const [key, value] of Object.entries(queryParams)) if (value !== undefined) query[key] = String(value);
    query['timeoutSeconds'] = String(timeoutSeconds);
    let finished = false;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (err: unknown): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      const abortedByInformer = controller.signal.aborted;
      controller.abort();
      if (!abortedByInformer) done(err);
    };
    let res: IncomingMessage;
    try {
      res = await openGet(this.config, path, query, this.options, controller.signal);
    } catch (e) {
      finish(e);
      return controller;
    }
    if (res.statusCode !== 200) {
      finish(await failure(res, path));
      return controller;
    }
    if (controller.signal.aborted) {
      res.destroy();
      return controller;
    }
    controller.signal.addEventListener('abort', () => res.destroy());
    deadline = setTimeout(
      () => finish(new Error(`GET ${path}: the watch outlived its ${timeoutSeconds} s timeout`)),
      timeoutSeconds * 1000 + this.options.responseMs,
    );
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    // readline passes on the response's errors (a connection reset mid-watch): unheard, one would end the process.
    lines.on('error', (e) => finish(e));
    lines.on('line', (line) => {
      if (finished || line.trim() === '') return;
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        finish(new Error(`GET ${path}: a watch event is not JSON: ${line.slice(0, 100)}`));
        return;
      }
      if (!isJSONObject(event)) return;
      this.options.onEvent?.();
      const object = event['object'];
      const transform = this.options.transform;
      callback(
        String(event['type']),
        transform !== undefined && isJSONObject(object) ? transform(object) : object,
        event,
      );
    });
    res.on('error', (e) => finish(e));
    res.on('aborted', () => finish(new Error(`GET ${path}: the watch connection was cut`)));
    lines.on('close', () => finish(null));
    return controller;
  }
}
