import { type NftRuleset, formatNftRuleset } from '../render/nftables.js';
import { inNetns, run, runOk } from './exec.js';
import { type KernelView, canonicalRules, kernelView, readKernelTable } from './kernel.js';
import { NftSession, SESSION_LINE_LIMIT } from './nft-session.js';

/**
 * Where an agent's rulesets go, and where it reads back what is there. The node agent's one
 * implementation is NftSink; tests give the agent a fake one.
 */
export interface RulesetSink {
  /**
   * What the table holds, in the terms of `desired` (see KernelView); undefined when there is no
   * such table. Rejects when the kernel cannot be read: what it holds is then unknown, never empty.
   */
  read(desired: NftRuleset): Promise<KernelView | undefined>;
  /**
   * Commits the commands as one transaction, all or nothing. After a rejection the agent no longer
   * knows what the table holds (a session may have died with the batch in hand) and reads it back.
   */
  commit(commands: readonly string[]): Promise<void>;
  /** Replaces the whole table in one transaction: what repairs a table no delta can. */
  replace(desired: NftRuleset): Promise<void>;
  /** Deletes the table; false when there was none. */
  remove(): Promise<boolean>;
  close(): void;
}

export interface NftSinkOptions {
  readonly table: string;
  /** Applies inside this network namespace, through `ip netns exec`. */
  readonly netns?: string;
}

/**
 * nftables in one network namespace: deltas through a long-lived `nft -i` session (one line per
 * transaction), whole tables through `nft -f`, read-back through `nft -j`. The JSON form of each rule
 * text is learnt once, from a scratch table, and kept while the rule is wanted, so a read-back
 * compares every rule body and all at the cost of a listing.
 */
export class NftSink implements RulesetSink {
  private session: NftSession | undefined;
  private canonical = new Map<string, string>();

  constructor(private readonly options: NftSinkOptions) {}

  async read(desired: NftRuleset): Promise<KernelView | undefined> {
    const kernel = readKernelTable(this.options.table, this.options.netns);
    if (kernel === undefined) return undefined;
    // Only chains the kernel has are compared; a chain it lacks is made anyway.
    const wanted = desired.chains.filter((c) => kernel.chains.has(c.name)).flatMap((c) => c.rules);
    const unknown = [...new Set(wanted.filter((rule) => !this.canonical.has(rule)))];
    const learnt = canonicalRules(unknown, desired, this.options.netns);
    // Kept while wanted: rules of policies that went are forgotten.
    const next = new Map<string, string>();
    for (const rule of wanted) next.set(rule, this.canonical.get(rule) ?? learnt.get(rule)!);
    this.canonical = next;
    return kernelView(kernel, desired, this.canonical);
  }

  async commit(commands: readonly string[]): Promise<void> {
    if (commands.length === 0) return;
    if (commands.reduce((n, c) => n + c.length + 2, 0) > SESSION_LINE_LIMIT) {
      runOk(inNetns(this.options.netns, ['nft', '-f', '-']), `${commands.join('\n')}\n`);
      return;
    }
    if (this.session === undefined || !this.session.alive) this.session = new NftSession(this.options.netns);
    await this.session.apply(commands);
  }

  async replace(desired: NftRuleset): Promise<void> {
    runOk(inNetns(this.options.netns, ['nft', '-f', '-']), formatNftRuleset(desired, { replace: true }));
  }

  async remove(): Promise<boolean> {
    const deleted = run(inNetns(this.options.netns, ['nft', 'delete', 'table', 'inet', this.options.table]));
    if (deleted.status === 0) return true;
    if (/No such file or directory/.test(deleted.stderr)) return false;
    throw new Error(`nft delete table inet ${this.options.table} failed: ${deleted.stderr.trim()}`);
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}
