import { defineConfig } from "vitest/config";

// The project's own config: without it, vitest would look further up for one (inside the evgen
// repository, the repository's). The handler tests run on the in-memory broker.
export default defineConfig({ test: { include: ["test/**/*.test.ts"] } });
