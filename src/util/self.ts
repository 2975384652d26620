import { fileURLToPath } from 'node:url';

/**
 * The argv that runs another entry point of this package from the same build
 * as the caller: compiled JavaScript, or TypeScript through tsx in development.
 * `relative` is resolved against the caller's `import.meta.url`, without extension.
 */
export function selfCommand(callerUrl: string, relative: string): string[] {
  const typescript = callerUrl.endsWith('.ts');
  const script = fileURLToPath(new URL(`${relative}${typescript ? '.ts' : '.js'}`, callerUrl));
  return typescript ? [process.execPath, '--import', import.meta.resolve('tsx'), script] : [process.execPath, script];
}
