import { inNetns, runOk } from './exec.js';

/** nftables through its own transactions: a whole `nft -f` input is applied atomically, or not at all. */
export const nft = {
  /** Applies a ruleset text in one transaction. */
  apply(text: string, netns?: string): void {
    runOk(inNetns(netns, ['nft', '-f', '-']), text);
  },
  /** Checks a ruleset text without applying it. */
  check(text: string, netns?: string): void {
    runOk(inNetns(netns, ['nft', '-c', '-f', '-']), text);
  },
  list(netns?: string, table = 'netpol'): string {
    return runOk(inNetns(netns, ['nft', 'list', 'table', 'inet', table]));
  },
};
