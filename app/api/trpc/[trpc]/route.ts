import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "~/server/api/root";
import { createContext } from "~/server/api/trpc";
import { auth } from "~/server/auth";

const handler = async (req: Request) => {
  const session = await auth();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () =>
      createContext({ session: session?.user?.id ? { user: { id: session.user.id, email: session.user.email } } : null, headers: req.headers }),
    onError({ error, path }) {
      // Internal errors are logged without inputs (which may hold secrets); users see a generic message.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.message);
    },
  });
};

export { handler as GET, handler as POST };
