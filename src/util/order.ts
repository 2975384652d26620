/** Orders strings by UTF-16 code units, as Go's sort.Strings orders bytes for ASCII names: stable across locales. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Element-wise equality of two lists. */
export const sameList = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
