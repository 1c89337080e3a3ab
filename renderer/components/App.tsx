import { useEffect, useRef } from 'react';
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
import { SettingsDialog } from './SettingsDialog';
import { Toasts } from './Toasts';
import { Toolbar } from './Toolbar';
import { TopBar } from './TopBar';
import { AuthGate } from '../features/auth/AuthGate';
import { RefundsQueue } from '../features/refunds/RefundsQueue';
import { HandoffReview } from '../features/handoff/HandoffReview';
import { ImportDecisions } from '../features/handoff/ImportDecisions';
import { startPresenceFeed } from '../features/team/presence-store';
import { TakeOverDialog } from '../features/team/take-over';
import { usePrintRoute } from '../features/print/print-route';
import { JournalPrintPage } from '../features/print/JournalPrintPage';
import { HelpPanel, ShortcutHelp } from '../features/help/HelpOverlays';
import { CommandPalette } from '../features/palette/CommandPalette';
import { ApprovalDialog } from '../features/approval/ApprovalDialog';
import { UndoWindowBar } from '../features/approval/UndoWindowBar';

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
        <SettingsDialog />
      </ErrorBoundary>
      <ErrorBoundary area="refunds">
        <RefundsQueue />
      </ErrorBoundary>
      <ErrorBoundary area="hand-off">
        <HandoffReview />
        <ImportDecisions />
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
