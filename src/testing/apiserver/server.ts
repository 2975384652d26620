import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JSONObject, type JSONValue, isJSONObject } from '../../util/json.js';
import { parseYaml } from '../../yaml/index.js';
import { coreVersions, groupDocument, groupList, resourceList, VERSION_INFO } from './discovery.js';
import { type Failure, type FailureMatch, type RequestRecord, type Verb, FaultInjector, RequestLog } from './faults.js';
import { listObjects } from './list.js';
import { openAPIDocument, openAPIIndex } from './openapi.js';
import { PATCH_TYPES } from './patch.js';
import { Registry } from './registry.js';
import { type ResourceType, RESOURCES, apiVersionOf, qualifiedResource } from './resources.js';
import { type Route, route } from './routing.js';
import { type ObjectFilter, parseFieldSelector, parseLabelSelector } from './selectors.js';
import {
  ApiError,
  badRequest,
  internalError,
  methodNotSupported,
  modifiedConflict,
  noSuchResource,
  tooManyRequests,
  unsupportedMediaType,
} from './status.js';
import { VersionedStore } from './store.js';
import { WatchStream } from './watch.js';

export interface ApiServerOptions {
  /** 127.0.0.1 unless told otherwise. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /**
   * Which optional resources (CRDs and Ironcore's aggregated APIs) exist, by qualified name
   * (`adminnetworkpolicies.policy.networking.k8s.io`); all of them by default.
   */
  readonly installed?: readonly string[] | 'all';
  /** How often watches that allow bookmarks get one; the API server sends one about every minute. */
  readonly bookmarkIntervalMs?: number;
  /** How long a watch lasts when the client sets no `timeoutSeconds`. */
  readonly watchTimeoutSeconds?: number;
  /** Events kept for watches and continue tokens before older ones are compacted away. */
  readonly historyLimit?: number;
}

/** Names an object for the test controls. */
export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** The field manager of writes made through the test controls. */
const CONTROL_MANAGER = 'netpol-test-server';

/**
 * A Kubernetes API server for tests: plain HTTP on 127.0.0.1, no authentication or authorization, objects in
 * memory. It speaks the API's protocol (discovery, list with chunking, watch with bookmarks and 410 Expired,
 * create/update/patch/server-side apply/delete, the status subresource, finalizers, garbage collection) well
 * enough for @kubernetes/client-node and kubectl. It does not validate specs: it stores what it is given, so
 * tests can hold objects a real server would refuse.
 */
export class ApiServer {
  readonly store: VersionedStore;
  readonly requests = new RequestLog();
  private readonly registry: Registry;
  private readonly faults = new FaultInjector();
  private readonly installed: Set<string>;
  private readonly watches = new Set<WatchStream>();
  private readonly hanging = new Set<ServerResponse>();
  private address = '';

  private constructor(
    private readonly server: Server,
    private readonly options: ApiServerOptions,
  ) {
    this.store = new VersionedStore(options.historyLimit);
    this.registry = new Registry(this.store);
    const optional = RESOURCES.filter((r) => r.optional).map(qualifiedResource);
    this.installed = new Set(
      options.installed === undefined || options.installed === 'all' ? optional : options.installed,
    );
    for (const name of this.installed) if (!optional.includes(name)) throw new Error(`no optional resource ${name}`);
  }

