import { createTRPCRouter, publicProcedure } from "../trpc";
import { signUpInput } from "../schemas/account";
import { signUp } from "../../services/users/users";
import { enabledSsoProviders } from "../../auth/sso";

export const authRouter = createTRPCRouter({
  signUp: publicProcedure.input(signUpInput).mutation(({ input }) => signUp(input)),
  ssoProviders: publicProcedure.query(() => enabledSsoProviders()),
});
