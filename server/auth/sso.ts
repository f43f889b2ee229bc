import { env } from "../env";

/**
 * Which single-sign-on providers are switched on by env. Kept free of next-auth imports so
 * the tRPC router (and its tests) can list them without loading Next.js.
 */
export interface SsoProvider {
  id: "github" | "oidc";
  name: string;
}

export function enabledSsoProviders(): SsoProvider[] {
  const providers: SsoProvider[] = [];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) providers.push({ id: "github", name: "GitHub" });
  if (env.AUTH_OIDC_ISSUER && env.AUTH_OIDC_ID && env.AUTH_OIDC_SECRET) providers.push({ id: "oidc", name: "SSO" });
  return providers;
}
