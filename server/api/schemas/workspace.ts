import { z } from "zod";
import { ROLES } from "../../auth/roles";

export const workspaceName = z.string().trim().min(1, "Give the workspace a name").max(80, "Use at most 80 characters");
export const createWorkspaceInput = z.object({ name: workspaceName });
export const roleInput = z.enum(ROLES);
