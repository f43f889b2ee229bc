import { InvitesCard } from "./invites-card";
import { MembersCard } from "./members-card";
import { WorkspaceCard } from "./workspace-card";

export default function SettingsPage() {
  return (
    <div className="space-y-6">
      <WorkspaceCard />
      <MembersCard />
      <InvitesCard />
    </div>
  );
}
