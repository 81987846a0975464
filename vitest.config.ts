import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/.tmp/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Broker tests share one Kafka and one RabbitMQ; files isolate themselves by unique names.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
