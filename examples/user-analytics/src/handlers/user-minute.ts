import { defineAggregate } from "../generated/consumers/user-minute.js";

// Each user's activity per minute (windows of 1m per data.userId, closed 5s after their end).
export default defineAggregate({
  initial: () => ({ events: 0, pageViews: 0, clicks: 0, signUps: 0 }),
  add: (state, event) => ({
    events: state.events + 1,
    pageViews: state.pageViews + (event.data.kind === "page-view" ? 1 : 0),
    clicks: state.clicks + (event.data.kind === "click" ? 1 : 0),
    signUps: state.signUps + (event.data.kind === "sign-up" ? 1 : 0),
  }),
  emit: (state, window) => ({
    userId: window.key,
    windowStart: window.start,
    ...state,
  }),
});
