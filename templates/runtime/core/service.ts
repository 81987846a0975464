// Runs a service: configuration, logger, metrics, transport, idempotency and window stores,
// publisher, HTTP ingress and one pipeline + subscription per consumer (with its lifecycle hooks and,
// for a window consumer, its window closer), with a graceful, bounded shutdown.
import type { AddressInfo } from "node:net";
import { circuitFor } from "./circuit.js";
import { ConfigError, loadConfig, type BrokerConfigPart, type Config } from "./config.js";
import { errorMessage } from "./errors.js";
import type { ConsumerHandlers } from "./handlers.js";
import { createHttpServer } from "./http.js";
import { createHttpIdempotency } from "./http-idempotency.js";
import { createMemoryStore, type IdempotencyStore } from "./idempotency.js";
import { watchStores } from "./idempotency-health.js";
import { startHooks, type ConsumerModule, type RunningHooks } from "./lifecycle.js";
import { createLogger } from "./logger.js";
import { createMetrics, type ServiceMetrics } from "./metrics.js";
import { createPipeline } from "./pipeline.js";
import { createPublisher, type Publisher } from "./publisher.js";
import type { ConsumerDef, Logger, ServiceDef, Subscription, Transport, WindowDef } from "./types.js";
import type { AnyAggregate } from "./window.js";
import { startWindowCloser, windowHandlers, type WindowCloser } from "./window-consumer.js";
import { createMemoryWindowStore, type WindowStore } from "./window-store.js";

/** Factories of the stores backed by a server, passed in only when a consumer uses them. */
export interface StoreFactories {
  redis?: (options: { url: string; log: Logger; timeoutMs: number }) => IdempotencyStore;
  postgres?: (options: {
    connectionString: string;
    log: Logger;
    timeoutMs: number;
    /** Consumer groups and how long their rows count: older rows are pruned. */
    retention: Array<{ consumer: string; ttlMs: number }>;
  }) => IdempotencyStore;
}

/** Factories of the window stores backed by a server, passed in only when a window consumer uses them. */
export interface WindowStoreFactories {
  redis?: (options: { url: string; log: Logger; timeoutMs: number }) => WindowStore;
  postgres?: (options: { connectionString: string; log: Logger; timeoutMs: number }) => WindowStore;
}

export interface ServiceOptions<S extends ServiceDef = ServiceDef> {
  service: S;
  /** Its broker's part of the configuration (the generated transport.ts exports it as brokerConfig). */
  brokerConfig: BrokerConfigPart<S["broker"]>;
  /** Handlers by consumer name (every consumer but the window consumers). */
  handlers: Record<string, ConsumerHandlers>;
  /** The aggregates of the window consumers, by consumer name. */
  aggregates?: Record<string, AnyAggregate>;
  /** Handler modules by consumer name, for their lifecycle hooks (onStart, onStop). */
  modules?: Record<string, ConsumerModule>;
  windowStores?: WindowStoreFactories;
  /** `metrics` takes what a transport reports itself, such as Kafka consumer lag. */
  createTransport: (config: Config<S["broker"]>, log: Logger, metrics: ServiceMetrics) => Transport;
  stores?: StoreFactories;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
}

export interface ServiceHandle {
  config: Config;
  /** The port the HTTP server listens on (useful with PORT=0). */
  port: number;
  log: Logger;
  metrics: ServiceMetrics;
  transport: Transport;
  publisher: Publisher<Record<string, unknown>>;
  /** Stops HTTP, lets in-flight handlers finish, closes everything. Safe to call twice. */
  stop(): Promise<void>;
}

type StoreKind = "memory" | "redis" | "postgres";

/**
 * The pipeline bounds every store call by IDEMPOTENCY_TIMEOUT_MS and decides; the client's own,
 * longer timeout then ends the call it gave up on, so that unanswered calls do not pile up.
 */
const clientTimeoutMs = (config: Config) => 2 * config.storeTimeoutMs;

