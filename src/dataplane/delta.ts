import { sameList } from '../util/order.js';
import type { NftChain, NftMap, NftRuleset, NftSet } from '../render/nftables.js';

/**
 * The nft commands that move a table from one ruleset to another, in an
 * order one transaction accepts: declarations, then set elements, then
 * chain contents, then dispatch entries, then removals. The table is never
 * deleted, nor is a base chain the ruleset still has (its hook stays in
 * place while its rules change); a chain is refilled only if its rules
 * changed; membership changes are element additions and deletions.
 */
export function rulesetDelta(from: NftRuleset | undefined, to: NftRuleset): string[] {
  const table = `inet ${to.table}`;
  const was = {
    sets: byName(from?.sets ?? []),
    maps: byName(from?.maps ?? []),
    chains: byName(from?.chains ?? []),
  };
  const out: string[] = [];
  if (from === undefined) out.push(`add table ${table}`);

  for (const set of to.sets) {
    if (!was.sets.has(set.name)) out.push(`add set ${table} ${set.name} { ${setDeclaration(set)} }`);
  }
  for (const map of to.maps) {
    if (!was.maps.has(map.name)) out.push(`add map ${table} ${map.name} { type ${map.type}; }`);
  }
  for (const set of to.sets) {
    const before = was.sets.get(set.name)?.elements ?? [];
    // Renders hand back the very array of a set nothing changed.
    if (before === set.elements) continue;
    const [added, removed] = difference(set.elements, before);
    // Deletions first: an interval set refuses a new range that overlaps one still there.
    if (removed.length > 0) out.push(`delete element ${table} ${set.name} { ${removed.join(', ')} }`);
    if (added.length > 0) out.push(`add element ${table} ${set.name} { ${added.join(', ')} }`);
  }

  // Regular chains before base chains, so every jump target exists when a rule names it.
  const ordered = [...to.chains.filter((c) => !c.base), ...to.chains.filter((c) => c.base)];
  for (const chain of ordered) {
    if (!was.chains.has(chain.name))
      out.push(
        chain.base
          ? `add chain ${table} ${chain.name} { ${baseDeclaration(chain)} }`
          : `add chain ${table} ${chain.name}`,
      );
  }
  for (const chain of ordered) {
    const before = was.chains.get(chain.name);
    if (before !== undefined && sameList(before.rules, chain.rules)) continue;
    if (before !== undefined) out.push(`flush chain ${table} ${chain.name}`);
    for (const rule of chain.rules) out.push(`add rule ${table} ${chain.name} ${rule}`);
  }

  for (const map of to.maps) {
    const before = new Map((was.maps.get(map.name)?.elements ?? []).map(([k, v]) => [k, v]));
    const after = new Map(map.elements.map(([k, v]) => [k, v]));
    const removed = [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => k);
    const added = [...after].filter(([k, v]) => before.get(k) !== v);
    if (removed.length > 0) out.push(`delete element ${table} ${map.name} { ${removed.join(', ')} }`);
    if (added.length > 0)
      out.push(`add element ${table} ${map.name} { ${added.map(([k, v]) => `${k} : ${v}`).join(', ')} }`);
  }

  const wanted = { sets: byName(to.sets), maps: byName(to.maps), chains: byName(to.chains) };
  // A base chain goes too when the ruleset has none of its hook (the input chain, once nothing can deny a
  // pod's traffic to its node): its rules name maps that may go in the same transaction.
  const goneChains = [...was.chains.values()].filter((c) => !wanted.chains.has(c.name));
  // Empty them all before deleting any: a chain may still jump to another that goes too.
  for (const chain of goneChains) out.push(`flush chain ${table} ${chain.name}`);
  // Maps before chains: the elements of a map that goes (a tier's dispatch, once its last policy is gone) still
  // jump to chains that go with it, and the kernel deletes no chain a verdict still names.
  for (const map of was.maps.values()) if (!wanted.maps.has(map.name)) out.push(`delete map ${table} ${map.name}`);
  for (const chain of goneChains) out.push(`delete chain ${table} ${chain.name}`);
  for (const set of was.sets.values()) if (!wanted.sets.has(set.name)) out.push(`delete set ${table} ${set.name}`);
  return out;
}

export const setDeclaration = (set: NftSet): string =>
  [
    `type ${set.type};`,
    set.interval ? 'flags interval;' : '',
    set.comment ? `comment ${JSON.stringify(set.comment)};` : '',
  ]
    .filter(Boolean)
    .join(' ');

const baseDeclaration = (chain: NftChain): string =>
  `type filter hook ${chain.base!.hook} priority ${chain.base!.priority}; policy ${chain.base!.policy};`;

function byName<T extends NftSet | NftMap | NftChain>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.name, item]));
}

function difference(after: readonly string[], before: readonly string[]): [added: string[], removed: string[]] {
  const was = new Set(before);
  const is = new Set(after);
  return [after.filter((e) => !was.has(e)), before.filter((e) => !is.has(e))];
}
