import type { LoadProblem } from '../load/load.js';
import type { SourcedObject } from '../resources/source.js';
import type { Diagnostic } from '../validate/validate.js';

/** What changed since the previous read: an unchanged object is the same SourcedObject in both reads. */
export interface SourceChange {
  readonly added: readonly SourcedObject[];
  readonly removed: readonly SourcedObject[];
}

/** One consistent read of a source. */
export interface SourceSnapshot {
  /**
   * The objects that validate, each a SourcedObject whose origin names where it lives
   * (`kube:networkpolicies.networking.k8s.io/shop/deny` for the API).
   */
  readonly objects: readonly SourcedObject[];
  /**
   * Objects the source holds but netpol refuses, one entry per problem with its object, field path and the API
   * server's message. They are left out of `objects`, never fatal.
   */
  readonly problems: readonly Diagnostic[];
  /** Against the previous read (everything is added on the first). */
  readonly change: SourceChange;
  /**
   * Parts of the source that could not be read this time (a file that does not parse, a directory that is
   * gone), each with where and why. What they held at the last good read stays in `objects`: a source that
   * fails never takes rules away. Absent when the source has no such parts.
   */
  readonly failures?: readonly LoadProblem[];
  /**
   * Names what was read, for a status that says which inputs are enforced (files: the digest of their
   * bytes, as `inputsDigest` computes it). Absent when the source has no such name.
   */
  readonly version?: string;
}

export interface SourceHealth {
  /** Every cache has listed once, and none is failing now (retrying after an error). */
  readonly synced: boolean;
  /** Since the last event (bookmarks included) on any watch; undefined before the first. */
  readonly lastEventAgeMs?: number;
  /** Errors since start: failed lists, watches and discovery requests. */
  readonly errors: number;
  /** How long the oldest change not yet read has waited; undefined when every change has been read. */
  readonly watchLagMs?: number;
  /** What the source follows now, by qualified resource (`pods`, `networkpolicies.networking.k8s.io`). */
  readonly resources: readonly string[];
}

/** Where the agent, and later the controllers, read the cluster from. */
export interface PolicySource {
  /** Resolves when every cache has synced (listed once); retries with backoff until then. */
  start(): Promise<void>;
  /** Called after changes arrive, at most once per turn of the event loop; the listener then calls read(). */
  onChange(listener: () => void): void;
  read(): SourceSnapshot;
  stop(): Promise<void>;
  health(): SourceHealth;
}
