// Lists every line of the tracked TypeScript/JavaScript files longer than the limit, because Prettier wraps code but
// not strings, template literals or comments. Exits 1 if any line is too long.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const limit = 120;
const root = fileURLToPath(new URL('..', import.meta.url));
const files = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.mjs', '*.js'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter(Boolean);
let offenders = 0;
for (const file of files) {
  readFileSync(join(root, file), 'utf8')
    .split(/\r?\n/)
    .forEach((line, index) => {
      const length = [...line].length;
      if (length <= limit) return;
      console.log(`${file}:${index + 1}: ${length} characters`);
      offenders++;
    });
}
if (offenders > 0) {
  console.error(`${offenders} line(s) longer than ${limit} characters`);
  process.exit(1);
}
