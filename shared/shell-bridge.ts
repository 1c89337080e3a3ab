// What the desktop shell adds beside the API contract (electron/preload.ts →
// window.tieoutShell): file hand-offs that need a native save dialog. Absent
// in the browser, where exports are downloads and PDFs come from the print dialog.

export type ShellSaveResult = Readonly<{ saved: boolean; error?: string }>;

export type TieoutShell = Readonly<{
  /** Saves the export behind a one-time token (from export:grid / export:list) where the user chooses. */
  saveExport(token: string): Promise<ShellSaveResult>;
  /** Prints the window's current page to PDF and saves it where the user chooses. */
  printToPdf(fileName: string, pageSize: 'A4' | 'Letter'): Promise<ShellSaveResult>;
}>;
