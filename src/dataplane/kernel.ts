import { formatIP, parseCIDR } from '../algebra/ip.js';
import type { NftChain, NftMap, NftRuleset, NftSet } from '../render/nftables.js';
import { sameList } from '../util/order.js';
import { inNetns, run } from './exec.js';

/** The kernel could not be read back: what it holds is unknown, which is never the same as empty. */
export class KernelReadError extends Error {}

/** A chain as the kernel lists it: its hook if it is a base chain, and each rule in nft's own JSON form. */
export interface KernelChain {
  readonly base?: { readonly hook: string; readonly priority: number; readonly policy: string };
  /** Each rule's expressions and comment, as `nft -j` prints them: what the rule does, body and all. */
  readonly rules: readonly string[];
}

/** One table as `nft -j list table` gives it. */
export interface KernelTable {
  readonly table: string;
  readonly sets: readonly (NftSet & { readonly flags: readonly string[] })[];
  readonly maps: readonly NftMap[];
  readonly chains: ReadonlyMap<string, KernelChain>;
  /** Objects of kinds netpol never makes (flowtables, counters, quotas…), described. */
  readonly foreign: readonly string[];
}

/** nft's words when the table (or the namespace's nftables) holds no such table. */
const NO_SUCH_TABLE = /No such file or directory/;

/** Reads one table back; undefined when there is no such table. Throws KernelReadError when nft cannot say. */
export function readKernelTable(table: string, netns?: string): KernelTable | undefined {
  const listed = listJSON(netns, ['list', 'table', 'inet', table]);
  if (listed === undefined) return undefined;
  const sets: (NftSet & { flags: string[] })[] = [];
  const maps: NftMap[] = [];
  const chains = new Map<string, { base?: KernelChain['base']; rules: string[] }>();
  const foreign: string[] = [];
  for (const item of listed) {
    const [kind] = Object.keys(item);
    const body = item[kind!] as Record<string, unknown>;
    if (kind === 'metainfo' || kind === 'table') continue;
    if (kind === 'set') {
      const s = body as unknown as JSONSet;
      sets.push({
        name: s.name,
        type: typeText(s.type),
        interval: (s.flags ?? []).includes('interval'),
        flags: s.flags ?? [],
        elements: (s.elem ?? []).map(elementText),
        ...(s.comment ? { comment: s.comment } : {}),
      });
    } else if (kind === 'map') {
      const m = body as unknown as JSONSet & { map: string };
      maps.push({
        name: m.name,
        type: `${typeText(m.type)} : ${m.map}`,
        elements: (m.elem ?? []).map((e) => mapElement(e as [unknown, unknown])),
      });
    } else if (kind === 'chain') {
      const c = body as { name: string; hook?: string; prio?: number; policy?: string; type?: string };
      chains.set(c.name, {
        ...(c.hook !== undefined
          ? { base: { hook: `${c.type ?? ''} ${c.hook}`, priority: c.prio ?? 0, policy: c.policy ?? 'accept' } }
          : {}),
        rules: [],
      });
    } else if (kind === 'rule') {
      const chain = chains.get(body['chain'] as string);
      if (chain === undefined) foreign.push(`a rule in chain ${String(body['chain'])}, which is not listed`);
      else chain.rules.push(canonicalRule(body));
    } else {
      foreign.push(`${kind} ${String(body['name'] ?? '')}`.trim());
    }
  }
  return { table, sets, maps, chains, foreign };
}

/** What the kernel holds, in the terms of the ruleset wanted of it: the delta of (view → desired) is the repair. */
export interface KernelView {
  readonly ruleset: NftRuleset;
  /**
   * What no delta can repair, because a declaration differs (a set's type or flags, a map's type,
   * a base chain's hook, priority or policy, a regular chain where a base chain belongs, objects
   * netpol never makes): the table is then replaced whole, in one transaction.
   */
  readonly irreparable: readonly string[];
}

/**
 * The kernel's table as a ruleset the delta can start from. A chain whose rules are, one by one,
 * the desired rules as nft reads them back (`canonical`: each desired rule's text to its JSON form)
 * takes the desired rules; any other chain takes a placeholder that forces it to be refilled.
 */
