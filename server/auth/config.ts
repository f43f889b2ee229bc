import type { NextAuthConfig } from "next-auth";
// From @auth/core (what next-auth re-exports) so that this config also loads outside Next.js:
// request-session.ts and the tests run it through Auth.js directly.
import { CredentialsSignin } from "@auth/core/errors";
import Credentials from "@auth/core/providers/credentials";
import GitHub from "@auth/core/providers/github";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { db } from "../db";
import { env } from "../env";
import { clientAddress } from "../http/client-address";
import { AppError } from "../lib/app-error";
import { authorizeCredentials } from "./credentials";
import { endSession, isSessionLive, SESSION_MAX_AGE_SECONDS, startSession } from "./sessions";
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
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  // next-auth's default, spelled out for request-session.ts, which calls Auth.js directly.
  basePath: "/api/auth",
  secret: env.AUTH_SECRET,
  trustHost: true,
  useSecureCookies: secureCookies,
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        try {
          return await authorizeCredentials(credentials, clientAddress(request));
        } catch (error) {
          if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") throw new RateLimited();
          throw error;
        }
      },
    }),
    ...ssoProviders(),
  ],
  callbacks: {
    /**
     * Runs at sign-in (with `user`) and on every session read. A sign-in opens a UserSession row;
     * afterwards the token is good only while its row exists (null clears the cookie), which is
     * what makes sign-out and removal end a session at once. Tokens from before revocable
     * sessions carry no `sid` and end too.
     */
    async jwt({ token, user }) {
      if (user?.id) {
        token.sub = user.id;
        token.sid = await startSession(user.id);
        return token;
      }
      const live = typeof token.sid === "string" && !!token.sub && (await isSessionLive(token.sid, token.sub));
      return live ? token : null;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    async signOut(message) {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (typeof sid === "string") await endSession(sid);
    },
  },
};
