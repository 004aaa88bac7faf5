import { defineConfig } from 'vitest/config';

// A static bundle under /console/: the local runner's front door serves it from its jar, and
// Terraform uploads the same files to S3 behind CloudFront. Nothing secret goes into it: the
// runtime settings (API origin, OIDC issuer and client) come from config.json beside it.
export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
