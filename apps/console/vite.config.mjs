import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/ and served by the API under /console (apps/api/src/console/console.static.ts).
// `npm run dev -w @weft/console` proxies /v1 to an API on 127.0.0.1:3000 (WEFT_API_URL to change it).
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
  server: { proxy: { '/v1': process.env.WEFT_API_URL ?? 'http://127.0.0.1:3000' } },
});
