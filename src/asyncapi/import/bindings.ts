// The bindings of a channel, an operation or a message, each read by the broker whose AsyncAPI
// protocol names it (its import part, src/broker/<broker>/asyncapi-import.ts), whatever the
// service's broker: what that part does not read is reported. Bindings of other protocols are not
// imported.
import { allBrokers } from "../../broker/index.js";
import type { BindingPlace } from "../../broker/types.js";
import type { ImportContext } from "./context.js";
import { isObj, pointer, type Obj } from "./json.js";

export function readBindings(ctx: ImportContext, place: BindingPlace, node: Obj, path: string): void {
  if (!isObj(node.bindings)) return;
  for (const [protocol, binding] of Object.entries(node.bindings)) {
    const where = pointer(path, "bindings", protocol);
    const reader = allBrokers().find(({ asyncapiImport }) => asyncapiImport.protocol === protocol);
    if (reader && isObj(binding)) reader.asyncapiImport.bindings[place](ctx, binding, where, node);
    // An operation's binding that is no object is reported too, as it always was; elsewhere skipped.
    else if (isObj(binding) || place === "operation")
      ctx.warn(where, `${protocol} ${place === "operation" ? "operation " : ""}bindings are not imported`);
  }
}
