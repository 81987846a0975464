import { defineHandlers } from "../generated/consumers/route-triggers.js";
import { channelsFor, nameBasedId } from "../domain/routing.js";

// A trigger becomes one notification.requested per channel: an order shipped goes out by email,
// push and SMS, a password reset by email and SMS only (a push message could be read by anyone
// holding the phone). Each request's id comes from the trigger's id and the channel.
export default defineHandlers({
  "order.shipped": async (event, ctx) => {
    const { orderId, recipient, carrier, trackingUrl } = event.data;
    for (const channel of channelsFor(recipient, ["email", "push", "sms"])) {
      await ctx.publish("notification.requested", {
        notificationId: nameBasedId(`${event.id}/${channel}`),
        channel,
        recipient,
        template: "order-shipped",
        variables: {
          orderId,
          carrier,
          ...(trackingUrl ? { trackingUrl } : {}),
        },
      });
    }
  },
  "password.reset-requested": async (event, ctx) => {
    const { recipient, resetUrl } = event.data;
    for (const channel of channelsFor(recipient, ["email", "sms"])) {
      await ctx.publish("notification.requested", {
        notificationId: nameBasedId(`${event.id}/${channel}`),
        channel,
        recipient,
        template: "password-reset",
        variables: { resetUrl },
      });
    }
  },
});
