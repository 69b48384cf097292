import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The example uses the client exactly as published: the built package in client/dist
// (`npm run build:client`), not the repository's source.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: { '@mocks-booking/client': fileURLToPath(new URL('../dist/index.js', import.meta.url)) },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: { emptyOutDir: true },
});
