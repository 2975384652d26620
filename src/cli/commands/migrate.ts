import type { Command } from 'commander';
import { stringify } from 'yaml';
import { formatLocation } from '../../util/location.js';
import { migrateLegacy } from '../../policy/migrate.js';
import { EXIT, type Io } from '../io.js';
import { type InputFlags, addInputOptions, objectsOrReport } from '../common.js';

export function registerMigrate(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('migrate')
    .description(
      'write the networking.k8s.io/v1 equivalent of legacy (pre-1.7) namespace isolation and its policies, as YAML',
    )
    .argument('<paths...>', 'files, directories, or - for standard input');
  addInputOptions(command).action((paths: string[], opts: InputFlags) => {
    const objects = objectsOrReport(paths, io, opts, 'migrate');
    if (objects === undefined) return setExit(EXIT.error);
    const migration = migrateLegacy(objects);
    if (migration.nothingToMigrate !== undefined) {
      io.err(`netpol: nothing to migrate: ${migration.nothingToMigrate}\n`);
      return setExit(EXIT.ok);
    }
    for (const w of migration.warnings) io.err(`${formatLocation(w.origin)}: warning: ${w.message}\n`);
    io.out(migration.policies.map((p) => stringify(p)).join('---\n'));
    setExit(EXIT.ok);
  });
}
