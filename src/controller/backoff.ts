export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  /** Each delay is stretched by up to this fraction, at random, so clients that failed together retry apart. */
  readonly jitter?: number;
}

/** Exponential backoff with jitter, as client-go's reflector backs off: 800 ms doubling to 30 s by default. */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = options.initialMs ?? 800;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 1;
  }

  /** The delay before the next try; at least `floorMs` (a server's Retry-After). */
  next(floorMs = 0): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    return Math.max(floorMs, Math.round(base * (1 + this.jitter * this.random())));
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}
