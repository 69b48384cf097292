// `npm run build:client`: builds the publishable client package into client/dist.
// The router's types are generated into a staging directory beside a copy of client/src, and that
// directory is compiled on its own: if anything still reached for server source, the build fails.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateRouterTypes } from './generateRouterTypes';

const clientDir = fileURLToPath(new URL('../', import.meta.url));
const staging = `${clientDir}.build/`;
const dist = `${clientDir}dist/`;

rmSync(staging, { recursive: true, force: true });
rmSync(dist, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
cpSync(`${clientDir}src/index.ts`, `${staging}index.ts`);
writeFileSync(`${staging}router.ts`, generateRouterTypes());
writeFileSync(
  `${staging}tsconfig.json`,
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2022', 'DOM'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        declaration: true,
        declarationMap: false,
        sourceMap: false,
        skipLibCheck: true,
        outDir: dist,
        rootDir: '.',
        types: [],
      },
      files: ['index.ts', 'router.ts'],
    },
    null,
    2,
  ),
);
execFileSync(
  fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url)),
  ['-p', `${staging}tsconfig.json`],
  { stdio: 'inherit' },
);
rmSync(staging, { recursive: true, force: true });
process.stdout.write(`client built into ${dist}\n`);
