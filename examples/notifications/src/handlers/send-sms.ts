import { defineHandlers } from "../generated/consumers/send-sms.js";
import { send } from "../domain/send.js";
import { createProviders, type Provider } from "../providers/providers.js";
import { sharedStore, type NotificationStore } from "../store/store.js";

// Sends text messages through the provider's adapter (src/providers/providers.ts), unless the
// user turned the channel off: then the event is skipped, counted, and its outcome recorded.
export function sendSmsHandlers(store: NotificationStore, provider: Provider) {
  return defineHandlers({
    "notification.requested": (event, ctx) =>
      send("sms", event.data, ctx, { store, provider }),
  });
}

export default sendSmsHandlers(sharedStore(), createProviders().sms);
