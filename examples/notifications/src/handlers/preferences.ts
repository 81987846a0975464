import { defineHandlers } from "../generated/consumers/preferences.js";
import { sharedStore, type NotificationStore } from "../store/store.js";

// Keeps each user's channel preferences; the send-* consumers read them before sending.
export function preferencesHandlers(store: NotificationStore) {
  return defineHandlers({
    "preference.updated": async (event) => {
      const { userId, channel, enabled, at } = event.data;
      await store.setPreference(userId, channel, enabled, at);
    },
  });
}

export default preferencesHandlers(sharedStore());
