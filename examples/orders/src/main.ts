// The shop's entry point: the orders API (ORDERS_API_PORT, default 3001) beside the generated
// service (PORT, default 3000), in one process sharing one state store. The service owns the
// process: on SIGTERM it drains its consumers and exits, taking the API with it.
import { createOrdersApi } from "./api/orders-api.js";
import { sharedStateStore } from "./state/store.js";

const port = Number(process.env.ORDERS_API_PORT ?? 3001);
createOrdersApi(sharedStateStore()).listen(port, "0.0.0.0");
await import("./generated/main.js");
