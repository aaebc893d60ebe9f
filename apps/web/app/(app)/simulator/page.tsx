import type { Metadata } from "next";
import { SimulatorPage } from "@/features/simulator/simulator-page";

export const metadata: Metadata = { title: "Simulator" };

export default function Page() {
  return <SimulatorPage />;
}
