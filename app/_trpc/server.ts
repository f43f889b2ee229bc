import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createCaller } from "~/server/api/root";
import { createContext } from "~/server/api/trpc";
import { auth } from "~/server/auth";

/** The tRPC caller for server components: same procedures, same authorisation. */
export const serverApi = cache(async () => {
  const session = await auth();
  return createCaller(
    createContext({
      session: session?.user?.id ? { user: { id: session.user.id, email: session.user.email } } : null,
      headers: await headers(),
    }),
  );
});

export const currentSession = cache(() => auth());
