import { describe, expect, it } from "vitest";
import { z } from "zod";
import "./index.ts";

const messages = (schema: z.ZodType, input: unknown) =>
  Object.fromEntries(schema.safeParse(input).error!.issues.map((i) => [i.path.join(".") || "(body)", i.message]));

describe("validation messages in plain words", () => {
  const schema = z
    .object({
      count: z.number().int().min(1).max(100),
      name: z.string().min(1).max(3),
      code: z.string().min(2),
      kind: z.enum(["a", "b"]),
      site: z.url(),
      email: z.email(),
      tags: z.array(z.string()).max(1),
      flag: z.boolean(),
      own: z.string().min(5, "write at least five letters"),
    })
    .strict();

  it("says what is wrong without zod's jargon", () => {
    expect(
      messages(schema, {
        count: 0,
        name: "",
        code: "x",
        kind: "c",
        site: "nope",
        email: "nope",
        tags: ["a", "b"],
        flag: "yes",
        own: "abc",
        extra: 1,
      }),
    ).toEqual({
      count: "must be at least 1",
      name: "must not be empty",
      code: "at least 2 characters",
      kind: 'must be one of "a", "b"',
      site: "enter a full address starting with https://",
      email: "enter an e-mail address such as name@example.com",
      tags: "at most 1 item",
      flag: "must be true or false",
      own: "write at least five letters",
      "(body)": 'unknown field "extra"',
    });
    expect(messages(schema, { count: 1.5, name: "abcd" })).toMatchObject({
      count: "must be a whole number",
      name: "at most 3 characters",
      code: "required",
    });
    expect(messages(schema, { count: 101 })).toMatchObject({ count: "must be at most 100" });
  });
});
