import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    // ffmpeg makes real media in many tests
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
