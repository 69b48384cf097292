import type { ClientRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions } from 'vite';

/** Where `npm run example` sends the page's /api calls: the server of `npm start` unless EXAMPLE_API_URL says. */
const apiUrl = process.env.EXAMPLE_API_URL ?? 'http://localhost:3000';

// The page calls /api on its own origin and Vite forwards it, so it works however it was opened
// (localhost, 127.0.0.1): no CORS, and the session cookie is first-party. The API sees the request as
// coming from its own origin (Host and Origin both rewritten), which its cross-site check accepts.
const api: ProxyOptions = {
  target: apiUrl,
  changeOrigin: true,
  configure: (proxy) =>
    proxy.on('proxyReq', (request: ClientRequest) => {
      if (request.getHeader('origin')) request.setHeader('origin', new URL(apiUrl).origin);
    }),
};

// The example uses the client exactly as published: the built package in client/dist
// (`npm run build:client`), not the repository's source.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: { '@mocks-booking/client': fileURLToPath(new URL('../dist/index.js', import.meta.url)) },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: { emptyOutDir: true },
  server: { proxy: { '/api': api } },
  preview: { proxy: { '/api': api } },
});
