// A service process for service-process.test.ts: one slow consumer on the memory transport.
// Its handler prints when it starts and finishes, so the test can see shutdown wait for it.
import { createMemoryTransport } from "../../templates/runtime/memory/transport.js";
import { runService } from "../../templates/runtime/core/service.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { shopService } from "./fixtures.js";

const service = shopService({ slow: { on: ["order.created"], timeoutMs: 60_000 } });
const handlerMs = Number(process.env.HANDLER_MS ?? 0);

await runService({
  service,
  brokerConfig: kafkaConfig,
  createTransport: (_config, log) => createMemoryTransport({ service, log }),
  handlers: {
    slow: {
      "order.created": async (event) => {
        console.log(JSON.stringify({ handler: "started", id: event.id }));
        await new Promise((resolve) => setTimeout(resolve, handlerMs));
        console.log(JSON.stringify({ handler: "finished", id: event.id }));
      },
    },
  },
});
