import { useEffect, type RefObject } from 'react';
import { approve, approveSelection } from './actions';
import { approvalInProgress } from './features/approval/approval-store';
import { undoLast } from './features/review/review-actions';
import { helpOverlayOpen, useHelp } from './features/help/help-store';
import { runPanelKey } from './features/review/panel-keys';
import { matchShortcut } from './shortcuts';
import { focusedNode, gridApi, moveFocus, toggleFocusedSelection } from './grid/grid-handle';
import { selectionIsEmpty, selectWholeView, TAB_ORDER, useUi } from './state/ui-store';

// Keyboard-first review. Shortcuts are ignored while typing in a field; inside
// the grid AG Grid keeps its own arrow/space handling and we add j/k, a, Enter.

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return type !== 'checkbox' && type !== 'radio' && type !== 'button';
  }
  return false;
}

function inGrid(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('.ag-root-wrapper') !== null;
}

function isButton(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.tagName === 'BUTTON' || target.closest('button') !== null);
}

export function useKeyboard(searchRef: RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ui = useUi.getState();
      if (ui.settingsOpen || e.defaultPrevented || e.altKey) return;
      const target = e.target;
      const hit = matchShortcut(e, ui.panelOpen);
      // The palette opens from a text field too (Ctrl+K is no typing key); overlays handle their own keys.
      if (hit?.id === 'palette') {
        e.preventDefault();
        useHelp.getState().setPaletteOpen(true);
        return;
      }
      if (isTyping(target) || helpOverlayOpen()) return;
      if (hit?.id === 'help') {
        e.preventDefault();
        useHelp.getState().setShortcutsOpen(true);
        return;
      }
      if (hit?.scope === 'panel' && runPanelKey(hit, e.key)) {
        e.preventDefault();
        return;
      }
      const mod = e.ctrlKey || e.metaKey;

      if (mod && (e.key === 'z' || e.key === 'Z') && !e.shiftKey) {
        e.preventDefault();
        void undoLast();
        return;
      }
      if (mod) return;

      // Digits pick tabs in display order (1 = Auto … last = All).
      if (/^[1-9]$/.test(e.key)) {
        const tab = TAB_ORDER[Number(e.key) - 1];
        if (tab) {
          ui.setActiveTab(tab);
          e.preventDefault();
        }
        return;
      }
      switch (e.key) {
        case '/':
          e.preventDefault();
          searchRef.current?.focus();
          searchRef.current?.select();
          return;
        case 'j':
          e.preventDefault();
          moveFocus(1);
          return;
        case 'k':
          e.preventDefault();
          moveFocus(-1);
          return;
        case 'ArrowDown':
        case 'ArrowUp':
          if (inGrid(target)) return;
          e.preventDefault();
          moveFocus(e.key === 'ArrowDown' ? 1 : -1);
          return;
        case ' ':
          if (inGrid(target) || isButton(target)) return;
          e.preventDefault();
          toggleFocusedSelection();
          return;
        case 'a': {
          e.preventDefault();
          // A preview, an approval or its confirmation is under way: a second `a` is not a second approval.
          if (approvalInProgress()) return;
          if (!selectionIsEmpty(ui.selection)) void approveSelection(ui.selection);
          else {
            const id = focusedNode()?.data?.transactionId;
            if (id !== undefined) void approve([id]);
          }
          return;
        }
        case 'Enter':
          if (isButton(target) && !inGrid(target)) return;
          if (focusedNode()) {
            e.preventDefault();
            ui.setPanelOpen(true);
          }
          return;
        case 'Escape':
          if (ui.panelOpen) {
            e.preventDefault();
            ui.setPanelOpen(false);
          }
          return;
        default:
          return;
      }
    };
    // Ctrl+A is taken before AG Grid sees it: its own select-all reaches only the loaded rows.
    const onSelectAll = (e: KeyboardEvent) => {
      if (!((e.ctrlKey || e.metaKey) && (e.key === 'a' || e.key === 'A')) || e.altKey) return;
      if (useUi.getState().settingsOpen || isTyping(e.target) || !gridApi()) return;
      e.preventDefault();
      e.stopPropagation();
      // Every row of the view, loaded or not: the engine resolves it when acting.
      selectWholeView();
    };
    window.addEventListener('keydown', onSelectAll, { capture: true });
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onSelectAll, { capture: true });
      window.removeEventListener('keydown', onKey);
    };
  }, [searchRef]);
}
