// What the generator needs to know about a broker, in one place (docs/architecture.md, "Brokers"):
// the generator asks the project's descriptor instead of branching on the broker's name.
import type { IR, IRConsumer, IREvent, IRRetry } from "../ir/types.js";
import type { CheckContext } from "../validate/checks/context.js";

export type BrokerName = IR["broker"];

/** The broker-specific fields of the project view, read by the templates and their partials. */
export interface BrokerView {
  /** Runtime module (no extension) of the transport, and of the dead-letter tool, under runtime/. */
  transportModule: string;
  deadLettersModule: string;
  /** Everything else the broker's partials print (templates/<broker>/*.hbs). */
  [field: string]: string | false;
}

export interface BrokerDescriptor {
  name: BrokerName;
  /** As prose names it: "Kafka". */
  label: string;
  /**
   * Folders of templates/runtime copied into the project, besides core/ and memory/; a file is
   * copied when its folder is listed (a subfolder is listed on its own).
   */
  runtimeFolders(ir: IR): string[];
  /** npm packages the runtime folders import (pinned at evgen's versions). */
  dependencies(ir: IR): string[];
  /** The spec's named servers (EVGEN_SERVER picks one), if it names any. */
  servers(ir: IR): Record<string, unknown> | undefined;
  /** The variable that points the service at its broker. */
  connectionEnv: string;
  /** Its service in the generated docker-compose.yml. */
  composeService: string;
  /** What the broker's names are called in messages, and how long they may be. */
  names: {
    /** A name the consumer needs: "Kafka topic", "RabbitMQ queue". */
    channel: string;
    maxBytes: number;
    /** The spec key naming a consumer's group or queue, and what it names. */
    consumerKey: "groupId" | "queue";
    consumerNoun: string;
  };
  /** The names of a consumer's retry stages (by attempt) and of its replay channel, if any. */
  consumerNames(
    group: string,
    retry: { mode: IRRetry["mode"]; delaysMs: readonly number[] },
    deadLetter: boolean,
  ): { retryQueues: string[]; replayTopic?: string };
  /** Its settings in the generated ServiceDef, held under its name (the runtime's BrokerSettings). */
  serviceSettings(ir: IR): object;
  /** Broker-only fields of an EventDef and a ConsumerDef in the generated ServiceDef. */
  eventDefFields(event: IREvent): { routingKey?: string };
  consumerDefFields(consumer: IRConsumer): Record<string, unknown>;
  /** Spec rules of this broker: keys only another broker reads (reported, all at once)... */
  checkKeys(ctx: CheckContext): void;
  /** ...and names it cannot hold, given the names derived for consumers (name -> consumer). */
  checkNames(ctx: CheckContext, derived: ReadonlyMap<string, string>): void;
  /** The view fields of templates/<broker>/ and its partials. */
  view(ir: IR): BrokerView;
}