function openStore(
  kind: StoreKind,
  service: ServiceDef,
  config: Config,
  stores: StoreFactories,
  log: Logger,
): IdempotencyStore {
  if (kind === "redis" && config.redisUrl) {
    if (!stores.redis) throw new Error("a consumer uses idempotency redis but no redis store factory was given");
    return stores.redis({ url: config.redisUrl, log, timeoutMs: clientTimeoutMs(config) });
  }
  if (kind === "postgres" && config.databaseUrl) {
    if (!stores.postgres)
      throw new Error("a consumer uses idempotency postgres but no postgres store factory was given");
    // Rows of the consumers this process runs are pruned once past their ttl.
    const retention = config.consumers
      .map((name) => service.consumers[name]!)
      .filter((consumer) => consumer.idempotency === "postgres")
      .map((consumer) => ({ consumer: consumer.group, ttlMs: consumer.idempotencyTtlMs }));
    return stores.postgres({
      connectionString: config.databaseUrl,
      log,
      timeoutMs: clientTimeoutMs(config),
      retention,
    });
  }
  // loadConfig only lets a URL be missing on the in-memory transport (npm run dev).
  if (kind !== "memory") log.info({ store: kind }, `no URL for the ${kind} idempotency store: using memory`);
  return createMemoryStore();
}

function openWindowStore(
  kind: WindowDef["store"],
  config: Config,
  factories: WindowStoreFactories,
  log: Logger,
): WindowStore {
  if (kind === "redis" && config.redisUrl) {
    if (!factories.redis)
      throw new Error("a consumer keeps windows in redis but no redis window store factory was given");
    return factories.redis({ url: config.redisUrl, log, timeoutMs: clientTimeoutMs(config) });
  }
  if (kind === "postgres" && config.databaseUrl) {
    if (!factories.postgres)
      throw new Error("a consumer keeps windows in postgres but no postgres window store factory was given");
    return factories.postgres({ connectionString: config.databaseUrl, log, timeoutMs: clientTimeoutMs(config) });
  }
  // loadConfig only lets a URL be missing on the in-memory transport (npm run dev).
  if (kind !== "memory") log.info({ store: kind }, `no URL for the ${kind} window store: using memory`);
  return createMemoryWindowStore();
}

