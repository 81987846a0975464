// Reading CloudEvents attributes from Kafka record headers, as kafkajs hands them over: views of
// one fetched buffer, reused for the next fetch. Values kept from one record to the next must
// never leak into another record's attributes.
import { describe, expect, it } from "vitest";
import {
  attributeHeaders,
  entryHeaderAttributes,
  headerAttributes,
  headerNameDecoder,
} from "../../templates/runtime/kafka/headers.js";
import type { CloudEventAttributes } from "../../templates/runtime/core/types.js";
import { orderAttributes } from "./fixtures.js";

/** The headers of `attrs` as kafkajs decodes them: Buffers that are views of one shared buffer. */
function fetched(shared: Buffer, attrs: CloudEventAttributes): Record<string, Buffer> {
  const headers: Record<string, Buffer> = {};
  let offset = 0;
  for (const [name, value] of Object.entries(attributeHeaders(attrs))) {
    const length = shared.write(String(value), offset);
    headers[name] = shared.subarray(offset, offset + length);
    offset += length;
  }
  return headers;
}

describe("Kafka headers", () => {
  it("read back the attributes they were written from, record after record in a reused buffer", () => {
    const shared = Buffer.alloc(4096);
    const records = [
      orderAttributes(),
      orderAttributes({ id: "e-2", dataversion: "2" }),
      orderAttributes({
        id: "e-3",
        type: "order.shipped",
        source: "/shöp",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      }),
      orderAttributes({ id: "e-4", type: "order.created" }),
      orderAttributes({ id: "e-5", type: "order.cancels", source: "/shop" }), // same length as order.created
      orderAttributes({ id: "e-6", type: "order.created" }),
    ];
    for (const record of records) {
      shared.fill(0);
      expect(headerAttributes(fetched(shared, record))).toEqual(record);
    }
  });

  it("take the first of repeated headers, and read absent ones as undefined", () => {
    const headers = {
      ce_type: [Buffer.from("order.created"), Buffer.from("order.shipped")],
      ce_id: Buffer.from("e-1"),
    };
    expect(headerAttributes(headers)).toEqual({ type: "order.created", id: "e-1" });
    expect(headerAttributes(undefined)).toEqual({});
  });

  it("read back from @platformatic/kafka's entries, names decoded once per position and checked byte by byte", () => {
    const decode = headerNameDecoder();
    const shared = Buffer.alloc(4096);
    /** The entries of `headers` as the client reads them: names and values views of one reused buffer. */
    const entries = (headers: Array<[string, string]>): Array<[string, Buffer]> => {
      shared.fill(0);
      const record = {};
      let offset = 0;
      const view = (text: string) => {
        const length = shared.write(text, offset);
        offset += length;
        return shared.subarray(offset - length, offset);
      };
      return headers.map(([name, value]) => {
        const bytes = view(name);
        return [decode(bytes, record), view(value)];
      });
    };
    const records = [
      orderAttributes(),
      orderAttributes({ id: "e-2", dataversion: "2" }),
      orderAttributes({ id: "e-3", type: "order.shipped", source: "/shöp", subject: "o-1" }),
      orderAttributes({ id: "e-4" }),
    ];
    for (const record of records) {
      const headers = Object.entries(attributeHeaders(record)).map(([name, value]) => [name, String(value)]);
      expect(entryHeaderAttributes(entries(headers as Array<[string, string]>))).toEqual(record);
      // The same headers in another order, and names of the same length in a known name's place.
      const reversed = entries([["ce_ix", "x"], ...(headers.reverse() as Array<[string, string]>)]);
      expect(reversed[0]![0]).toBe("ce_ix");
      expect(entryHeaderAttributes(reversed)).toEqual({ ...record, ix: "x" });
    }
    // A repeated header: the last one, as in the client's Map of the headers; extensions by name.
    expect(
      entryHeaderAttributes(
        entries([
          ["ce_type", "order.created"],
          ["ce_id", "e-1"],
          ["ce_type", "order.shipped"],
          ["ce_region", "eu"],
          ["x-other", "1"],
        ]),
      ),
    ).toMatchObject({ type: "order.shipped", id: "e-1", region: "eu", source: undefined });
  });
});
