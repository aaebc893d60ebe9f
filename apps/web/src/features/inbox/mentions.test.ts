import { describe, expect, it } from "vitest";
import { mentionName, mentionsIn } from "./mentions";

const ann = { id: "mem_ann", userId: "usr_ann", name: "Ann Lee", email: "ann@shop.test" };
const bo = { id: "mem_bo", userId: "usr_bo", name: null, email: "bo.k@shop.test" };

describe("mentions in a note", () => {
  it("writes a member by name, else by the start of their e-mail address", () => {
    expect(mentionName(ann)).toBe("Ann Lee");
    expect(mentionName(bo)).toBe("bo.k");
    expect(mentionName({ name: "  ", email: "x@y.z" })).toBe("x");
  });

  it("keeps the members still written in the text, each once", () => {
    expect(mentionsIn("@Ann Lee and @bo.k, see this", [ann, bo, ann])).toEqual(["mem_ann", "mem_bo"]);
    // "@Ann Lee" deleted by hand after picking: Ann is not mentioned.
    expect(mentionsIn("@bo.k see this", [ann, bo])).toEqual(["mem_bo"]);
    expect(mentionsIn("Ann Lee without the @", [ann])).toEqual([]);
  });
});
