import type { ReactNode } from "react";
import { LanguageSwitch } from "../_components/language-switch";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4">
      <div className="mb-6 text-center">
        <div className="text-2xl font-bold text-brand-700">M3 Studio</div>
      </div>
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">{children}</div>
      <div className="mt-4">
        <LanguageSwitch signedIn={false} />
      </div>
    </main>
  );
}
