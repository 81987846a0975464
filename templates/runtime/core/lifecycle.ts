// Lifecycle hooks of a handler module (docs/spec.md, lifecycle hooks): `onStart(ctx)` runs before
// the consumer subscribes, `onStop()` after its last handler finished and before the publisher
// closes. `ctx` lives as long as the service: timers and background work publish through it, with
// the same validation, metrics and emits check as a handler's `ctx.publish`.
import { NonRetryableError } from "./errors.js";
import type { PublishOptions } from "./handlers.js";
import type { Publisher } from "./publisher.js";
import type { ConsumerDef, Logger } from "./types.js";

/** What `onStart` gets. `Payloads` maps event type to payload; `Emits` are the consumer's emits. */
export interface StartContext<Payloads, Emits extends keyof Payloads> {
  /**
   * Publishes one of the consumer's `emits` events; resolves with its id once confirmed. The id is
   * a random UUID unless `opts.id` sets one (derive it from what the event is about, so that a
   * repeat is caught downstream); `opts.traceparent` carries a trace on.
   */
  publish<T extends Emits>(type: T, data: Payloads[T], opts?: PublishOptions): Promise<string>;
  /**
   * The service's publisher, for any of its events (background work that is no consumer's in
   * particular): the same connection, validation and metrics; random ids unless `opts.id` is set.
   * Do not close it: the service does.
   */
  publisher: Publisher<Payloads>;
  /** Logger bound to the consumer. */
  log: Logger;
  /** Aborted when the service begins to stop: end timers and loops with it. */
  signal: AbortSignal;
  /** The consumer's name. */
  consumer: string;
}

/** The context as the runtime builds it, before a consumer's types narrow it. */
export interface RuntimeStartContext extends Omit<
  StartContext<Record<string, unknown>, string>,
  "publish" | "publisher"
> {
  publisher: Publisher<Record<string, unknown>>;
  publish(type: string, data: unknown, opts?: PublishOptions): Promise<string>;
}

/**
 * A handler module as imported (`import * as`): its default export and the hooks it may export.
 * `onStart` is typed by the consumer's generated module (its StartContext); any is accepted here.
 */
export interface ConsumerModule {
  default: unknown;
  onStart?(ctx: never): Promise<void> | void;
  onStop?(): Promise<void> | void;
}

export interface RunningHooks {
  /** Aborts ctx.signal and runs onStop, within the bound. */
  stop(): Promise<void>;
}

/** A hook running longer than this fails start (onStart) or is given up on (onStop). */
export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;

function bounded(work: Promise<void> | void, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(work),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs the module's onStart (if any); rejects when it throws or outlasts the bound. */
export async function startHooks(
  consumer: ConsumerDef,
  module: ConsumerModule | undefined,
  publisher: Publisher<Record<string, unknown>>,
  log: Logger,
  timeoutMs = DEFAULT_HOOK_TIMEOUT_MS,
): Promise<RunningHooks> {
  const controller = new AbortController();
  const hookLog = log.child?.({ consumer: consumer.name }) ?? log;
  const ctx: RuntimeStartContext = {
    consumer: consumer.name,
    publisher,
    log: hookLog,
    signal: controller.signal,
    publish(type, data, opts) {
      if (!consumer.emits.includes(type)) {
        return Promise.reject(
          new NonRetryableError(`consumer ${consumer.name} does not emit ${type} (add it to its emits)`),
        );
      }
      return publisher.publish(type, data, opts);
    },
  };
  if (module?.onStart) await bounded(module.onStart(ctx as never), timeoutMs, `onStart of ${consumer.name}`);
  return {
    async stop() {
      controller.abort(new Error("the service is stopping"));
      if (!module?.onStop) return;
      await bounded(module.onStop(), timeoutMs, `onStop of ${consumer.name}`).catch((error: unknown) =>
        hookLog.error({ err: (error as Error).message }, "onStop failed"),
      );
    },
  };
}
