import type { Metadata } from "next";
import { Suspense } from "react";
import { SimulatorPage } from "@/features/simulator/simulator-page";

export const metadata: Metadata = { title: "Simulator" };

export default function Page() {
  // SimulatorPage reads `?tab=` with useSearchParams, which needs a Suspense boundary to prerender.
  return (
    <Suspense>
      <SimulatorPage />
    </Suspense>
  );
}
