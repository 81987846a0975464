// What the warehouse holds when the shop first starts: each SKU's stock is taken from here the
// first time an order asks for it, then kept in the state store. An unknown SKU is out of stock.
export const INITIAL_STOCK: Readonly<Record<string, number>> = {
  "book-1": 10_000,
  "lamp-2": 10_000,
  "mug-3": 10_000,
  "vinyl-sold-out": 0,
};
