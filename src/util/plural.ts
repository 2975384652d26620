/** A count with its noun, in the number it takes: `1 error`, `2 errors`, `0 policies`. */
export const plural = (count: number, singular: string, pluralForm = `${singular}s`): string =>
  `${count} ${count === 1 ? singular : pluralForm}`;
