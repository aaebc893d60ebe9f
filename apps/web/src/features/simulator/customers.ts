/** A customer the simulator plays: a Messenger PSID and the name its profile reports. */
export interface SimulatedCustomer {
  psid: string;
  name: string;
}

/** Ready-made customers, with names in several scripts so profiles and the inbox show them as written. */
export const PRESET_CUSTOMERS: SimulatedCustomer[] = [
  { psid: "7100000000000001", name: "Zoë Müller" },
  { psid: "7100000000000002", name: "สมชาย ใจดี" },
  { psid: "7100000000000003", name: "鈴木 舞" },
  { psid: "7100000000000004", name: "José Álvarez" },
];

/** A fresh 16-digit PSID, shaped like Messenger's page-scoped ids. */
export function newPsid(): string {
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(14)), (b) => b % 10).join("");
  return `72${digits}`;
}
