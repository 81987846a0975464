// Properties of the HTTP body reader and JSON parser (templates/runtime/core/http-body.ts), over
// random bodies, chunkings and nestings: never a throw, exact bytes or a refusal with its status,
// the shared budget never exceeded and always given back.
import fc from "fast-check";
import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  BodyBudget,
  MAX_JSON_DEPTH,
  isJsonContentType,
  parseJson,
  readBody,
} from "../../templates/runtime/core/http-body.js";

/** A request whose body arrives in these chunks, one per event-loop turn. */
function request(chunks: Uint8Array[], announce: boolean): IncomingMessage {
  const stream = new PassThrough();
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  Object.assign(stream, { headers: announce ? { "content-length": String(length) } : {} });
  void (async () => {
    for (const chunk of chunks) {
      await new Promise((resolve) => setImmediate(resolve));
      stream.write(Buffer.from(chunk));
    }
    stream.end();
  })();
  return stream as unknown as IncomingMessage;
}

const chunked = fc.array(fc.uint8Array({ minLength: 1, maxLength: 700 }), { maxLength: 8 });

/** Nested arrays and objects, `depth` levels in all. */
const nestedJson = (depth: number, objects: boolean[]) => {
  let text = "1";
  for (let level = 0; level < depth; level++) text = objects[level % objects.length] ? `{"k":${text}}` : `[${text}]`;
  return text;
};

describe("HTTP body parser", () => {
  it("never throws on any bytes: a value or a message", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const parsed = parseJson(Buffer.from(bytes));
        if (!parsed.ok) expect(typeof parsed.message).toBe("string");
      }),
    );
  });

  it("gives back any JSON value it is sent, as JSON.parse reads it", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (value) => {
        const text = JSON.stringify(value);
        expect(parseJson(Buffer.from(text))).toEqual({ ok: true, value: JSON.parse(text) });
      }),
    );
  });

  it(`takes nesting up to ${MAX_JSON_DEPTH} levels and refuses deeper, without overflowing`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        (depth, objects) => {
          const parsed = parseJson(Buffer.from(nestedJson(depth, objects)));
          expect(parsed.ok).toBe(depth <= MAX_JSON_DEPTH);
          if (!parsed.ok) expect(parsed.message).toBe(`nested deeper than ${MAX_JSON_DEPTH} levels`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses a body with bytes that are not UTF-8, wherever they are", () => {
    const invalid = fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf]);
    fc.assert(
      fc.property(fc.string(), invalid, fc.nat(), (text, bad, at) => {
        const good = Buffer.from(JSON.stringify(text));
        const cut = at % (good.length + 1);
        const body = Buffer.concat([good.subarray(0, cut), Buffer.from(bad), good.subarray(cut)]);
        expect(parseJson(body)).toEqual({ ok: false, message: "body is not UTF-8" });
      }),
    );
  });

  it("accepts application/json with any parameters and any case, and nothing else", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("application/json", "Application/JSON", " application/json "),
        fc.string(),
        (type, rest) => {
          expect(isJsonContentType(`${type};${rest}`)).toBe(true);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string(), (type) => {
        expect(isJsonContentType(type)).toBe(type.split(";", 1)[0]!.trim().toLowerCase() === "application/json");
      }),
    );
    expect(isJsonContentType(undefined)).toBe(false);
    expect(isJsonContentType("application/jsonp")).toBe(false);
  });
});

describe("HTTP body reader", () => {
  const limits = { maxBytes: 2048, timeoutMs: 5_000 };

  it("reads any chunking of a body within the limit byte for byte, refuses larger ones with 413, gives the budget back", async () => {
    await fc.assert(
      fc.asyncProperty(chunked, fc.boolean(), async (chunks, announce) => {
        const budget = new BodyBudget(1 << 20);
        const claim = budget.claim();
        const read = await readBody(request(chunks, announce), limits, claim);
        const sent = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
        if (sent.length <= limits.maxBytes) expect(read).toEqual({ ok: true, body: sent });
        else expect(read).toMatchObject({ ok: false, status: 413 });
        expect(budget.inUse).toBe(claim.held);
        claim.release();
        expect(budget.inUse).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it("never holds more than the budget across bodies read at once: the rest get 503", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(chunked, fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 2048, max: 6000 }),
        async (requests, total) => {
          const budget = new BodyBudget(total);
          let peak = 0;
          const reads = requests.map(async ([chunks, announce]) => {
            const claim = budget.claim();
            const take = claim.take.bind(claim);
            claim.take = (bytes) => {
              const taken = take(bytes);
              peak = Math.max(peak, budget.inUse);
              return taken;
            };
            const read = await readBody(request(chunks, announce), limits, claim);
            return { read, claim, size: chunks.reduce((sum, chunk) => sum + chunk.length, 0) };
          });
          const done = await Promise.all(reads);
          expect(peak).toBeLessThanOrEqual(total);
          for (const { read, size } of done) {
            if (read.ok) expect(read.body.length).toBe(size);
            // A chunked body past the limit may run out of budget before it runs past the limit.
            else expect(size > limits.maxBytes ? [413, 503] : [503]).toContain(read.status);
          }
          done.forEach(({ claim }) => claim.release());
          expect(budget.inUse).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("answers 408 to a body that stops arriving", async () => {
    const stream = new PassThrough();
    Object.assign(stream, { headers: { "content-length": "10" } });
    stream.write("{");
    const claim = new BodyBudget(100).claim();
    const read = await readBody(stream as unknown as IncomingMessage, { maxBytes: 100, timeoutMs: 50 }, claim);
    expect(read).toEqual({ ok: false, status: 408, error: "body not received within 50 ms" });
  });
});
