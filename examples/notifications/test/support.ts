// Test helpers: the service's consumers on the in-memory broker with a fresh store each time.
import type { Recipient } from "../src/generated/events.js";
import { createHarness } from "../src/generated/testing.js";
import { deliveryLogHandlers } from "../src/handlers/delivery-log.js";
import { preferencesHandlers } from "../src/handlers/preferences.js";
import routeTriggers from "../src/handlers/route-triggers.js";
import { sendEmailHandlers } from "../src/handlers/send-email.js";
import { sendPushHandlers } from "../src/handlers/send-push.js";
import { sendSmsHandlers } from "../src/handlers/send-sms.js";
import { createProviders } from "../src/providers/providers.js";
import { createMemoryStore } from "../src/store/memory-store.js";

export const ada: Recipient = {
  userId: "ada",
  email: "ada@example.com",
  phone: "+4915112345678",
  deviceToken: "device-ada",
  locale: "en",
};

export function service(env: NodeJS.ProcessEnv = {}) {
  const store = createMemoryStore();
  const providers = createProviders(env);
  const harness = createHarness({
    "route-triggers": routeTriggers,
    preferences: preferencesHandlers(store),
    "send-email": sendEmailHandlers(store, providers.email),
    "send-sms": sendSmsHandlers(store, providers.sms),
    "send-push": sendPushHandlers(store, providers.push),
    "delivery-log": deliveryLogHandlers(store),
  });
  return { harness, store };
}
