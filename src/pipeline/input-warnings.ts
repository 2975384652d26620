import type { LoadResult } from '../load/load.js';
import { objectKey } from '../resources/source.js';
import { type Location, formatLocation, printable } from '../util/location.js';

/** Something in the input that the results do not show as it is written, said even with `-q`. */
export interface InputWarning {
  /** Where it applies: for an object given twice, the later one, which the results read. */
  readonly location: Location;
  readonly message: string;
}

/** The warnings a read of the inputs gives: each object given twice. */
export function inputWarnings(load: Pick<LoadResult, 'replaced'>): InputWarning[] {
  return load.replaced.map(({ object, by }) => ({
    location: by.origin,
    message:
      `${printable(by.kind)} ${objectKey(by)} is defined twice, at ${formatLocation(object.origin)} and ` +
      `${formatLocation(by.origin)}: the results read the later, as kubectl apply leaves it`,
  }));
}

/** A warning as JSON outputs carry it. */
export const warningToJSON = (w: InputWarning): { file: string; line: number; message: string } => ({
  file: w.location.file,
  line: w.location.line,
  message: w.message,
});
