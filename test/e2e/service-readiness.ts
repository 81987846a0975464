// /readyz follows the broker: the built service answers 503 while its broker is away and 200 once
// it is back, then handles events again. Shared by the service-*.disruptive tests, which stop and
// start the test broker (so they run alone).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KafkaClientName } from "../support/kafka-clients.js";
import { buildServiceProject, type Broker, type ServiceProject } from "./service-project.js";
import { waitFor } from "../support/wait.js";
import { postEvent, recorded, type RunningService } from "./service-support.js";

export interface BrokerControl {
  stop(): Promise<unknown>;
  start(): Promise<unknown>;
}

export function describeReadiness(
  broker: Broker,
  available: boolean,
  brokerEnv: Record<string, string>,
  control: BrokerControl,
  kafkaClient?: KafkaClientName,
): void {
  const title = `the built ${broker} service${kafkaClient ? ` on ${kafkaClient}` : ""} while its broker restarts`;
  describe.skipIf(!available)(title, () => {
    let built: ServiceProject;
    let service: RunningService;
    let brokerStopped = false;
    const status = (path: string) => fetch(service.url(path)).then((res) => res.status);

    beforeAll(async () => {
      built = await buildServiceProject(broker, brokerEnv, kafkaClient);
      service = await built.start();
    }, 240_000);

    afterAll(async () => {
      if (brokerStopped) await control.start(); // never leave the broker down for the next tests
      await built?.project.cleanup();
    });

    it("turns unready while the broker is away and ready once it is back, then handles events", async () => {
      expect(await status("/readyz")).toBe(200);

      brokerStopped = true;
      await control.stop();
      await waitFor(
        async () => (await status("/readyz")) === 503,
        60_000,
        () => `/readyz to answer 503:\n${service.output()}`,
      );
      expect(await status("/healthz")).toBe(200); // the process itself is fine: no restart wanted

      await control.start();
      brokerStopped = false;
      await waitFor(
        async () => (await status("/readyz")) === 200,
        120_000,
        () => `/readyz to answer 200:\n${service.output()}`,
      );

      const orderId = randomUUID();
      const res = await postEvent(service, "order.created", { orderId, userId: "ada" });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      await waitFor(
        () => recorded(built.log).some((line) => line.consumer === "auditor" && line.event.id === id),
        60_000,
        () => `the event after the restart:\n${service.output()}`,
      );
    });
  });
}
