import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests that restart a broker run alone afterwards (vitest.disruptive.config.ts).
    exclude: ["test/.tmp/**", "node_modules/**", "test/**/*.disruptive.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    // A RabbitMQ vhost of the run's own, deleted at the end with all it holds; Kafka topics likewise.
    // (An absolute path: generated projects' own test runs under test/.tmp/ find this config too.)
    globalSetup: [fileURLToPath(new URL("test/support/global-setup.ts", import.meta.url))],
  },
});
