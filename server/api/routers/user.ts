import { createTRPCRouter, protectedProcedure } from "../trpc";
import { setLocaleInput } from "../schemas/account";
import { getProfile, setLocale } from "../../services/users/users";

export const userRouter = createTRPCRouter({
  me: protectedProcedure.query(({ ctx }) => getProfile({ userId: ctx.userId })),
  setLocale: protectedProcedure.input(setLocaleInput).mutation(({ ctx, input }) => setLocale({ userId: ctx.userId, locale: input.locale })),
});
