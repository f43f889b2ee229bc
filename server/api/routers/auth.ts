import { createTRPCRouter, publicProcedure } from "../trpc";
import { signUpInput } from "../schemas/account";
import { signUp } from "../../services/users/users";
import { enabledSsoProviders } from "../../auth/sso";
import { clientAddress } from "../../http/client-address";

export const authRouter = createTRPCRouter({
  signUp: publicProcedure.input(signUpInput).mutation(({ ctx, input }) => signUp({ ...input, clientAddress: clientAddress(ctx) })),
  ssoProviders: publicProcedure.query(() => enabledSsoProviders()),
});
