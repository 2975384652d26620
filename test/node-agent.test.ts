/**
 * The node agent's loop with a fake source and a fake sink: no kernel, no files. What it does with
 * each answer the sink gives (a refused delta, a table gone, a read-back that fails, a table no
 * delta can repair) and with what the source says (problems, failures).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PolicySource, SourceHealth, SourceSnapshot } from '../src/controller/source.js';
import { NodeAgent } from '../src/dataplane/agent.js';
import type { KernelView } from '../src/dataplane/kernel.js';
import type { RulesetSink } from '../src/dataplane/nft-sink.js';
import { NftReconciler } from '../src/dataplane/reconcile.js';
import type { LoadProblem } from '../src/load/load.js';
import { loadText } from '../src/load/load.js';
import type { SourcedObject } from '../src/resources/source.js';
import type { NftRuleset } from '../src/render/nftables.js';
import type { LogEntry } from '../src/util/log.js';
import { type Diagnostic, validateObjects } from '../src/validate/validate.js';

const BASE = readFileSync('test/golden/nft/two-nodes.yaml', 'utf8');

/** A source whose objects the test sets; each set is announced, as a watch would. */
class FakeSource implements PolicySource {
  private objects: SourcedObject[] = [];
  private lastRead: SourcedObject[] = [];
  private problems: Diagnostic[] = [];
  failures: LoadProblem[] = [];
  private listeners: (() => void)[] = [];
  reads = 0;

  set(text: string): void {
    const loaded = loadText(text, 'cluster.yaml').objects;
    this.problems = validateObjects(loaded);
    const invalid = new Set(this.problems.map((p) => p.object));
    this.objects = loaded.filter((o) => !invalid.has(o));
    for (const listener of this.listeners) listener();
  }

  async start(): Promise<void> {}
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
  read(): SourceSnapshot {
    this.reads++;
    const before = new Set(this.lastRead);
    const now = new Set(this.objects);
    const change = {
      added: this.objects.filter((o) => !before.has(o)),
      removed: this.lastRead.filter((o) => !now.has(o)),
    };
    this.lastRead = this.objects;
    return {
      objects: this.objects,
      problems: this.problems,
      change,
      failures: this.failures,
      version: `v${this.reads}`,
    };
  }
  async stop(): Promise<void> {}
  health(): SourceHealth {
    return { synced: true, errors: 0, resources: ['fake'] };
  }
}

/** A sink that holds one ruleset as "the kernel", and fails on request. */
class FakeSink implements RulesetSink {
  kernel: NftRuleset | undefined;
  commits: string[][] = [];
  replaced = 0;
  failNextCommit = false;
  failReads = false;
  irreparable: string[] = [];
  removed = false;

  async read(_desired: NftRuleset): Promise<KernelView | undefined> {
    if (this.failReads) throw new Error('read-back fails (fake)');
    if (this.kernel === undefined) return undefined;
    // The fake kernel holds exactly what was last committed or replaced: it reads back as that.
    return { ruleset: this.kernel, irreparable: this.irreparable };
  }
  async commit(commands: readonly string[]): Promise<void> {
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('Error: No such file or directory (fake)');
    }
    this.commits.push([...commands]);
  }
  async replace(desired: NftRuleset): Promise<void> {
    this.replaced++;
    this.kernel = desired;
  }
  async remove(): Promise<boolean> {
    this.removed = true;
    return this.kernel !== undefined;
  }
  close(): void {}
}