/** Starts the service in this process; throws ConfigError or any startup error (after cleaning up). */
export async function startService<S extends ServiceDef>(options: ServiceOptions<S>): Promise<ServiceHandle> {
  const { service } = options;
  const { brokerConfig } = options;
  const config = loadConfig(service, options.env ?? process.env, { brokerConfig });
  const log = createLogger({ level: config.logLevel, name: service.service });
  const metrics = createMetrics();
  // Undone in reverse order on stop, or when startup fails halfway.
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse().splice(0)) {
      await cleanup().catch((error: unknown) => log.error({ err: errorMessage(error) }, "shutdown step failed"));
    }
  };

  try {
    const transport = options.createTransport(config, log, metrics);
    cleanups.push(() => transport.close());
    await transport.connect();

    const stores = new Map<StoreKind, IdempotencyStore>();
    for (const name of config.consumers) {
      const kind = service.consumers[name]!.idempotency;
      if (kind === "none" || stores.has(kind)) continue;
      const store = openStore(kind, service, config, options.stores ?? {}, log);
      cleanups.push(() => store.close());
      stores.set(kind, store);
    }
    // The HTTP ingress remembers Idempotency-Keys and CloudEvents in the service's Redis or
    // PostgreSQL when it has one (shared by replicas); else in a memory store of its own, so that
    // a flood of requests cannot push out what the consumers remember.
    const httpStoreKind =
      config.redisUrl && options.stores?.redis
        ? "redis"
        : config.databaseUrl && options.stores?.postgres
          ? "postgres"
          : "memory";
    let httpStore = httpStoreKind === "memory" ? undefined : stores.get(httpStoreKind);
    if (!httpStore) {
      const store = openStore(httpStoreKind, service, config, options.stores ?? {}, log);
      cleanups.push(() => store.close());
      if (httpStoreKind !== "memory") stores.set(httpStoreKind, store);
      httpStore = store;
    }
    const httpIdempotency = createHttpIdempotency(service.service, httpStore, config.storeTimeoutMs, log);
    const windowStores = new Map<WindowDef["store"], WindowStore>();
    for (const name of config.consumers) {
      const kind = service.consumers[name]!.window?.store;
      if (kind === undefined || windowStores.has(kind)) continue;
      const store = openWindowStore(kind, config, options.windowStores ?? {}, log);
      cleanups.push(() => store.close());
      windowStores.set(kind, store);
    }
    const probed = new Map<string, Pick<IdempotencyStore, "ping">>(stores);
    for (const [kind, store] of windowStores) probed.set(`window ${kind}`, store);
    const storeProbe = watchStores(probed, config.storeTimeoutMs, log);
    cleanups.push(() => storeProbe.stop());
    await storeProbe.check();

    const publisher = createPublisher<Record<string, unknown>>(service, transport, {
      metrics,
      countUnrouted: brokerConfig.keepsUnrouted,
    });
    cleanups.push(() => publisher.close());

    // Stopped after the subscriptions (no handler runs any more) and before the publisher closes.
    const hooks: RunningHooks[] = [];
    cleanups.push(async () => {
      await Promise.all(hooks.map((h) => h.stop()));
    });
    const closers: WindowCloser[] = [];
    cleanups.push(async () => {
      await Promise.all(closers.map((c) => c.stop()));
    });
    const subscriptions: Subscription[] = [];
    cleanups.push(async () => {
      await Promise.all(subscriptions.map((s) => s.stop()));
    });
    let subscribed = false;

    // HTTP first: publishing and the probes serve at once, while consumers join their groups
    // (on Kafka a join waits for the whole group, up to its session timeout).
    const server = createHttpServer({
      service,
      publisher,
      isReady: () => subscribed && transport.isReady() && storeProbe.reachable,
      notReady: () => {
        const states = transport.consumerStates?.() ?? {};
        const joining = Object.entries(states).filter(([, state]) => state !== "joined" && state !== "rebalancing");
        return [
          ...(subscribed ? [] : ["consumers"]),
          ...joining.map(([name, state]) => `consumer ${name} (${state})`),
          ...(transport.isReady() || joining.length > 0 ? [] : ["broker"]),
          ...storeProbe.down.map((kind) =>
            kind.startsWith("window ") ? `${kind} store` : `idempotency store ${kind}`,
          ),
        ];
      },
      ...(transport.consumerStates ? { consumerStates: () => transport.consumerStates!() } : {}),
      registry: metrics.registry,
      metrics,
      log,
      clients: config.apiClients,
      idempotency: httpIdempotency,
      bodyLimit: config.httpBodyLimit,
      bodyTimeoutMs: config.httpBodyTimeoutMs,
      bodyBufferLimit: config.httpBufferLimit,
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, () => resolve());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    );

    for (const name of config.consumers) {
      const consumer = service.consumers[name]!;
      let handlers = options.handlers[name];
      if (isWindowConsumer(consumer)) {
        const aggregate = options.aggregates?.[name];
        if (!aggregate) throw new Error(`no aggregate given for window consumer ${name}`);
        const windowed = {
          consumer,
          aggregate,
          store: windowStores.get(consumer.window.store)!,
          publisher,
          log,
          metrics,
        };
        handlers = windowHandlers(windowed);
        closers.push(startWindowCloser(windowed));
      }
      if (!handlers) throw new Error(`no handlers given for consumer ${name}`);
      hooks.push(await startHooks(consumer, options.modules?.[name], publisher, log, consumer.timeoutMs || undefined));
      const circuit = circuitFor(consumer, log, metrics);
      const handle = createPipeline({
        service,
        consumer,
        handlers,
        publisher,
        ...(consumer.idempotency === "none" ? {} : { idempotency: stores.get(consumer.idempotency)! }),
        log,
        metrics,
        storeTimeoutMs: config.storeTimeoutMs,
        ...(circuit ? { circuit } : {}),
      });
      subscriptions.push(await transport.subscribe(consumer, handle, circuit));
    }
    subscribed = true;
    const port = (server.address() as AddressInfo).port;
    log.info({ port, consumers: config.consumers, transport: transport.kind }, "service started");

    let stopping: Promise<void> | undefined;
    return {
      config,
      port,
      log,
      metrics,
      transport,
      publisher,
      stop: () =>
        (stopping ??= cleanUp().then(() => {
          log.info({}, "service stopped");
        })),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

const isWindowConsumer = (consumer: ConsumerDef): consumer is ConsumerDef & { window: WindowDef } =>
  consumer.window !== undefined;

/**
 * The entry point of a service process: like startService, plus exit codes. A configuration
 * problem prints its message and exits 1; SIGTERM/SIGINT stop the service and exit 0, or 1 when
 * stopping takes longer than SHUTDOWN_TIMEOUT (a second signal exits at once).
 */
export async function runService<S extends ServiceDef>(options: ServiceOptions<S>): Promise<ServiceHandle> {
  let handle: ServiceHandle;
  try {
    handle = await startService(options);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `Could not start: ${errorMessage(error)}`);
    process.exit(1);
  }
  const { log, config } = handle;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      log.error({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    shuttingDown = true;
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, "shutting down");
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, "shutdown timed out");
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    handle.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: errorMessage(error) }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    ...handle,
    stop: () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      return handle.stop();
    },
  };
}
