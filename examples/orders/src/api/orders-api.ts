// The read side: GET /orders/:id answers with the order-status projection, GET /stock/:sku with
// what the warehouse has left. Read-only and separate from the service's own port, so that it
// can be exposed to the shop's front end without exposing POST /events/*.
import http from "node:http";
import type { OrderStatus } from "../domain/order-status.js";
import { INITIAL_STOCK } from "../domain/catalog.js";
import { skuKey, type Stock } from "../domain/inventory.js";
import type { StateStore } from "../state/store.js";

const ORDER = /^\/orders\/([0-9a-f-]{36})$/i;
const STOCK = /^\/stock\/([\w.-]{1,100})$/;

export function createOrdersApi(store: StateStore): http.Server {
  const send = (res: http.ServerResponse, status: number, body: unknown) =>
    res
      .writeHead(status, { "content-type": "application/json" })
      .end(JSON.stringify(body));
  return http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET") return send(res, 405, { error: "GET only" });
    const order = ORDER.exec(path);
    const stock = STOCK.exec(path);
    const answer = order
      ? store
          .get("order-status", order[1]!.toLowerCase())
          .then((found) =>
            found
              ? send(res, 200, found as OrderStatus)
              : send(res, 404, { error: "no such order" }),
          )
      : stock
        ? store.get("inventory", skuKey(stock[1]!)).then((found) => {
            const available =
              (found as Stock | undefined)?.available ??
              INITIAL_STOCK[stock[1]!];
            send(res, available === undefined ? 404 : 200, {
              sku: stock[1],
              available: available ?? 0,
            });
          })
        : Promise.resolve(
            send(res, 404, { error: "GET /orders/:id or /stock/:sku" }),
          );
    answer.catch((error: unknown) =>
      send(res, 503, { error: (error as Error).message }),
    );
  });
}
