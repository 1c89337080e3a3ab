import { useEffect, useMemo, useRef, useState } from 'react';
import { useApiQuery } from '../../api/query';
import { useHelp } from '../help/help-store';
import { fuzzyFilter } from './fuzzy';
import { paletteCommands } from './commands';
import '../help/help.css';

/** Ctrl+K: a filtered list of commands; ↑/↓ choose, Enter runs, Esc closes. */
export function CommandPalette() {
  const open = useHelp((s) => s.paletteOpen);
  if (!open) return null;
  return <Palette />;
}

function Palette() {
  const close = () => useHelp.getState().setPaletteOpen(false);
  const views = useApiQuery('views:list', {});
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useMemo(() => fuzzyFilter(paletteCommands(views.data ?? []), query), [views.data, query]);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [query]);
  const run = (i: number) => {
    const command = list[i];
    if (!command) return;
    close();
    command.run();
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, list.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      run(active);
    }
  };
  return (
    <div className="modal-overlay" onClick={close}>
      <div className="modal palette" role="dialog" aria-label="Command palette" data-testid="command-palette" onClick={(e) => e.stopPropagation()} onKeyDown={onKeyDown}>
        <input
          ref={input}
          className="palette-input"
          data-testid="palette-input"
          placeholder="Type a command: go to, approve, sync, refunds, help…"
          aria-label="Command"
          aria-controls="palette-list"
          aria-activedescendant={list[active] ? `palette-${list[active].id}` : undefined}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        {list.length === 0 ? (
          <p className="palette-empty">No command matches “{query}”.</p>
        ) : (
          <ul className="palette-list" id="palette-list" role="listbox">
            {list.map((c, i) => (
              <li
                key={c.id}
                id={`palette-${c.id}`}
                role="option"
                aria-selected={i === active}
                className="palette-item"
                data-testid="palette-item"
                data-command={c.id}
                onMouseEnter={() => setActive(i)}
                onClick={() => run(i)}
              >
                <span>{c.title}</span>
                <span className="palette-group">{c.group}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
