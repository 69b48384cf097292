import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative } from 'node:path';
import { replaceTscAliasPaths } from 'tsc-alias';

const require = createRequire(import.meta.url);

/** Files the compiled code reads at run time next to itself (found through import.meta.url). */
const RUNTIME_ASSETS = ['db/migrations'];

/**
 * Compiles the service into `<root>/<outDir>` for `node dist/server/main.js`: tsc with
 * tsconfig.build.json, then tsc-alias writes the full relative specifiers Node's ESM loader needs
 * (the source imports `./config`, Node needs `./config/index.js`), then the non-TS assets are copied.
 * `outDir` may be absolute (a test builds a release layout elsewhere, with its own node_modules).
 */
export async function compileService(root: string, outDir = 'dist'): Promise<string> {
  const out = isAbsolute(outDir) ? outDir : join(root, outDir);
  rmSync(out, { recursive: true, force: true });
  const configFile = join(root, 'tsconfig.build.json');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', configFile, '--outDir', out], {
    cwd: root,
    stdio: 'inherit',
  });
  await replaceTscAliasPaths({ configFile, outDir: out, resolveFullPaths: true });
  for (const asset of RUNTIME_ASSETS) {
    if (!existsSync(join(root, asset))) throw new Error(`build: ${asset} is missing`);
    cpSync(join(root, asset), join(out, asset), { recursive: true });
  }
  return relative(root, out) || '.';
}
