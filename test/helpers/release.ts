import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileService } from '../../tools/build/compile';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** What a production install must run without: the TypeScript loader and compiler are build tools. */
export const BUILD_ONLY_PACKAGES = ['tsx', 'typescript'];

export interface Release {
  /** The release directory: package.json, dist/, node_modules/ (the unit's WorkingDirectory). */
  root: string;
  remove(): void;
}

/**
 * `npm run build` into a release layout of its own, outside the repository, as the artefact is
 * unpacked on an instance: package.json, dist/ and a node_modules without tsx and typescript (each
 * other package a symlink to the real install). Anything in dist that still needed TypeScript at
 * run time would fail to start here.
 */
export async function buildRelease(): Promise<Release> {
  const root = mkdtempSync(join(tmpdir(), 'mbt-release-'));
  await compileService(repoRoot, join(root, 'dist'));
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  mkdirSync(join(root, 'node_modules'));
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (!BUILD_ONLY_PACKAGES.includes(entry))
      symlinkSync(join(repoRoot, 'node_modules', entry), join(root, 'node_modules', entry));
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
