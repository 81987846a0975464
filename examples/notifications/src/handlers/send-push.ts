import { defineHandlers } from "../generated/consumers/send-push.js";
import { send } from "../domain/send.js";
import { createProviders, type Provider } from "../providers/providers.js";
import { sharedStore, type NotificationStore } from "../store/store.js";

// Sends push notifications through the provider's adapter (src/providers/providers.ts), unless the
// user turned the channel off: then the event is skipped, counted, and its outcome recorded.
export function sendPushHandlers(store: NotificationStore, provider: Provider) {
  return defineHandlers({
    "notification.requested": (event, ctx) =>
      send("push", event.data, ctx, { store, provider }),
  });
}

export default sendPushHandlers(sharedStore(), createProviders().push);
