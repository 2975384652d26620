/** The verbs requests are counted and matched by: the API's audit verbs, and `discovery`. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'discovery';

/** What one request is: its verb, and its resource as `pods`, `networkpolicies.networking.k8s.io`, `pods/status`. */
export interface RequestRecord {
  readonly verb: Verb;
  readonly resource: string | undefined;
  /** The object the request names, if it names one. */
  readonly name?: string | undefined;
  readonly path: string;
  /** The query string, `?watch=true&resourceVersion=12`. */
  readonly query: string;
  readonly at: number;
}

export type Failure =
  /** A 500 InternalError Status. */
  | { readonly type: 'error' }
  /** A 429 TooManyRequests Status with Retry-After, as priority and fairness answers. */
  | { readonly type: 'throttle'; readonly retryAfterSeconds: number }
  /** No answer at all until the client gives up or the server stops. */
  | { readonly type: 'hang' }
  /**
   * A 409 Conflict Status, as a write with a stale resourceVersion gets (`the object has been modified`); for
   * requests that name an object.
   */
  | { readonly type: 'conflict' };

export interface FailureMatch {
  readonly verb?: Verb;
  readonly resource?: string;
  /** The object the request names (none for lists, watches of a collection and creates). */
  readonly name?: string;
}

interface Injection {
  remaining: number;
  readonly failure: Failure;
  readonly match: FailureMatch;
}

const matches = (match: FailureMatch, request: Pick<RequestRecord, 'verb' | 'resource' | 'name'>): boolean =>
  (match.verb === undefined || match.verb === request.verb) &&
  (match.resource === undefined || match.resource === request.resource) &&
  (match.name === undefined || match.name === request.name);

/** Failures injected by tests, consumed by the requests they match, oldest injection first. */
export class FaultInjector {
  private injections: Injection[] = [];

  /** The next `count` matching requests fail (Infinity: until `clear`). */
  inject(count: number, failure: Failure, match: FailureMatch = {}): void {
    this.injections.push({ remaining: count, failure, match });
  }

  clear(): void {
    this.injections = [];
  }

  take(request: Pick<RequestRecord, 'verb' | 'resource' | 'name'>): Failure | undefined {
    const injection = this.injections.find((i) => i.remaining > 0 && matches(i.match, request));
    if (injection === undefined) return undefined;
    injection.remaining--;
    this.injections = this.injections.filter((i) => i.remaining > 0);
    return injection.failure;
  }
}

/** Every request the server received, for tests that count what a client did. */
export class RequestLog {
  private readonly records: RequestRecord[] = [];

  record(request: RequestRecord): void {
    this.records.push(request);
  }

  count(match: FailureMatch = {}): number {
    return this.records.filter((r) => matches(match, r)).length;
  }

  list(match: FailureMatch = {}): RequestRecord[] {
    return this.records.filter((r) => matches(match, r));
  }
}