function agentWith(source: FakeSource, sink: FakeSink, resyncMs = 0): { agent: NodeAgent; log: LogEntry[] } {
  const log: LogEntry[] = [];
  const agent = new NodeAgent({
    source,
    sink,
    reconciler: new NftReconciler({ node: 'n1' }),
    resyncMs,
    retryMs: 60_000,
    log: (entry) => void log.push(entry),
  });
  return { agent, log };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe('node agent loop (fake source and sink)', () => {
  it('starts from what the sink reads back, then applies each change as a delta from what it committed', async () => {
    const source = new FakeSource();
    source.set(BASE);
    const sink = new FakeSink();
    const { agent } = agentWith(source, sink);
    await agent.start();
    try {
      assert.equal(sink.commits.length, 1);
      assert.equal(sink.commits[0]![0], 'add table inet netpol', 'no table: made from nothing');
      source.set(BASE.replace('labels: {app: c}', 'labels: {app: b}'));
      await settle();
      assert.equal(sink.commits.length, 2);
      assert.equal(sink.commits[1]!.length, 1);
      assert.match(sink.commits[1]![0]!, /^add element inet netpol peer4_\w+ \{ 10\.0\.1\.1 \}$/, 'c joins app=b');
    } finally {
      await agent.stop();
    }
  });

  it('after a refused delta, reads the kernel back and applies the delta from what it holds', async () => {
    const source = new FakeSource();
    source.set(BASE);
    const sink = new FakeSink();
    const { agent, log } = agentWith(source, sink);
    await agent.start();
    try {
      sink.failNextCommit = true;
      source.set(BASE.replace('labels: {app: c}', 'labels: {app: b}'));
      await settle();
      // The table is gone (kernel undefined): the repair makes it again in the same reconcile.
      assert.equal(sink.commits.length, 2);
      assert.equal(sink.commits[1]![0], 'add table inet netpol');
      assert.ok(log.some((e) => e.level === 'warn' && /refused the delta/.test(e.msg)));
      assert.ok(
        log.some((e) => /^recovered/.test(e.msg)),
        'and says the node recovered',
      );
    } finally {
      await agent.stop();
    }
  });

  it('a failed read-back is no empty kernel: a start replaces the table whole, a resync changes nothing', async () => {
    const source = new FakeSource();
    source.set(BASE);
    const sink = new FakeSink();
    sink.failReads = true;
    const { agent, log } = agentWith(source, sink);
    await agent.start();
    try {
      assert.equal(sink.replaced, 1, 'the first apply cannot start from a kernel it cannot read: it replaces');
      assert.equal(sink.commits.length, 0);
      assert.equal(await agent.resync(), 0);
      assert.equal(sink.commits.length, 1);
      assert.deepEqual(sink.commits[0], [], 'a resync that cannot read applies nothing: no rule appended');
      assert.ok(log.some((e) => e.level === 'error' && /cannot read the kernel back/.test(e.msg)));
      source.set(BASE.replace('labels: {app: c}', 'labels: {app: b}'));
      await settle();
      assert.match(sink.commits.at(-1)![0]!, /^add element /, 'changes still go in, as deltas from the last commit');
    } finally {
      await agent.stop();
    }
  });

  it('a delta applied while the kernel cannot be read keeps the status error (defect 5 flake)', async () => {
    const source = new FakeSource();
    source.set(BASE);
    const sink = new FakeSink();
    sink.failReads = true;
    const dir = mkdtempSync(join(tmpdir(), 'netpol-agent-status-'));
    const statusFile = join(dir, 'status.json');
    const log: LogEntry[] = [];
    const agent = new NodeAgent({
      source,
      sink,
      reconciler: new NftReconciler({ node: 'n1' }),
      resyncMs: 0,
      retryMs: 60_000,
      statusFile,
      log: (entry) => void log.push(entry),
    });
    await agent.start();
    try {
      // A change (a watch event, a file rescan) reconciles from what was committed, without a read-back.
      source.set(BASE.replace('labels: {app: c}', 'labels: {app: b}'));
      await settle();
      assert.match(sink.commits.at(-1)![0]!, /^add element /);
      const status = JSON.parse(readFileSync(statusFile, 'utf8')) as { error?: string };
      assert.match(status.error ?? '', /cannot read the kernel back: read-back fails/);
      assert.ok(!log.some((e) => /^recovered/.test(e.msg)), 'no recovery while the kernel cannot be read');
      sink.failReads = false;
      sink.kernel = undefined;
      await agent.resync();
      assert.equal((JSON.parse(readFileSync(statusFile, 'utf8')) as { error?: string }).error, undefined);
      assert.ok(
        log.some((e) => /^recovered/.test(e.msg)),
        'the read-back that works again is the recovery',
      );
    } finally {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces the table whole when a declaration differs, which no delta can repair', async () => {
    const source = new FakeSource();
    source.set(BASE);
    const sink = new FakeSink();
    sink.kernel = { table: 'netpol', sets: [], maps: [], chains: [] };
    sink.irreparable = ['set x is declared as ipv6_addr in the kernel'];
    const { agent, log } = agentWith(source, sink);
    await agent.start();
    try {
      assert.equal(sink.replaced, 1);
      assert.ok(log.some((e) => /no delta can repair the table: set x is declared/.test(e.msg)));
    } finally {
      await agent.stop();
    }
  });

  it('reports objects left out with file:line once, and failures of the source as errors', async () => {
    const source = new FakeSource();
    const invalid =
      '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n' +
      'spec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: 0\n';
    source.set(BASE + invalid);
    const sink = new FakeSink();
    const { agent, log } = agentWith(source, sink);
    await agent.start();
    try {
      const line = (BASE + invalid).split('\n').findIndex((l) => l.includes('port: 0')) + 1;
      const reported = log.filter((e) => /is invalid/.test(e.msg));
      assert.equal(reported.length, 1);
      assert.deepEqual([reported[0]!.location?.file, reported[0]!.location?.line], ['cluster.yaml', line]);
      await agent.resync();
      assert.equal(log.filter((e) => /is invalid/.test(e.msg)).length, 1, 'said once, not on every reconcile');
      source.failures = [{ location: { file: 'cluster.yaml', line: 3 }, message: 'YAML syntax error: x' }];
      await agent.resync();
      assert.ok(log.some((e) => e.level === 'error' && e.location?.line === 3 && /last good read stays/.test(e.msg)));
    } finally {
      await agent.stop();
    }
  });

  it('stop with cleanup removes the table, and says so when it was already gone', async () => {
    const source = new FakeSource();
    source.set(BASE);
    const sink = new FakeSink();
    const { agent, log } = agentWith(source, sink);
    await agent.start();
    await agent.stop({ cleanup: true });
    assert.equal(sink.removed, true);
    assert.ok(
      log.some((e) => /already gone/.test(e.msg)),
      'the fake kernel had no table: nothing committed made it',
    );
  });
});
