import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The import-boundary rule (biome.jsonc "overrides") must fail on an upward import, not merely pass
 * on today's tree. Files are planted in a scratch copy beside the repository's real config, linted
 * by the same Biome the `npm run lint` script runs, and each is checked for its diagnostic.
 */
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const biome = join(repoRoot, 'node_modules/.bin/biome');

const upward: Array<[file: string, specifier: string, says: string]> = [
  ['db/queries/plantedA.ts', '../../server/services/creditRules', 'db/ is the bottom floor'],
  ['db/plantedB.ts', '../server/config', 'db/ is the bottom floor'],
  ['db/plantedC.ts', '../tools/doctor/run', 'db/ is the bottom floor'],
  ['server/plantedD.ts', '../tools/cli/doctor', 'server/ never imports tools/'],
  ['server/runtime/plantedE.ts', '../../test/helpers/service', 'server/ never imports'],
  ['server/services/plantedF.ts', '../routers/bookings', 'services are called by routers'],
  ['server/services/plantedG.ts', '../http/app', 'services are called by routers'],
  ['server/services/plantedH.ts', '../trpc', 'services are called by routers'],
  ['server/contracts/plantedI.ts', '../services/bookings', 'contracts are the inputs'],
  ['server/redis/plantedJ.ts', '../services/bookings', 'infrastructure the services use'],
  ['server/errors/plantedK.ts', '../routers', 'infrastructure the services use'],
  ['server/routers/plantedL.ts', '../runtime/service', 'a router calls services'],
  ['server/lib/plantedM.ts', '../config', 'server/lib holds dependency-free helpers'],
  ['tools/cli/plantedN.ts', '../../bench/booking/main', 'tools/ use server/ and db/'],
  ['server/metrics/plantedT.ts', '../redis', 'server/metrics is a leaf'],
];

const allowed: Array<[file: string, specifier: string]> = [
  ['server/services/plantedO.ts', '../../db/queries/bookings'],
  ['server/services/plantedP.ts', '../contracts/bookings'],
  ['server/routers/plantedQ.ts', '../services/bookings'],
  ['tools/doctor/plantedR.ts', '../../server/config'],
  // db/client.ts, not the client package.
  ['db/queries/plantedS.ts', '../client'],
];

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string };
}

let scratch: string;
let diagnostics: Diagnostic[];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'mb-boundaries-'));
  copyFileSync(join(repoRoot, 'biome.jsonc'), join(scratch, 'biome.jsonc'));
  for (const [file, specifier] of [...upward, ...allowed]) {
    mkdirSync(join(scratch, dirname(file)), { recursive: true });
    writeFileSync(join(scratch, file), `import { planted } from '${specifier}';\n\nexport const used = planted;\n`);
  }
  // Exit status 1 is expected: the upward imports are errors.
  const { stdout } = await promisify(execFile)(biome, ['lint', '--vcs-enabled=false', '--reporter=json', '.'], {
    cwd: scratch,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  diagnostics = (JSON.parse(stdout) as { diagnostics: Diagnostic[] }).diagnostics;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const boundaryErrorsIn = (file: string) =>
  diagnostics.filter((d) => d.location.path === file && d.category === 'lint/style/noRestrictedImports');

describe('the import-boundary rule', () => {
  it.each(upward)('fails %s importing %s', (file, _specifier, says) => {
    const found = boundaryErrorsIn(file);
    expect(found, JSON.stringify(diagnostics.filter((d) => d.location.path === file))).toHaveLength(1);
    expect(found[0]!.message).toContain(says);
  });

  it.each(allowed)('lets %s import %s', (file) => {
    expect(boundaryErrorsIn(file)).toEqual([]);
  });
});
