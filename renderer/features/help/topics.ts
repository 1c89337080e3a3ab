import workQueue from '../../../docs/work-queue.md?raw';
import matching from '../../../docs/matching.md?raw';
import usersAndRefunds from '../../../docs/users-and-refunds.md?raw';
import offline from '../../../docs/offline.md?raw';
import team from '../../../docs/team.md?raw';

// The docs pages the in-app Help shows, bundled at build time (Vite `?raw`):
// the same Markdown as docs/, so the help is the documentation, not a copy.

export type HelpTopic = Readonly<{ id: string; title: string; markdown: string }>;

export const HELP_TOPICS: readonly HelpTopic[] = [
  { id: 'work-queue', title: 'Work queue: search, views, bulk actions, shortcuts', markdown: workQueue },
  { id: 'matching', title: 'How payments are matched', markdown: matching },
  { id: 'users-and-refunds', title: 'Users, roles and refunds', markdown: usersAndRefunds },
  { id: 'offline', title: 'Working offline and hand-off files', markdown: offline },
  { id: 'team', title: 'Team workspace', markdown: team },
];

export function helpTopic(id: string): HelpTopic {
  return HELP_TOPICS.find((t) => t.id === id) ?? HELP_TOPICS[0]!;
}
