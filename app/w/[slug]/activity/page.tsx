import { ActivityFeed } from "./activity-feed";

export default function ActivityPage() {
  return <ActivityFeed />;
}
