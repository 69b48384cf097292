// Node built-ins only (plus type imports): doctor runs this check even when a package is missing.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Outcome } from './check';
import { CheckFailure } from './checkFailure';

/** The repository root: runtime dependencies must resolve from here, as the server's imports do. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function runtimeDependencyNames(root = repoRoot): string[] {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {});
}

function resolves(name: string, root: string): boolean {
  const require = createRequire(`${root}/package.json`);
  try {
    require.resolve(name);
    return true;
  } catch (err) {
    // An ESM-only package has no "require" export, yet is installed: ask the ESM resolver instead.
    if ((err as { code?: string }).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') return false;
  }
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every package.json "dependency" must be installed where the service runs: a module missing at
 * run time (a devDependency the server imported, a pruned node_modules) took production down once.
 */
export async function checkRuntimeDependencies(
  names: string[] = runtimeDependencyNames(),
  root = repoRoot,
): Promise<Outcome> {
  const missing = names.filter((name) => !resolves(name, root));
  if (missing.length > 0) {
    throw new CheckFailure(
      'ERR_MODULE_NOT_FOUND',
      `cannot resolve ${missing.join(', ')} from ${root} (${names.length - missing.length} of ${names.length} resolve)`,
    );
  }
  return { detail: `all ${names.length} packages in "dependencies" resolve` };
}
