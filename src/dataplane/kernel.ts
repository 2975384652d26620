import { sameList } from '../util/order.js';
import { formatIP, parseCIDR } from '../algebra/ip.js';
import type { NftChain, NftMap, NftRuleset, NftSet } from '../render/nftables.js';
import { inNetns, run } from './exec.js';

/**
 * What the kernel holds, read back with `nft -j`, in the renderer's own
 * terms, so that the delta of (kernel → desired) is the repair. Rules do not
 * read back as the text that made them, so each rule is compared by a
 * fingerprint: its jump target, its drop, or its comment (every policy rule
 * carries one). A chain whose fingerprints differ is refilled.
 */
export function readKernelRuleset(table: string, netns?: string): KernelRuleset | undefined {
  const listed = run(inNetns(netns, ['nft', '-j', 'list', 'table', 'inet', table]));
  if (listed.status !== 0) return undefined; // no such table
  const items = (JSON.parse(listed.stdout) as { nftables: Record<string, unknown>[] }).nftables;
  const sets: NftSet[] = [];
  const maps: NftMap[] = [];
  const chains = new Map<string, { base: boolean; fingerprints: string[] }>();
  for (const item of items) {
    if ('set' in item) {
      const s = item['set'] as JSONSet;
      sets.push({
        name: s.name,
        type: typeText(s.type),
        interval: (s.flags ?? []).includes('interval'),
        elements: (s.elem ?? []).map(elementText),
        ...(s.comment ? { comment: s.comment } : {}),
      });
    } else if ('map' in item) {
      const m = item['map'] as JSONSet & { map: string };
      maps.push({
        name: m.name,
        type: `${typeText(m.type)} : ${m.map}`,
        elements: (m.elem ?? []).map((e) => mapElement(e as [unknown, unknown])),
      });
    } else if ('chain' in item) {
      const c = item['chain'] as { name: string; hook?: string };
      chains.set(c.name, { base: c.hook !== undefined, fingerprints: [] });
    } else if ('rule' in item) {
      const r = item['rule'] as { chain: string; expr: Record<string, unknown>[]; comment?: string };
      chains.get(r.chain)?.fingerprints.push(kernelFingerprint(r.expr, r.comment));
    }
  }
  return { table, sets, maps, chains };
}

export interface KernelRuleset {
  readonly table: string;
  readonly sets: readonly NftSet[];
  readonly maps: readonly NftMap[];
  readonly chains: ReadonlyMap<string, { readonly base: boolean; readonly fingerprints: readonly string[] }>;
}

/**
 * The kernel's state as a ruleset the delta can start from: each chain takes
 * the desired rules where the fingerprints agree, and a placeholder that
 * forces a refill where they do not.
 */
export function asRuleset(kernel: KernelRuleset, desired: NftRuleset): NftRuleset {
  const wanted = new Map(desired.chains.map((c) => [c.name, c]));
  const chains: NftChain[] = [...kernel.chains].map(([name, { base, fingerprints }]) => {
    const want = wanted.get(name);
    const agrees = want !== undefined && sameList(want.rules.map(ruleFingerprint), fingerprints);
    const rules = agrees ? want.rules : ['# drifted'];
    return base && want?.base ? { name, base: want.base, rules } : { name, rules };
  });
  return { table: kernel.table, sets: kernel.sets, maps: kernel.maps, chains };
}

/** The fingerprint of a rule as the renderer writes it. */
export function ruleFingerprint(rule: string): string {
  const jump = /^jump (\S+)$/.exec(rule);
  if (jump) return `jump:${jump[1]}`;
  if (rule === 'drop') return 'drop';
  const comment = / comment ("(?:[^"\\]|\\.)*")$/.exec(rule);
  return comment ? `comment:${JSON.parse(comment[1]!)}` : 'rule';
}

function kernelFingerprint(expr: Record<string, unknown>[], comment: string | undefined): string {
  const jump = expr.find((e) => 'jump' in e)?.['jump'] as { target: string } | undefined;
  if (jump && expr.length === 1) return `jump:${jump.target}`;
  if (expr.length === 1 && 'drop' in expr[0]!) return 'drop';
  return comment !== undefined ? `comment:${comment}` : 'rule';
}

interface JSONSet {
  name: string;
  type: string | string[];
  flags?: string[];
  elem?: unknown[];
  comment?: string;
}

const typeText = (type: string | string[]): string => (Array.isArray(type) ? type.join(' . ') : type);

/** An element in the renderer's notation: `a`, `first-last`, or `a . tcp . 80`. */
function elementText(element: unknown): string {
  if (typeof element === 'string' || typeof element === 'number') return String(element);
  const e = element as Record<string, unknown>;
  if ('elem' in e) return elementText((e['elem'] as { val: unknown }).val);
  if ('prefix' in e) {
    const { addr, len } = e['prefix'] as { addr: string; len: number };
    const cidr = parseCIDR(`${addr}/${len}`)!;
    return cidr.first === cidr.last
      ? formatIP(cidr.family, cidr.first)
      : `${formatIP(cidr.family, cidr.first)}-${formatIP(cidr.family, cidr.last)}`;
  }
  if ('range' in e) {
    const [first, last] = e['range'] as [string, string];
    return first === last ? first : `${first}-${last}`;
  }
  if ('concat' in e) return (e['concat'] as unknown[]).map(elementText).join(' . ');
  return JSON.stringify(element);
}

function mapElement([key, verdict]: [unknown, unknown]): readonly [string, string] {
  const v = verdict as Record<string, { target?: string } | null>;
  const [kind] = Object.keys(v);
  const target = v[kind!]?.target;
  return [elementText(key), target === undefined ? kind! : `${kind} ${target}`];
}
