import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileService } from '../../tools/build/compile';
import { log, repoRoot } from './settings';

/** What dist/ is compiled from: a change to any of these makes a built dist/ stale. */
const BUILD_INPUTS = ['server', 'db', 'tools', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

export const PRODUCTION_ENTRY = 'dist/server/main.js';

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/**
 * The benchmark measures what production runs (`node dist/server/main.js`), so it needs a dist/
 * built from the current sources: reused when it is newer than every input, else rebuilt (~15 s).
 */
export async function ensureProductionBuild(): Promise<'reused' | 'built'> {
  const entry = join(repoRoot, PRODUCTION_ENTRY);
  if (existsSync(entry)) {
    const builtAt = statSync(entry).mtimeMs;
    const sourcesAt = Math.max(
      ...BUILD_INPUTS.map((p) => join(repoRoot, p))
        .filter(existsSync)
        .map(newestMtimeMs),
    );
    if (builtAt > sourcesAt) {
      log(`reusing ${PRODUCTION_ENTRY} (newer than its sources)`);
      return 'reused';
    }
  }
  log('building dist/ (npm run build) for the production command');
  const t0 = performance.now();
  await compileService(repoRoot);
  log(`built dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return 'built';
}
