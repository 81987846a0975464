import { defineConfig } from "vitest/config";

// Broker restarts would break any other broker test running at the same time: one file at a time.
export default defineConfig({
  test: {
    include: ["test/**/*.disruptive.test.ts"],
    exclude: ["test/.tmp/**", "node_modules/**"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
