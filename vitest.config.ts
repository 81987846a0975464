import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests that restart a broker run alone afterwards (vitest.disruptive.config.ts).
    exclude: ["test/.tmp/**", "node_modules/**", "test/**/*.disruptive.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
