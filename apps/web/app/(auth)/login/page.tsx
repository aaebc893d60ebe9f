import type { Metadata } from "next";
import { Suspense } from "react";
import { LoginForm, LoginSkeleton } from "@/features/auth/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default function LoginPage() {
  // LoginForm reads `?next=` with useSearchParams, which needs a Suspense boundary to prerender.
  return (
    <Suspense fallback={<LoginSkeleton />}>
      <LoginForm />
    </Suspense>
  );
}
