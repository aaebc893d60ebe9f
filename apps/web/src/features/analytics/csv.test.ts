import { describe, expect, it } from "vitest";
import { dailyTrendCsv } from "./csv";

describe("dailyTrendCsv", () => {
  it("writes a header and one line per day, in order", () => {
    const csv = dailyTrendCsv([
      {
        date: "2026-03-01",
        conversations: 2,
        messages: 4,
        uniqueUsers: 2,
        botResponses: 1,
        handoffs: 1,
        deflected: 1,
        failedGenerations: 0,
      },
      {
        date: "2026-03-02",
        conversations: 3,
        messages: 5,
        uniqueUsers: 3,
        botResponses: 1,
        handoffs: 2,
        deflected: 1,
        failedGenerations: 1,
      },
    ]);
    expect(csv).toBe(
      "date,conversations,messages,unique_users,bot_responses,handoffs,deflected,failed_generations\r\n" +
        "2026-03-01,2,4,2,1,1,1,0\r\n2026-03-02,3,5,3,1,2,1,1\r\n",
    );
  });
});
