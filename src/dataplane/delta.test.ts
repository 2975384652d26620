import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NftRuleset } from '../render/nftables.js';
import { rulesetDelta } from './delta.js';

// Planning only: no command reaches the kernel.
describe('rulesetDelta', () => {
  const forward: NftRuleset['chains'][number] = {
    name: 'egress',
    base: { hook: 'forward', priority: 'filter', policy: 'accept' },
    rules: ['ip saddr vmap @egress4'],
  };
  const input: NftRuleset['chains'][number] = {
    name: 'input',
    base: { hook: 'input', priority: 'filter', policy: 'accept' },
    rules: ['ip saddr vmap @admin_egress4', 'ip saddr vmap @egress4'],
  };
  const maps = (...names: string[]): NftRuleset['maps'] =>
    names.map((name) => ({ name, type: 'ipv4_addr : verdict', elements: [] }));

  it('deletes a base chain the ruleset no longer has, emptied before the maps its rules name go', () => {
    const from: NftRuleset = { table: 't', sets: [], maps: maps('egress4', 'admin_egress4'), chains: [forward, input] };
    const to: NftRuleset = { table: 't', sets: [], maps: maps('egress4'), chains: [forward] };
    assert.deepEqual(rulesetDelta(from, to), [
      'flush chain inet t input',
      'delete map inet t admin_egress4',
      'delete chain inet t input',
    ]);
  });

  it('keeps a base chain that stays, refilling it in place when its rules change', () => {
    const from: NftRuleset = { table: 't', sets: [], maps: maps('egress4', 'admin_egress4'), chains: [forward, input] };
    const changed = { ...input, rules: ['ip saddr vmap @egress4'] };
    const to: NftRuleset = { table: 't', sets: [], maps: maps('egress4'), chains: [forward, changed] };
    assert.deepEqual(rulesetDelta(from, to), [
      'flush chain inet t input',
      'add rule inet t input ip saddr vmap @egress4',
      'delete map inet t admin_egress4',
    ]);
  });

  it('deletes a map that goes before the chains its elements jump to', () => {
    const tierChain = { name: 'admin_egress_1', rules: ['drop'] };
    const from: NftRuleset = {
      table: 't',
      sets: [],
      maps: [{ name: 'admin_egress4', type: 'ipv4_addr : verdict', elements: [['10.0.0.1', 'jump admin_egress_1']] }],
      chains: [tierChain, forward],
    };
    const to: NftRuleset = { table: 't', sets: [], maps: [], chains: [forward] };
    assert.deepEqual(rulesetDelta(from, to), [
      'flush chain inet t admin_egress_1',
      'delete map inet t admin_egress4',
      'delete chain inet t admin_egress_1',
    ]);
  });

  it('adds a base chain on its own hook', () => {
    const from: NftRuleset = { table: 't', sets: [], maps: maps('egress4'), chains: [forward] };
    const to: NftRuleset = { table: 't', sets: [], maps: maps('egress4', 'admin_egress4'), chains: [forward, input] };
    assert.deepEqual(rulesetDelta(from, to), [
      'add map inet t admin_egress4 { type ipv4_addr : verdict; }',
      'add chain inet t input { type filter hook input priority filter; policy accept; }',
      'add rule inet t input ip saddr vmap @admin_egress4',
      'add rule inet t input ip saddr vmap @egress4',
    ]);
  });
});
