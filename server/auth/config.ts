import type { NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { CredentialsSignin } from "next-auth";
import { db } from "../db";
import { env } from "../env";
import { AppError } from "../lib/app-error";
import { authorizeCredentials } from "./credentials";
import { enabledSsoProviders } from "./sso";

class RateLimited extends CredentialsSignin {
  code = "rate_limited";
}

/** SSO providers switched on by env (see sso.ts). */
function ssoProviders(): NextAuthConfig["providers"] {
  return enabledSsoProviders().map((provider) =>
    provider.id === "github"
      ? GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET })
      : {
          id: "oidc",
          name: provider.name,
          type: "oidc" as const,
          issuer: env.AUTH_OIDC_ISSUER,
          clientId: env.AUTH_OIDC_ID,
          clientSecret: env.AUTH_OIDC_SECRET,
        },
  );
}

// Secure cookies need https; on plain-http localhost the browser would drop them.
const secureCookies = env.AUTH_URL?.startsWith("https://") ?? false;

export const authConfig: NextAuthConfig = {
  // Credentials sign-in requires JWT sessions; the adapter still links SSO accounts to users.
  adapter: PrismaAdapter(db as never),
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  secret: env.AUTH_SECRET,
  trustHost: true,
  useSecureCookies: secureCookies,
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        const address = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null;
        try {
          return await authorizeCredentials(credentials, address);
        } catch (error) {
          if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") throw new RateLimited();
          throw error;
        }
      },
    }),
    ...ssoProviders(),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
};
