// Semantic checks: everything the shape cannot express. Each check reads the (possibly partial)
// spec and reports through the context, so all problems come out of one run.
import type { Locator } from "../../load/locate.js";
import type { Issue } from "../../spec/issue.js";
import type { SpecParts } from "../spec-parts.js";
import { checkBrokerOptions } from "./broker-options.js";
import { checkCircuitBreakers } from "./circuit-breaker.js";
import { checkCompatibility } from "./compatibility.js";
import { checkConsumers } from "./consumers.js";
import { createContext, type Check } from "./context.js";
import { checkDerivedNames } from "./derived-names.js";
import { checkEvents } from "./events.js";
import { checkFieldTypes } from "./field-types.js";
import { checkFilters } from "./filters.js";
import { checkNamedTypes } from "./named-types.js";
import { checkNesting } from "./nesting.js";
import { checkReservedNames } from "./reserved-names.js";
import { checkSize } from "./size.js";
import { checkWindows } from "./windows.js";

const CHECKS: Check[] = [
  checkReservedNames,
  checkNesting,
  checkFieldTypes,
  checkNamedTypes,
  checkEvents,
  checkConsumers,
  checkFilters,
  checkWindows,
  checkCircuitBreakers,
  checkBrokerOptions,
  checkDerivedNames,
  checkCompatibility,
  checkSize,
];

export function runChecks(parts: SpecParts, file: string, locator: Locator, issues: Issue[]): void {
  const ctx = createContext(parts, file, locator, issues);
  for (const check of CHECKS) check(ctx);
}
