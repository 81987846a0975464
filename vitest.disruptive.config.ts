import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Broker restarts would break any other broker test running at the same time: one file at a time.
export default defineConfig({
  test: {
    include: ["test/**/*.disruptive.test.ts"],
    exclude: ["test/.tmp/**", "node_modules/**"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    // A RabbitMQ vhost of the run's own, deleted at the end with all it holds; Kafka topics likewise.
    // (An absolute path: generated projects' own test runs under test/.tmp/ find this config too.)
    globalSetup: [fileURLToPath(new URL("test/support/global-setup.ts", import.meta.url))],
  },
});
