/**
 * go-yaml v2.4's defence against alias bombs: it counts every node it decodes, and those decoded
 * again through an alias, and fails with "document contains excessive aliasing" when aliases make
 * up too much of the work (99% for small documents, sliding down to 10% past 4 million nodes).
 */

import { decodeFailure } from './errors.js';

export class AliasBudget {
  /** go-yaml counts the document node too. */
  private decoded = 1;
  private aliased = 0;
  /** Off while a lazily composed anchor is built for an alias (the alias pays for it as a whole). */
  counting = true;

  /** One node decoded in place. */
  node(offset: number): void {
    if (!this.counting) return;
    this.decoded++;
    // The allowed share never drops below 10%: below that, no need to work it out.
    if (this.aliased > 100 && this.aliased * 10 > this.decoded) this.check(offset);
  }

  /** An alias node, then its anchor's `cost` nodes decoded again under it. */
  alias(cost: number, offset: number): void {
    if (!this.counting) return;
    this.node(offset);
    this.aliased += cost;
    this.decoded += cost;
    // Within one expansion the ratio only grows, so checking at its end finds any excess.
    this.check(offset);
  }

  private check(offset: number): void {
    const { aliased, decoded } = this;
    if (aliased > 100 && decoded > 1000 && aliased / decoded > allowedRatio(decoded)) {
      throw decodeFailure('document contains excessive aliasing', offset);
    }
  }
}

/** go-yaml v2.4's allowedAliasRatio. */
function allowedRatio(decoded: number): number {
  if (decoded <= 400_000) return 0.99;
  if (decoded >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decoded - 400_000) / 3_600_000);
}
