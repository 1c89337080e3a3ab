import { useEffect, useRef, type RefObject } from 'react';

/** A menu or popover closes when the clerk presses the mouse anywhere outside it; returns the ref for its box. */
export function useCloseOnOutsideClick<E extends HTMLElement = HTMLDivElement>(open: boolean, close: () => void): RefObject<E | null> {
  const box = useRef<E>(null);
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) close();
    };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [open, close]);
  return box;
}
