import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestService } from './helpers/service';

// Issue 15.11: client/README began with an install command that 404s and a Sessions.tsx that did not
// compile. Its examples are checked here as a reader uses them: pasted, type-checked, run.
const repoRoot = new URL('../', import.meta.url).pathname;
const readme = readFileSync(join(repoRoot, 'client/README.md'), 'utf8');
const trpcVersion = (
  JSON.parse(readFileSync(join(repoRoot, 'node_modules/@trpc/server/package.json'), 'utf8')) as { version: string }
).version;

/** The fenced blocks of one language, in order. */
function blocks(language: string): string[] {
  const fence = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  return [...readme.matchAll(fence)].map((m) => m[1]!);
}

// Inside the repository (git-ignored), so react and @tanstack/* resolve to the installed ones, while
// @mocks-booking/client is the built package (client/dist, built by the global setup), as the example's.
mkdirSync(join(repoRoot, 'client/.build'), { recursive: true });
const pasteDir = mkdtempSync(join(repoRoot, 'client/.build/readme-'));
afterAll(() => rmSync(pasteDir, { recursive: true, force: true }));

describe('client/README', () => {
  it('every ts/tsx block is a file named on its first line and type-checks as pasted against the built package', () => {
    const files = [...blocks('ts'), ...blocks('tsx')];
    expect(files.length).toBeGreaterThanOrEqual(4);
    const names: string[] = [];
    for (const code of files) {
      const name = /^\/\/ (\w+\.tsx?)\n/.exec(code)?.[1];
      expect(name, `a block without a "// file.ts" first line:\n${code}`).toBeDefined();
      names.push(name!);
      writeFileSync(join(pasteDir, name!), code);
    }
    expect(names).toEqual(expect.arrayContaining(['plain.ts', 'trpc.ts', 'main.tsx', 'Sessions.tsx']));
    writeFileSync(
      join(pasteDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          module: 'ESNext',
          moduleResolution: 'Bundler',
          jsx: 'react-jsx',
          strict: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          paths: { '@mocks-booking/client': [join(repoRoot, 'client/dist/index.d.ts')] },
        },
        include: ['*.ts', '*.tsx'],
      }),
    );
    const check = spawnSync(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', pasteDir], { encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });

  it('installs with exact versions, never from the public registry name alone, with @trpc pinned to the server', () => {
    const installs = blocks('sh')
      .flatMap((b) => b.split('\n'))
      .filter((line) => /\bnpm install\b/.test(line));
    expect(installs.length).toBeGreaterThanOrEqual(3);
    for (const line of installs) expect(line, line).toMatch(/npm install -E /);
    // The one line that 404ed, as the first thing a reader ran.
    expect(installs).not.toContain('npm install @mocks-booking/client');
    expect(installs.some((line) => line.includes('.tgz'))).toBe(true);
    for (const pin of readme.matchAll(/@trpc\/[\w-]+@([\d.]+)/g)) expect(pin[1]).toBe(trpcVersion);
  });

  describe('its curl line, run as written against a real service', () => {
    const s = useTestService({ FRONTEND_URL: 'http://localhost:5173' });

    it('shows the allowed origin in the answer', async () => {
      const curls = blocks('sh')
        .flatMap((b) => b.split('\n'))
        .filter((line) => line.startsWith('curl '));
      expect(curls).toHaveLength(1);
      const line = curls[0]!.replaceAll('http://localhost:3000', s.url);
      const { stdout } = await promisify(execFile)('sh', ['-c', line], { env: { PATH: process.env.PATH ?? '' } });
      expect(stdout).toMatch(/^access-control-allow-origin: http:\/\/localhost:5173\r?$/im);
      expect(stdout).toMatch(/^access-control-allow-credentials: true\r?$/im);
    });
  });
});
