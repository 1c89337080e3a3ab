import { ROW_STATUS_LABELS } from '@shared/domain';
import type { SavedView } from '@shared/api/views';
import { errorMessage, invoke } from '../../api/client';
import { approveSelection } from '../../actions';
import { TAB_ORDER, useUi } from '../../state/ui-store';
import { toast } from '../../state/toast-store';
import { useRefundsUi } from '../refunds/refund-store';
import { useHelp } from '../help/help-store';
import { HELP_TOPICS } from '../help/topics';
import { applySavedView } from '../views/apply-view';

// What the Ctrl+K palette offers: each command a title to match against, a
// group shown beside it, and what it does.

export type PaletteCommand = Readonly<{ id: string; title: string; group: string; keywords?: readonly string[]; run: () => void }>;

const TAB_TITLES = { ...ROW_STATUS_LABELS, all: 'All' } as const;

export function paletteCommands(views: readonly SavedView[]): PaletteCommand[] {
  const ui = () => useUi.getState();
  const commands: PaletteCommand[] = [
    ...TAB_ORDER.map((tab, i) => ({ id: `tab-${tab}`, title: `Go to ${TAB_TITLES[tab]}`, group: `Tab ${i + 1}`, keywords: [tab], run: () => ui().setActiveTab(tab) })),
    { id: 'approve', title: 'Approve selection', group: 'a', keywords: ['approve selected'], run: () => void approveSelection() },
    {
      id: 'sync',
      title: 'Sync now',
      group: 'PayTrace and ERP',
      keywords: ['refresh', 'download'],
      run: () => void invoke('sync:now', {}).catch((e: unknown) => toast('error', 'Sync did not start', [errorMessage(e)])),
    },
    { id: 'settings', title: 'Open settings', group: 'Settings', keywords: ['preferences', 'connections'], run: () => ui().setSettingsOpen(true) },
    { id: 'refunds', title: 'Open refunds queue', group: 'Refunds', keywords: ['refund', 'approvals', 'take back'], run: () => useRefundsUi.getState().setOpen(true) },
    { id: 'search', title: 'Search transactions', group: '/', keywords: ['find', 'filter'], run: () => document.querySelector<HTMLInputElement>('[data-testid="quick-filter"]')?.focus() },
    { id: 'shortcuts', title: 'Keyboard shortcuts', group: '?', keywords: ['keys', 'help'], run: () => useHelp.getState().setShortcutsOpen(true) },
    ...views
      .filter((v) => v.view !== null)
      .map((v) => ({ id: `view-${v.id}`, title: `View: ${v.name}`, group: 'Saved view', keywords: ['saved view'], run: () => applySavedView(v) })),
    ...HELP_TOPICS.map((t) => ({ id: `help-${t.id}`, title: `Help: ${t.title}`, group: 'Help', keywords: ['docs'], run: () => useHelp.getState().openTopic(t.id) })),
  ];
  return commands;
}