  static async start(options: ApiServerOptions = {}): Promise<ApiServer> {
    const server = createServer();
    const api = new ApiServer(server, options);
    server.on('request', (req, res) => void api.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    api.address = `${address.includes(':') ? `[${address}]` : address}:${port}`;
    // The first namespaces every cluster has, as the API server's bootstrap creates them.
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    return api;
  }

  /** `http://127.0.0.1:PORT` */
  get url(): string {
    return `http://${this.address}`;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test controls ----

  /** Creates an object as the cluster's own controllers would: its status is kept. */
  create(object: JSONObject): JSONObject {
    const { resource, namespace } = this.resourceOf(object);
    return this.registry.create(resource, namespace, object, { manager: CONTROL_MANAGER, keepStatus: true });
  }

  /** Replaces an object, status included; its resourceVersion, when given, must be the current one. */
  update(object: JSONObject): JSONObject {
    const { resource, namespace } = this.resourceOf(object);
    const name = (object['metadata'] as JSONObject)['name'] as string;
    return this.registry.update(resource, namespace, name, object, { manager: CONTROL_MANAGER, keepStatus: true });
  }

  /** Deletes an object as `kubectl delete` would: marked when it has finalizers, its dependents collected. */
  delete(ref: ObjectReference): JSONObject {
    const resource = this.resourceFor(ref.apiVersion, ref.kind);
    return this.registry.delete(resource, resource.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
  }

  get(ref: ObjectReference): JSONObject | undefined {
    const resource = this.resourceFor(ref.apiVersion, ref.kind);
    return this.store.get(resource, resource.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
  }

  list(apiVersion: string, kind: string): JSONObject[] {
    return this.store.list(this.resourceFor(apiVersion, kind));
  }

  /** Forgets history up to the current revision: watches and continue tokens from before it get 410. */
  compact(): void {
    this.store.compact();
  }

  /** Ends every watch, as an API server restart or a load balancer would. */
  closeWatches(resource?: string): void {
    for (const watch of [...this.watches]) {
      if (resource === undefined || qualifiedResource(watch.resource) === resource) watch.close();
    }
  }

  /** Sends a BOOKMARK now to every watch that allows them. */
  sendBookmarks(): void {
    for (const watch of this.watches) watch.bookmark();
  }

  /** How many watches are open, of one resource or of all. */
  openWatches(resource?: string): number {
    return [...this.watches].filter((w) => resource === undefined || qualifiedResource(w.resource) === resource).length;
  }

  /** The next `count` requests that match fail as `failure` says. */
  failNext(count: number, failure: Failure, match?: FailureMatch): void {
    this.faults.inject(count, failure, match);
  }

  clearFailures(): void {
    this.faults.clear();
  }

  /** Installs an optional resource (a CRD appears). */
  install(name: string): void {
    if (!RESOURCES.some((r) => r.optional && qualifiedResource(r) === name))
      throw new Error(`no optional resource ${name}`);
    this.installed.add(name);
  }

  /** Removes an optional resource and its objects (a CRD is deleted); its watches end. */
  uninstall(name: string): void {
    const resource = RESOURCES.find((r) => r.optional && qualifiedResource(r) === name);
    if (resource === undefined) throw new Error(`no optional resource ${name}`);
    this.store.clear(resource);
    this.installed.delete(name);
    this.closeWatches(name);
  }

  /** The resources served now. */
  served(): ResourceType[] {
    return RESOURCES.filter((r) => !r.optional || this.installed.has(qualifiedResource(r)));
  }

  private resourceFor(apiVersion: string, kind: string): ResourceType {
    const resource = this.served().find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
    if (resource === undefined) throw new Error(`the test server does not serve ${kind} in ${apiVersion}`);
    return resource;
  }

  private resourceOf(object: JSONObject): { resource: ResourceType; namespace: string | undefined } {
    const resource = this.resourceFor(String(object['apiVersion']), String(object['kind']));
    const meta = isJSONObject(object['metadata']) ? object['metadata'] : {};
    const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default';
    return { resource, namespace: resource.namespaced ? namespace : undefined };
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const target = route(url.pathname);
    const request = classify(target, req.method ?? 'GET', url.searchParams);
    this.requests.record({ ...request, path: url.pathname, query: url.search, at: Date.now() });
    try {
      const failure = this.faults.take(request);
      if (failure !== undefined) return this.fail(res, failure, target);
      await this.dispatch(req, res, target, url.searchParams);
    } catch (e) {
      const error = e instanceof ApiError ? e : internalError(e instanceof Error ? e.message : String(e));
      if (res.headersSent) res.end();
      else send(res, error.code, error.toStatus(), error.headers);
    }
  }

  private fail(res: ServerResponse, failure: Failure, target: Route): void {
    if (failure.type === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    const error =
      failure.type === 'throttle'
        ? tooManyRequests(failure.retryAfterSeconds)
        : failure.type === 'conflict'
          ? this.conflictOn(target)
          : internalError('injected failure');
    send(res, error.code, error.toStatus(), error.headers);
  }

  private conflictOn(target: Route): ApiError {
    const resource =
      target.type === 'resource'
        ? this.served().find(
            (r) => r.group === target.group && r.version === target.version && r.plural === target.plural,
          )
        : undefined;
    if (resource === undefined || target.type !== 'resource' || target.name === undefined)
      throw new Error('an injected conflict needs a request that names an object');
    return modifiedConflict(resource, target.name);
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    target: Route,
    query: URLSearchParams,
  ): Promise<void> {
    const served = this.served();
    switch (target.type) {
      case 'discovery':
        if (target.document === 'health') return sendText(res, 200, 'ok');
        if (target.document === 'version') return send(res, 200, VERSION_INFO);
        return send(res, 200, target.document === 'core' ? coreVersions(this.address) : groupList(served));
      case 'group':
        return send(res, 200, found(groupDocument(served, target.group)));
      case 'resources':
        return send(res, 200, found(resourceList(served, target.group, target.version)));
      case 'openapi':
        return send(res, 200, target.path === '' ? openAPIIndex(served) : found(openAPIDocument(served, target.path)));
      case 'openapi-v2':
        return sendOpenAPIv2(req, res);
      case 'unknown':
        throw noSuchResource();
      case 'resource':
        return this.serveResource(req, res, target, query);
    }
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    target: Extract<Route, { type: 'resource' }>,
    query: URLSearchParams,
  ): Promise<void> {
    const resource = this.served().find(
      (r) => r.group === target.group && r.version === target.version && r.plural === target.plural,
    );
    if (resource === undefined || (target.namespace !== undefined && !resource.namespaced)) throw noSuchResource();
    const subresource = target.subresource;
    if (subresource !== undefined && (subresource !== 'status' || !resource.hasStatus)) throw noSuchResource();
    if (query.has('dryRun')) throw badRequest('dryRun is not supported by the netpol test API server');
    const namespace = target.namespace;
    const name = target.name;
    const method = req.method ?? 'GET';
    const manager = query.get('fieldManager') ?? managerFromUserAgent(req.headers['user-agent']);
    const write = { manager, ...(subresource !== undefined ? { subresource } : {}) };

    if (method === 'GET' && (target.watchPath || isTrue(query.get('watch')))) {
      return this.watch(res, resource, namespace, name, query);
    }
    if (name === undefined) {
      if (method === 'GET')
        return send(res, 200, listObjects(this.store, resource, listQuery(resource, namespace, query)));
      if (method === 'POST')
        return send(res, 201, this.registry.create(resource, namespace, await readJSON(req), write));
      if (method === 'DELETE') throw methodNotSupported(resource, 'deletecollection');
      throw methodNotSupported(resource, method.toLowerCase());
    }
    switch (method) {
      case 'GET':
        return send(res, 200, this.registry.get(resource, namespace, name));
      case 'PUT':
        return send(res, 200, this.registry.update(resource, namespace, name, await readJSON(req), write));
      case 'PATCH': {
        const contentType = mediaType(req.headers['content-type']);
        const body = await readBody(req);
        const applying = contentType === PATCH_TYPES.apply;
        const patch = applying ? parseYamlBody(body) : parseJSONBody(body);
        const force = query.has('force') ? isTrue(query.get('force')) : undefined;
        // Apply names no manager after the user agent: it needs one given.
        const result = this.registry.patch(resource, namespace, name, patch, {
          ...write,
          ...(applying ? { manager: query.get('fieldManager') ?? '' } : {}),
          contentType,
          ...(force !== undefined ? { force } : {}),
        });
        return send(res, result.created ? 201 : 200, result.object);
      }
      case 'DELETE': {
        const text = await readBody(req);
        const body = text.trim() === '' ? {} : parseJSONBody(text);
        const policy = query.get('propagationPolicy');
        return send(
          res,
          200,
          this.registry.delete(resource, namespace, name, {
            ...(isJSONObject(body) ? { body } : {}),
            ...(policy === 'Orphan' || policy === 'Background' || policy === 'Foreground'
              ? { propagationPolicy: policy }
              : {}),
          }),
        );
      }
      default:
        throw methodNotSupported(resource, method.toLowerCase());
    }
  }

  private watch(
    res: ServerResponse,
    resource: ResourceType,
    namespace: string | undefined,
    name: string | undefined,
    query: URLSearchParams,
  ): void {
    const filters = [selectorsOf(resource, query)];
    if (name !== undefined) filters.push((o) => (o['metadata'] as JSONObject)['name'] === name);
    const timeout = query.get('timeoutSeconds');
    const resourceVersion = query.get('resourceVersion');
    const stream = new WatchStream(
      res,
      this.store,
      resource,
      {
        namespace,
        filter: (o) => filters.every((f) => f(o)),
        ...(resourceVersion !== null ? { resourceVersion } : {}),
        allowBookmarks: isTrue(query.get('allowWatchBookmarks')),
        sendInitialEvents: isTrue(query.get('sendInitialEvents')),
        timeoutSeconds:
          timeout !== null && /^\d+$/.test(timeout) ? Number(timeout) : (this.options.watchTimeoutSeconds ?? 1800),
      },
      this.options.bookmarkIntervalMs ?? 60_000,
      (closed) => this.watches.delete(closed),
    );
    this.watches.add(stream);
  }
}

function classify(
  target: Route,
  method: string,
  query: URLSearchParams,
): Pick<RequestRecord, 'verb' | 'resource' | 'name'> {
  if (target.type !== 'resource') return { verb: 'discovery', resource: undefined };
  const resource =
    (target.group === '' ? target.plural : `${target.plural}.${target.group}`) +
    (target.subresource !== undefined ? `/${target.subresource}` : '');
  const verbs: Record<string, Verb> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const name = target.name;
  if (method === 'GET') {
    const watching = target.watchPath || isTrue(query.get('watch'));
    return { verb: watching ? 'watch' : name === undefined ? 'list' : 'get', resource, name };
  }
  return { verb: verbs[method] ?? 'get', resource, name };
}

function listQuery(resource: ResourceType, namespace: string | undefined, query: URLSearchParams) {
  const limit = query.get('limit');
  const selective = (query.get('labelSelector') ?? '') !== '' || (query.get('fieldSelector') ?? '') !== '';
  return {
    namespace,
    filter: selectorsOf(resource, query),
    selective,
    ...(limit !== null && /^\d+$/.test(limit) ? { limit: Number(limit) } : {}),
    ...(query.get('continue') ? { continueToken: query.get('continue')! } : {}),
    ...(query.get('resourceVersion') !== null ? { resourceVersion: query.get('resourceVersion')! } : {}),
    ...(query.get('resourceVersionMatch') !== null ? { resourceVersionMatch: query.get('resourceVersionMatch')! } : {}),
  };
}

function selectorsOf(resource: ResourceType, query: URLSearchParams): ObjectFilter {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '', resource);
  return (object) => labels(object) && fields(object);
}

const isTrue = (value: string | null): boolean => value === 'true' || value === '1';

/** The API server names an unnamed manager after the client: the user agent up to its first `/`. */
function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0]!.trim();
  return prefix === '' ? 'unknown' : prefix.slice(0, 128);
}

function found(document: JSONObject | undefined): JSONObject {
  if (document === undefined) throw noSuchResource();
  return document;
}

const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'BadRequest', 'the request is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJSON(req: IncomingMessage): Promise<JSONValue> {
  const type = mediaType(req.headers['content-type']);
  const body = await readBody(req);
  if (type === 'application/yaml') return parseYamlBody(body);
  if (type !== '' && type !== 'application/json' && type !== '*/*') {
    throw unsupportedMediaType(type, ['application/json', 'application/yaml']);
  }
  return parseJSONBody(body);
}

function parseJSONBody(text: string): JSONValue {
  try {
    return JSON.parse(text) as JSONValue;
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseYamlBody(text: string): JSONValue {
  const parsed = parseYaml(text);
  if (parsed.error !== undefined) throw badRequest(`error decoding YAML: ${parsed.error.message}`);
  return parsed.value ?? null;
}

function send(
  res: ServerResponse,
  code: number,
  body: JSONValue,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * OpenAPI v2 as kubectl before 1.27 asks for it (Debian's is 1.20): an empty document, protobuf-encoded when
 * asked so (an empty message is zero bytes), so that such a kubectl finds no schema and leaves validation to
 * the server, as a newer one does through /openapi/v3.
 */
function sendOpenAPIv2(req: IncomingMessage, res: ServerResponse): void {
  if ((req.headers.accept ?? '').includes('protobuf')) {
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': 0,
    });
    res.end();
    return;
  }
  send(res, 200, { swagger: '2.0', info: { title: 'netpol test API server', version: 'v1' }, paths: {} });
}
