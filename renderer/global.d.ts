import type { GridApi } from 'ag-grid-community';
import type { TieoutApi } from '@shared/api-contract';
import type { GridRow } from '@shared/domain';
import type { TieoutShell } from '@shared/shell-bridge';

// Window augmentation has to be an interface (declaration merging).
declare global {
  interface Window {
    /** Exposed by the Electron preload through contextBridge; absent in the browser. */
    tieout?: TieoutApi;
    /** The desktop shell's save dialog and print-to-PDF; absent in the browser. */
    tieoutShell?: TieoutShell;
    /** The grid's API, for end-to-end tests that assert through it (rows are virtualised). */
    __tieoutGrid?: GridApi<GridRow>;
  }
}

export {};
