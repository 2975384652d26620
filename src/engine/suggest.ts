import leven from 'leven';
import { compareStrings } from '../util/order.js';

/**
 * The known names closest to a mistyped one, nearest first: within an edit distance of two in five
 * characters (at least one), or containing it, or contained in it. `form` gives the part of a known
 * name to compare, so `fronted` is measured against `frontend` and not against `web/frontend[Deployment]`.
 */
export function closeNames(
  wanted: string,
  known: readonly string[],
  form: (name: string) => string = (name) => name,
  limit = 5,
): string[] {
  const tolerance = Math.max(1, Math.floor(wanted.length * 0.4));
  return known
    .map((name) => {
      const compared = form(name);
      const contains = compared.includes(wanted) || wanted.includes(compared);
      return { name, distance: contains ? 0 : leven(wanted, compared, { maxDistance: tolerance + 1 }) };
    })
    .filter((c) => c.distance <= tolerance)
    .sort((a, b) => a.distance - b.distance || compareStrings(a.name, b.name))
    .slice(0, limit)
    .map((c) => c.name);
}
