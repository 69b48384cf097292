import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest package.json above this file: the repository's when run from source
 * (server/runtime/) and from the build (dist/server/runtime/), the release's in an artefact.
 */
function nearestPackageJson(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The service version reported by /api/health, read from package.json so a release bump is enough. */
export const serviceVersion: string = (
  JSON.parse(readFileSync(nearestPackageJson(dirname(fileURLToPath(import.meta.url))), 'utf8')) as { version: string }
).version;
