import type { ExportFile } from '@shared/api/export';

// An export file the engine wrote reaches the user one way per shell: the
// desktop asks where to save it (native dialog, electron/ipc/register.ts);
// the browser downloads it once from the web host (GET /api/download/<token>,
// the session cookie proves who asks). Either way the engine's copy is deleted after.

export type Delivery = Readonly<{ saved: boolean; error?: string }>;

export async function deliverExport(file: ExportFile): Promise<Delivery> {
  if (window.tieoutShell) return window.tieoutShell.saveExport(file.token);
  const a = document.createElement('a');
  a.href = `/api/download/${encodeURIComponent(file.token)}`;
  a.download = file.fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  return { saved: true };
}
