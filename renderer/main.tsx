import './zod-without-eval';
import { StrictMode } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { queryClient } from './api/query';
import { toast } from './state/toast-store';
import './styles.css';

// Anything that escapes a handler becomes a toast, never a dead window.
window.addEventListener('unhandledrejection', (e) => {
  const reason: unknown = e.reason;
  toast('error', 'Something went wrong', [reason instanceof Error ? reason.message : String(reason)]);
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ErrorBoundary area="application">
        <QueryClientProvider client={queryClient}>
          <App />
        </QueryClientProvider>
      </ErrorBoundary>
    </StrictMode>,
  );
}
