import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Three pages, one bundle graph: shared chunks (React, the GraphQL client) load once.
// Everything is bundled (fonts are the system's), so the pages work with no internet.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: {
        wallet: resolve(__dirname, 'wallet/index.html'),
        console: resolve(__dirname, 'console/index.html'),
        explorer: resolve(__dirname, 'explorer/index.html'),
      },
    },
  },
});
