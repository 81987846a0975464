import { defineHandlers } from "../generated/consumers/delivery-log.js";
import { sharedStore, type NotificationStore } from "../store/store.js";

// Records every message sent, by notification id: what support looks up when a user says they
// never got it (`notifications:outcome:<id>` in Redis).
export function deliveryLogHandlers(store: NotificationStore) {
  return defineHandlers({
    "notification.sent": async (event) => {
      await store.recordOutcome(event.data.notificationId, {
        status: "sent",
        providerId: event.data.providerId,
      });
    },
  });
}

export default deliveryLogHandlers(sharedStore());
