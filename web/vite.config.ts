import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The desk: a static build in web/dist that the service serves at `/` (src/desk/serve-desk.ts).
// No React plugin: Vite's own transform (oxc) compiles TSX with the automatic JSX runtime.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: {
    // `vite --config web/vite.config.ts` for working on the desk, against `npm start` on :3000.
    proxy: Object.fromEntries(['/incidents', '/sources', '/ledger', '/me', '/admin', '/stream', '/health'].map((path) => [path, 'http://127.0.0.1:3000'])),
  },
});
