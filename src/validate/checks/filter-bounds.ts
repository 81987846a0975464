// The bounds of a filter condition (gt, gte, lt, lte): what a field's type lets them compare, and
// bounds that leave no value between them.
import type { IRType } from "../../ir/types.js";

export type Bound = "gt" | "gte" | "lt" | "lte";

/** How a field's values are ordered: as numbers, as points in time, or as calendar dates. */
export type Order = "number" | "time" | "date";

export function orderOf(type: IRType): Order | undefined {
  switch (type.kind) {
    case "number":
      return "number";
    case "string":
      return type.format === "datetime" ? "time" : type.format === "date" ? "date" : undefined;
    case "enum":
      return type.values.every((v) => typeof v === "number" || v === null) ? "number" : undefined;
    case "union": {
      const orders = new Set(type.options.map(orderOf));
      return orders.size === 1 ? [...orders][0] : undefined;
    }
    default:
      return undefined;
  }
}

type Bounds = Partial<Record<Bound, number | string>>;

/** Two lower or two upper bounds, bounds of different kinds, or bounds no value lies between. */
export function boundsProblem(bounds: Bounds): string | undefined {
  if (bounds.gt !== undefined && bounds.gte !== undefined) return "give one lower bound: gt or gte, not both";
  if (bounds.lt !== undefined && bounds.lte !== undefined) return "give one upper bound: lt or lte, not both";
  const lower = bounds.gt ?? bounds.gte;
  const upper = bounds.lt ?? bounds.lte;
  if (lower === undefined || upper === undefined) return undefined;
  if (typeof lower !== typeof upper) return "the lower and upper bounds must both be numbers or both be dates";
  const [low, high] =
    typeof lower === "number" ? [lower, upper as number] : [Date.parse(lower), Date.parse(upper as string)];
  if (Number.isNaN(low) || Number.isNaN(high)) return undefined; // reported on the bound itself
  const inclusive = bounds.gte !== undefined && bounds.lte !== undefined;
  if (low > high || (low === high && !inclusive))
    return "no value lies between these bounds: the filter can never match";
  return undefined;
}
