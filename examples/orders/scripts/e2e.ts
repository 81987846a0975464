// The end-to-end scenario against real Kafka and PostgreSQL (`npm run build && npm run e2e`;
// KAFKA_BROKERS and DATABASE_URL as for the service). It posts orders of four kinds over HTTP
// while PayPal is down, SIGKILLs the service halfway, starts it again, waits for every order to
// settle, replays the payments that were dead-lettered once PayPal is back, and checks every
// order's final state and the stock: nothing lost, nothing counted twice. Prints its figures as
// one JSON line at the end; exits 1 on the first failed check.
import { randomUUID } from "node:crypto";
import type { OrderCreated } from "../src/generated/events.js";
import type { OrderStatus } from "../src/domain/order-status.js";
import {
  check,
  deadLetterIds,
  dlq,
  metric,
  postEvent,
  startService,
  waitFor,
  type Service,
} from "./e2e-support.js";

const ORDERS = Number(process.env.E2E_ORDERS ?? 80);
const env = {
  LOG_LEVEL: "warn",
  // A killed instance keeps its partitions this long: the restart waits for it.
  KAFKA_SESSION_TIMEOUT_MS: "6000",
  SHUTDOWN_TIMEOUT: "5000",
  ...(process.env.DATABASE_URL
    ? {}
    : { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres" }),
};
const start = (extra: Record<string, string> = {}) =>
  startService("dist/main.js", { ...env, ...extra }, ["ORDERS_API_PORT"]);

type Kind = "ships" | "sold-out" | "over-limit" | "paypal";
const KINDS: Kind[] = [
  "ships",
  "ships",
  "ships",
  "sold-out",
  "ships",
  "over-limit",
  "ships",
  "paypal",
];

function orderOf(kind: Kind): OrderCreated {
  const base: OrderCreated = {
    orderId: randomUUID(),
    userId: `u-${Math.floor(Math.random() * 1000)}`,
    total: 30,
    currency: "EUR",
    items: [
      { sku: "book-1", qty: 2, price: 10 },
      { sku: "mug-3", qty: 1, price: 10 },
    ],
    paymentMethod: "card",
    shipTo: { name: "Ada", street: "1 Main St", city: "Berlin", country: "DE" },
  };
  if (kind === "sold-out")
    base.items.push({ sku: "vinyl-sold-out", qty: 1, price: 40 });
  if (kind === "over-limit") base.total = 1500;
  if (kind === "paypal") base.paymentMethod = "paypal";
  return base;
}

const log = (line: string) => console.log(`[orders e2e] ${line}`);
const apiUrl = (service: Service, path: string) =>
  `http://127.0.0.1:${service.ports.ORDERS_API_PORT}${path}`;
const getJson = async <T>(url: string): Promise<T | undefined> => {
  const res = await fetch(url);
  return res.status === 404 ? undefined : ((await res.json()) as T);
};

async function main() {
  const orders = Array.from({ length: ORDERS }, (_, i) => ({
    kind: KINDS[i % KINDS.length]!,
    order: orderOf(KINDS[i % KINDS.length]!),
  }));
  const eventIds = new Map<string, string>(); // orderId -> id of its order.created
  const count = (kind: Kind) => orders.filter((o) => o.kind === kind).length;

  let service = await start({ FAKE_PAYMENT_OUTAGE: "paypal" });
  const stock = async (sku: string) =>
    (await getJson<{ available: number }>(apiUrl(service, `/stock/${sku}`)))!
      .available;
  const stockBefore = {
    "book-1": await stock("book-1"),
    "mug-3": await stock("mug-3"),
  };
  const statusOf = (orderId: string) =>
    getJson<OrderStatus>(apiUrl(service, `/orders/${orderId}`));
  const statuses = async () =>
    Promise.all(
      orders.map(async (o) => ({
        ...o,
        status: await statusOf(o.order.orderId),
      })),
    );

  // First half, then a SIGKILL while the consumers are at work.
  const half = Math.floor(ORDERS / 2);
  for (const { order } of orders.slice(0, half))
    eventIds.set(
      order.orderId,
      await postEvent(service, "order.created", order),
    );
  await waitFor(
    async () =>
      (await statuses()).filter((o) => o.status && o.status.history.length >= 2)
        .length >=
      half / 4,
    60_000,
    () => "a quarter of the first half under way",
  );
  const settledAtKill = (await statuses()).filter(
    (o) => o.status?.status === "shipped" || o.status?.status === "cancelled",
  ).length;
  await service.kill();
  log(`SIGKILL after ${half} orders posted, ${settledAtKill} settled`);

  service = await start({ FAKE_PAYMENT_OUTAGE: "paypal" });
  for (const { order } of orders.slice(half))
    eventIds.set(
      order.orderId,
      await postEvent(service, "order.created", order),
    );
  log(`restarted, posted the other ${ORDERS - half}`);

  // Everything settles but the PayPal orders, whose payments go to the dead letter.
  const paypalIds = orders
    .filter((o) => o.kind === "paypal")
    .map((o) => eventIds.get(o.order.orderId)!);
  let dead: string[] = [];
  await waitFor(
    async () => {
      const all = await statuses();
      const open = all.filter(
        (o) =>
          o.kind !== "paypal" &&
          o.status?.status !== "shipped" &&
          o.status?.status !== "cancelled",
      );
      dead = (await deadLetterIds("payment", env)).filter((id) =>
        paypalIds.includes(id),
      );
      // At least once: a copy dead-lettered just before the SIGKILL may be dead-lettered again.
      return open.length === 0 && new Set(dead).size === paypalIds.length;
    },
    120_000,
    () =>
      `every order but PayPal's settled, and ${paypalIds.length} PayPal payments dead-lettered (${new Set(dead).size} so far)`,
  );
  const handledBeforeReplay = await metric(
    service,
    "evgen_events_handled_total",
    { consumer: "order-status" },
  );
  log(
    `settled; ${new Set(dead).size} payments dead-lettered while PayPal was down (${dead.length} copies)`,
  );

  // PayPal is back: a clean restart without the outage, and the dead letters replayed.
  check(
    (await service.stop()) === 0,
    "a SIGTERM drains the service and exits 0",
  );
  service = await start();
  const replayedLines = (
    await dlq(["replay", "payment", "--limit", "10000"], env)
  ).split("\n");
  const replayed = paypalIds.filter((id) =>
    replayedLines.some((line) => line.includes(id)),
  ).length;
  check(
    replayed === paypalIds.length,
    `replayed ${replayed} of ${paypalIds.length} PayPal payments`,
  );
  await waitFor(
    async () =>
      (await statuses()).every(
        (o) =>
          o.status?.status === "shipped" || o.status?.status === "cancelled",
      ),
    90_000,
    () => "every order settled after the replay",
  );

  // Final states, kind by kind.
  const final = await statuses();
  for (const { kind, order, status } of final) {
    const where = `order ${order.orderId} (${kind})`;
    const types = status!.history.map((h) => h.type);
    check(
      new Set(status!.history.map((h) => h.id)).size === types.length,
      `${where}: an event applied twice`,
    );
    check(
      types.includes("order.created"),
      `${where}: order.created never reached order-status`,
    );
    if (kind === "ships" || kind === "paypal") {
      check(
        status!.status === "shipped" &&
          status!.stock === "reserved" &&
          status!.payment === "succeeded",
        `${where}: ${JSON.stringify(status)}`,
      );
      check(
        types.filter((t) => t === "order.shipped").length === 1,
        `${where}: shipped once`,
      );
    }
    if (kind === "sold-out")
      check(
        status!.status === "cancelled" &&
          status!.stock === "rejected" &&
          status!.payment !== "succeeded",
        `${where}: ${JSON.stringify(status)}`,
      );
    if (kind === "over-limit")
      check(
        status!.status === "cancelled" &&
          status!.payment === "failed" &&
          status!.stock !== "reserved",
        `${where}: ${JSON.stringify(status)}`,
      );
  }
  // Stock: exactly what the shipped orders took, whatever was reserved and released on the way.
  const shipped = count("ships") + count("paypal");
  check(
    (await stock("book-1")) === stockBefore["book-1"] - 2 * shipped,
    `book-1: ${await stock("book-1")} left of ${stockBefore["book-1"]}, ${shipped} orders of 2 shipped`,
  );
  check(
    (await stock("mug-3")) === stockBefore["mug-3"] - shipped,
    `mug-3: ${await stock("mug-3")} left of ${stockBefore["mug-3"]}, ${shipped} orders of 1 shipped`,
  );
  check(
    (await deadLetterIds("payment", env)).filter((id) => paypalIds.includes(id))
      .length === 0,
    "no PayPal dead letter left after the replay",
  );
  await service.stop();

  const figures = {
    scenario: "orders",
    ordersPosted: ORDERS,
    eventsHandledByOrderStatus: final.reduce(
      (sum, o) => sum + o.status!.history.length,
      0,
    ),
    handledByOrderStatusBeforeReplay: handledBeforeReplay,
    shipped: final.filter((o) => o.status!.status === "shipped").length,
    cancelled: final.filter((o) => o.status!.status === "cancelled").length,
    cancelledOutOfStock: count("sold-out"),
    cancelledPaymentDeclined: count("over-limit"),
    deadLettered: new Set(dead).size,
    deadLetterCopies: dead.length,
    replayed,
    settledAtKill,
    sigkills: 1,
  };
  log("all checks passed");
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(
    `[orders e2e] ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
