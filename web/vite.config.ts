import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

const API_TARGET = process.env.KEYWARDEN_API_URL ?? 'http://127.0.0.1:3000';

/**
 * The API refuses cookie-authenticated writes whose Origin is not its own (CSRF defence). Requests
 * the dashboard makes through this dev proxy carry the proxy's origin, so translate it, but only
 * for requests that really come from the proxy's own pages: a third-party origin passes through
 * untouched and is still refused by the API.
 */
const apiProxy: ProxyOptions = {
  target: API_TARGET,
  changeOrigin: true,
  configure(proxy) {
    proxy.on('proxyReq', (proxyReq, req) => {
      const origin = req.headers.origin;
      if (origin && URL.canParse(origin) && new URL(origin).host === req.headers.host) {
        proxyReq.setHeader('origin', new URL(API_TARGET).origin);
      }
    });
  },
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: { '/auth': apiProxy, '/v4': apiProxy },
  },
  preview: {
    proxy: { '/auth': apiProxy, '/v4': apiProxy },
  },
});
