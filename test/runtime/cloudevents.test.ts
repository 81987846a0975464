// The client-neutral CloudEvents decoding every receiver shares (cloudevents.ts): both content
// modes, the version rule, optional attributes and what is refused.
import { describe, expect, it } from "vitest";
import { dataschemaOf, decodeCloudEvent, isStructuredMode } from "../../templates/runtime/core/cloudevents.js";
import { ORDER_ID, order, shopService } from "./fixtures.js";

const { events } = shopService();
const SHIPPED = { orderId: ORDER_ID, carrier: "dhl", trackingUrl: "https://track.example.com/1" };
const context = { id: "e-1", type: "order.shipped", source: "/elsewhere", specversion: "1.0" };
const binary = (attributes: Record<string, string | undefined>, data: unknown = SHIPPED) =>
  decodeCloudEvent(
    events,
    { ...context, datacontenttype: "application/json", ...attributes },
    Buffer.from(JSON.stringify(data)),
  );
const structured = (event: Record<string, unknown>, contentType = "application/cloudevents+json; charset=utf-8") =>
  decodeCloudEvent(events, { datacontenttype: contentType }, Buffer.from(JSON.stringify({ ...context, ...event })));

describe("CloudEvents decoding", () => {
  it.each([
    ["dataversion names it", { dataversion: "1" }, 1],
    ["else a dataschema ending in v<N>", { dataschema: "https://schemas.example.com/order.shipped/v1.json" }, 1],
    ["a URN dataschema, as evgen's producers write it", { dataschema: dataschemaOf("order.shipped", 1) }, 1],
    ["dataversion before dataschema", { dataversion: "2", dataschema: dataschemaOf("order.shipped", 1) }, 2],
    [
      "a dataschema naming no version: the highest version accepting the data",
      { dataschema: "https://example.com/s" },
      2,
    ],
    ["neither: the highest version accepting the data", {}, 2],
  ])("picks the version: %s", (_name, attributes, version) => {
    expect(binary(attributes)).toMatchObject({ ok: true, event: { dataversion: version } });
  });

  it("falls back to a lower version when the higher ones refuse the data", () => {
    const v2 = events["order.shipped"]!;
    const strict = {
      ...events,
      "order.shipped": { ...v2, versions: { ...v2.versions, 3: v2.versions[1]!.refine(() => false) } },
    };
    const decoded = decodeCloudEvent(strict, { ...context }, Buffer.from(JSON.stringify(SHIPPED)));
    expect(decoded).toMatchObject({ ok: true, event: { dataversion: 2 } });
  });

  it("reads a structured event: attributes, data, extensions as text, optional time left out", () => {
    expect(structured({ data: SHIPPED, subject: "orders/1", priority: 5, urgent: true, traceparent: "bad" })).toEqual({
      ok: true,
      event: {
        ...context,
        dataversion: 2,
        data: SHIPPED,
        subject: "orders/1",
        extensions: { priority: "5", urgent: "true" },
      },
    });
  });

  it("reads data_base64 of a structured event as the JSON it encodes", () => {
    const data_base64 = Buffer.from(JSON.stringify(SHIPPED)).toString("base64");
    expect(structured({ data_base64, dataversion: 2 })).toMatchObject({ ok: true, event: { data: SHIPPED } });
  });

  it.each([
    [
      "a structured body that is not an object",
      () => decodeCloudEvent(events, { datacontenttype: "application/cloudevents+json" }, Buffer.from("[1]")),
      /structured event is a JSON array/,
    ],
    [
      "an attribute of the wrong JSON type",
      () => structured({ id: 7, data: SHIPPED }),
      /attribute id is a number, not a string/,
    ],
    ["a batch", () => structured({}, "application/cloudevents-batch+json"), /batched CloudEvents are not accepted/],
    [
      "data that is not JSON",
      () => binary({ datacontenttype: "application/xml" }),
      /unsupported datacontenttype "application\/xml"/,
    ],
    ["a missing source", () => binary({ source: undefined }), /missing CloudEvents attribute\(s\): source/],
    ["a time that is not RFC 3339", () => binary({ time: "yesterday" }), /invalid time "yesterday"/],
    ["an unknown type", () => binary({ type: "order.lost" }), /unknown event type "order.lost"/],
    [
      "a dataversion that is no number",
      () => binary({ dataversion: "v2" }),
      /unknown dataversion "v2" of order.shipped \(known: 1, 2\)/,
    ],
    [
      "data no version accepts",
      () => binary({}, { orderId: "x" }),
      /payload matches no version of order.shipped \(no dataversion; v2: orderId/,
    ],
  ])("refuses %s", (_name, decode, problem) => {
    const decoded = decode();
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? "" : decoded.problem).toMatch(problem);
  });

  it("refuses a body that is not UTF-8, and keeps one that carries U+FFFD itself", () => {
    const body = (text: string, ...tail: number[]) => Buffer.concat([Buffer.from(text), Buffer.from(tail)]);
    const attributes = { ...context, datacontenttype: "application/json", dataversion: "2" };
    const json = JSON.stringify({ ...SHIPPED, carrier: "d" }).slice(0, -2);
    // 0xff is no UTF-8 byte: decoding would read it as U+FFFD, a carrier the producer never sent.
    expect(decodeCloudEvent(events, attributes, body(json, 0xff, 0x22, 0x7d))).toEqual({
      ok: false,
      problem: "body is not UTF-8",
    });
    const replaced = { ...SHIPPED, carrier: "d\uFFFDhl" };
    expect(decodeCloudEvent(events, attributes, Buffer.from(JSON.stringify(replaced)))).toMatchObject({
      ok: true,
      event: { data: replaced },
    });
  });

  it("reads each event's own dataversion, whatever the one before", () => {
    const versions = ["2", "1", "1", "v1", "2", "2"].map((dataversion) => {
      const decoded = binary({ dataversion });
      return decoded.ok ? decoded.event.dataversion : "refused";
    });
    expect(versions).toEqual([2, 1, 1, "refused", 2, 2]);
  });

  it("keeps binary mode on application/json and tells structured mode by its media type", () => {
    expect(
      [
        "application/json",
        "application/cloudevents+json",
        "Application/CloudEvents+JSON ; charset=utf-8",
        undefined,
      ].map(isStructuredMode),
    ).toEqual([false, true, true, false]);
    expect(binary({ dataversion: "1" }, order())).toMatchObject({ ok: false });
  });
});
