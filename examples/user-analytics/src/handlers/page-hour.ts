import { defineAggregate } from "../generated/consumers/page-hour.js";

// Each page's views per hour, and by how many users (windows of 1h per data.page, closed 1m
// after their end; bots are filtered out in the spec). The state is JSON: the users are a list.
export default defineAggregate({
  initial: (): { views: number; users: string[] } => ({ views: 0, users: [] }),
  add: (state, event) => ({
    views: state.views + 1,
    users: state.users.includes(event.data.userId)
      ? state.users
      : [...state.users, event.data.userId],
  }),
  emit: (state, window) => ({
    page: window.key,
    windowStart: window.start,
    views: state.views,
    users: state.users.length,
  }),
});
