export type CorpusCase =
  | { readonly name: string; readonly text: string; readonly value: unknown }
  | { readonly name: string; readonly text: string; readonly error: string };
export const CORPUS: readonly CorpusCase[] = [];