export function kernelView(
  kernel: KernelTable,
  desired: NftRuleset,
  canonical: ReadonlyMap<string, string>,
): KernelView {
  const irreparable = [...kernel.foreign];
  const wanted = new Map(desired.chains.map((c) => [c.name, c]));
  const chains: NftChain[] = [...kernel.chains].map(([name, held]) => {
    const want = wanted.get(name);
    if (want !== undefined && (want.base === undefined) !== (held.base === undefined))
      irreparable.push(`chain ${name} is ${held.base ? 'a base chain' : 'a regular chain'} in the kernel`);
    if (want?.base !== undefined && held.base !== undefined && !sameBase(want.base, held.base))
      irreparable.push(`base chain ${name} is hooked as ${describeBase(held.base)}`);
    const agrees =
      want !== undefined &&
      want.rules.length === held.rules.length &&
      want.rules.every((rule, i) => canonical.get(rule) === held.rules[i]);
    const rules = agrees ? want.rules : ['# drifted'];
    return held.base !== undefined && want?.base !== undefined ? { name, base: want.base, rules } : { name, rules };
  });
  const wantedSets = new Map(desired.sets.map((s) => [s.name, s]));
  for (const set of kernel.sets) {
    const want = wantedSets.get(set.name);
    if (want === undefined) continue;
    if (want.type !== set.type || !sameList([...set.flags].sort(), want.interval ? ['interval'] : []))
      irreparable.push(`set ${set.name} is declared as ${set.type} ${set.flags.join(',')} in the kernel`);
  }
  const wantedMaps = new Map(desired.maps.map((m) => [m.name, m]));
  for (const map of kernel.maps) {
    const want = wantedMaps.get(map.name);
    if (want !== undefined && want.type !== map.type)
      irreparable.push(`map ${map.name} is declared as ${map.type} in the kernel`);
  }
  return { ruleset: { table: kernel.table, sets: kernel.sets, maps: kernel.maps, chains }, irreparable };
}

/**
 * Each rule text as nft reads it back: the rules are added to a scratch table that no hook reaches
 * (the desired sets and maps declared empty, its chains empty, every rule in one chain of its own)
 * and listed in JSON, then the scratch table is deleted. nft writes `th dport { 80 }` back as
 * `tcp dport 80`: only its own reading can say whether a kernel rule is the rule wanted.
 */
export function canonicalRules(texts: readonly string[], desired: NftRuleset, netns?: string): Map<string, string> {
  const out = new Map<string, string>();
  if (texts.length === 0) return out;
  const scratch = `${desired.table}_compare`.slice(0, 250);
  const lines = [`table inet ${scratch}`, `delete table inet ${scratch}`, `add table inet ${scratch}`];
  for (const set of desired.sets)
    lines.push(`add set inet ${scratch} ${set.name} { type ${set.type};${set.interval ? ' flags interval;' : ''} }`);
  for (const map of desired.maps) lines.push(`add map inet ${scratch} ${map.name} { type ${map.type}; }`);
  for (const chain of desired.chains) lines.push(`add chain inet ${scratch} ${chain.name}`);
  const holder = `${scratch}_rules`.slice(0, 250);
  lines.push(`add chain inet ${scratch} ${holder}`);
  for (const text of texts) lines.push(`add rule inet ${scratch} ${holder} ${text}`);
  const loaded = run(inNetns(netns, ['nft', '-f', '-']), `${lines.join('\n')}\n`);
  try {
    if (loaded.status !== 0) throw new KernelReadError(`nft refused the rules to compare: ${loaded.stderr.trim()}`);
    const listed = listJSON(netns, ['list', 'chain', 'inet', scratch, holder]) ?? [];
    const rules = listed.filter((item) => 'rule' in item).map((item) => canonicalRule(item['rule'] as JSONRule));
    if (rules.length !== texts.length)
      throw new KernelReadError(`nft listed ${rules.length} rules of the ${texts.length} added to compare`);
    texts.forEach((text, i) => out.set(text, rules[i]!));
    return out;
  } finally {
    run(inNetns(netns, ['nft', 'delete', 'table', 'inet', scratch]));
  }
}

/** `nft -j` output, undefined when the object is not there; throws KernelReadError on any other failure. */
function listJSON(netns: string | undefined, command: readonly string[]): Record<string, unknown>[] | undefined {
  const listed = run(inNetns(netns, ['nft', '-j', ...command]));
  if (listed.status !== 0) {
    if (NO_SUCH_TABLE.test(listed.stderr)) return undefined;
    throw new KernelReadError(
      `nft -j ${command.join(' ')} failed (${listed.status}): ${listed.stderr.trim() || listed.stdout.trim()}`,
    );
  }
  try {
    return (JSON.parse(listed.stdout) as { nftables: Record<string, unknown>[] }).nftables;
  } catch (error) {
    throw new KernelReadError(`nft -j ${command.join(' ')} printed what is not JSON: ${(error as Error).message}`);
  }
}

interface JSONRule {
  expr?: unknown;
  comment?: string;
}

/** A rule's meaning: its expressions and comment, without the handle, table and chain that place it. */
const canonicalRule = (rule: JSONRule): string => JSON.stringify([rule.expr ?? [], rule.comment ?? null]);

/** The renderer's base chains: filter hooks at `filter` (0) plus an offset. */
function sameBase(want: NonNullable<NftChain['base']>, held: NonNullable<KernelChain['base']>): boolean {
  return (
    held.hook === `filter ${want.hook}` && held.priority === priorityOf(want.priority) && held.policy === want.policy
  );
}

const describeBase = (base: NonNullable<KernelChain['base']>): string =>
  `${base.hook} priority ${base.priority} policy ${base.policy}`;

function priorityOf(text: string): number {
  const match = /^filter(?:\s*([+-])\s*(\d+))?$/.exec(text);
  if (match === null) return Number.NaN;
  return match[1] === undefined ? 0 : (match[1] === '-' ? -1 : 1) * Number(match[2]);
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
