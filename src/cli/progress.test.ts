import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Io } from './io.js';
import { progressBar } from './progress.js';

const capture = (interactive: boolean): { io: Io; written: () => string } => {
  let err = '';
  return { io: { out: () => {}, err: (t) => void (err += t), readStdin: () => '', interactive }, written: () => err };
};

describe('progress bar', () => {
  it('draws on a terminal and clears its line when done', () => {
    const { io, written } = capture(true);
    const bar = progressBar(io, 'analysing');
    bar.update(5, 10);
    bar.update(10, 10);
    bar.finish();
    assert.match(written(), /analysing \[#{15}\.{15}\] 5\/10/);
    assert.match(written(), /analysing \[#{30}\] 10\/10/);
    assert.ok(written().endsWith('\r\u001b[2K'));
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { io, written } = capture(false);
    const bar = progressBar(io, 'analysing');
    bar.update(1, 2);
    bar.finish();
    assert.equal(written(), '');
  });
});
