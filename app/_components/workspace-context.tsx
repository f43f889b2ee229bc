"use client";

import { createContext, useContext, type ReactNode } from "react";

export interface CurrentWorkspace {
  id: string;
  name: string;
  slug: string;
  role: "OWNER" | "EDITOR" | "VIEWER";
}

const WorkspaceContext = createContext<CurrentWorkspace | null>(null);

export function WorkspaceProvider({ workspace, children }: { workspace: CurrentWorkspace; children: ReactNode }) {
  return <WorkspaceContext.Provider value={workspace}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): CurrentWorkspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useWorkspace outside a workspace page");
  return workspace;
}

/** UI hint only: the server refuses anyway. Hides controls a role cannot use. */
export function useCan(min: CurrentWorkspace["role"]): boolean {
  const rank = { VIEWER: 1, EDITOR: 2, OWNER: 3 } as const;
  return rank[useWorkspace().role] >= rank[min];
}
