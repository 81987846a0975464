// Keys that only mean something on another broker (the broker descriptor's rules, src/broker/),
// and broker settings that would leak into files.
import { brokerOf } from "../../broker/index.js";
import type { CheckContext } from "./context.js";

export function checkBrokerOptions(ctx: CheckContext): void {
  const { broker, rabbitmq } = ctx.parts;
  if (broker !== undefined) brokerOf(broker).checkKeys(ctx);
  for (const [name, url] of Object.entries(rabbitmq?.servers ?? {})) {
    if (hasRealPassword(url)) {
      ctx.warn(["rabbitmq", "servers", name], "the url holds a password, which would be written into generated files", {
        hint: "set AMQP_URL at run time instead",
      });
    }
  }
  if (rabbitmq && hasRealPassword(rabbitmq.url)) {
    ctx.warn(["rabbitmq", "url"], "the url holds a password, which would be written into generated files", {
      hint: "keep the default here and set AMQP_URL at run time",
    });
  }
}

function hasRealPassword(url: string): boolean {
  const password = new URL(url).password;
  return password !== "" && password !== "guest";
}
