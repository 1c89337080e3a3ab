import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { connectQueriesToEvents } from '../api/query';
import { startDataFeed } from '../state/data-store';
import { ReconGrid } from '../grid/ReconGrid';
import { useKeyboard } from '../keyboard';
import { Banner } from './Banner';
import { AlertBanners } from '../features/alerts/AlertBanners';
import { ConflictsPanel } from '../features/offline/ConflictsPanel';
import { WorkspaceOfflineBanner } from '../features/offline/WorkspaceOfflineBanner';
import { DetailPanel } from './DetailPanel';
import { ErrorBoundary } from './ErrorBoundary';
import { Footer } from './Footer';
import { Toasts } from './Toasts';
import { Toolbar } from './Toolbar';
import { TopBar } from './TopBar';
import { AuthGate } from '../features/auth/AuthGate';
import { useRefundsUi } from '../features/refunds/refund-store';
import { useHandoff } from '../features/handoff/handoff-store';
import { useUi } from '../state/ui-store';
import { startPresenceFeed } from '../features/team/presence-store';
import { TakeOverDialog } from '../features/team/take-over';
import { usePrintRoute } from '../features/print/print-route';
import { JournalPrintPage } from '../features/print/JournalPrintPage';
import { HelpPanel, ShortcutHelp } from '../features/help/HelpOverlays';
import { CommandPalette } from '../features/palette/CommandPalette';
import { ApprovalDialog } from '../features/approval/ApprovalDialog';
import { UndoWindowBar } from '../features/approval/UndoWindowBar';

// The first screen loads only what it shows: Settings (with the admin tabs),
// the refunds queue and the hand-off screens are fetched the first time they
// open, then stay mounted (so, e.g., Settings reopens on the tab left open).
const SettingsDialog = lazy(() => import('./SettingsDialog').then((m) => ({ default: m.SettingsDialog })));
const RefundsQueue = lazy(() => import('../features/refunds/RefundsQueue').then((m) => ({ default: m.RefundsQueue })));
const HandoffReview = lazy(() => import('../features/handoff/HandoffReview').then((m) => ({ default: m.HandoffReview })));
const ImportDecisions = lazy(() => import('../features/handoff/ImportDecisions').then((m) => ({ default: m.ImportDecisions })));

/** Mounts its children from the first time `wanted` is true on. */
function OnceOpened({ wanted, children }: Readonly<{ wanted: boolean; children: ReactNode }>) {
  const [opened, setOpened] = useState(wanted);
  useEffect(() => {
    if (wanted) setOpened(true);
  }, [wanted]);
  return opened || wanted ? <Suspense fallback={null}>{children}</Suspense> : null;
}

export function App() {
  const printRoute = usePrintRoute();
  return (
    <AuthGate>
      {printRoute ? (
        <div className="print-root">
          <ErrorBoundary area="print page">
            <JournalPrintPage route={printRoute} />
          </ErrorBoundary>
        </div>
      ) : (
        <Workspace />
      )}
    </AuthGate>
  );
}

/** The signed-in app; it mounts (and starts its data feed) only behind the sign-in gate. */
function Workspace() {
  const searchRef = useRef<HTMLInputElement>(null);
  useKeyboard(searchRef);
  useEffect(() => startDataFeed(), []);
  useEffect(() => startPresenceFeed(), []);
  const settingsOpen = useUi((s) => s.settingsOpen);
  const refundsOpen = useRefundsUi((s) => s.open);
  const handoffScreen = useHandoff((s) => s.screen);
  const queryClient = useQueryClient();
  useEffect(() => {
    const disconnect = connectQueriesToEvents(queryClient);
    return () => {
      disconnect();
      // Signed out: the next user must not see this one's cached answers.
      queryClient.clear();
    };
  }, [queryClient]);
  return (
    <div className="app">
      <TopBar />
      <Banner />
      <AlertBanners />
      <ErrorBoundary area="workspace offline">
        <WorkspaceOfflineBanner />
      </ErrorBoundary>
      <ErrorBoundary area="conflicts">
        <ConflictsPanel />
      </ErrorBoundary>
      <Toolbar ref={searchRef} />
      <main className="workspace">
        <ErrorBoundary area="grid">
          <ReconGrid />
        </ErrorBoundary>
        <ErrorBoundary area="detail panel">
          <DetailPanel />
        </ErrorBoundary>
      </main>
      <Footer />
      <ErrorBoundary area="settings">
        <OnceOpened wanted={settingsOpen}>
          <SettingsDialog />
        </OnceOpened>
      </ErrorBoundary>
      <ErrorBoundary area="refunds">
        <OnceOpened wanted={refundsOpen}>
          <RefundsQueue />
        </OnceOpened>
      </ErrorBoundary>
      <ErrorBoundary area="hand-off">
        <OnceOpened wanted={handoffScreen === 'review' || handoffScreen === 'import'}>
          <HandoffReview />
          <ImportDecisions />
        </OnceOpened>
      </ErrorBoundary>
      <TakeOverDialog />
      <ErrorBoundary area="help">
        <ShortcutHelp />
        <CommandPalette />
        <HelpPanel />
      </ErrorBoundary>
      <ApprovalDialog />
      <UndoWindowBar />
      <Toasts />
    </div>
  );
}
