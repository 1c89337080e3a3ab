import { useEffect, useRef } from 'react';
import { SCOPE_LABELS, SHORTCUTS, type ShortcutScope } from '../../shortcuts';
import { useHelp } from './help-store';
import { Markdown } from './Markdown';
import { HELP_TOPICS, helpTopic } from './topics';
import './help.css';

/** Esc closes; focus moves into the dialog when it opens (and back where it was when it closes). */
function useDialogFocus(onClose: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus();
    return () => before?.focus();
  }, []);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };
  return { ref, onKeyDown };
}

/** `?`: every shortcut, from the one table keyboard.ts dispatches through. */
export function ShortcutHelp() {
  const open = useHelp((s) => s.shortcutsOpen);
  if (!open) return null;
  return <ShortcutHelpDialog />;
}

function ShortcutHelpDialog() {
  const close = () => useHelp.getState().setShortcutsOpen(false);
  const openTopic = useHelp((s) => s.openTopic);
  const { ref, onKeyDown } = useDialogFocus(close);
  const scopes: ShortcutScope[] = ['anywhere', 'queue', 'panel'];
  return (
    <div className="modal-overlay" onClick={close}>
      <div ref={ref} tabIndex={-1} className="modal help-dialog" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcut-help" onKeyDown={onKeyDown} onClick={(e) => e.stopPropagation()}>
        <div className="modal-head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="btn btn-ghost btn-sm" onClick={close}>
            Close <kbd>Esc</kbd>
          </button>
        </div>
        <div className="modal-body">
          {scopes.map((scope) => (
            <section key={scope}>
              <h3 className="help-scope">{SCOPE_LABELS[scope]}</h3>
              <table className="help-table">
                <tbody>
                  {SHORTCUTS.filter((s) => s.scope === scope).map((s) => (
                    <tr key={s.id} data-testid="shortcut-row" data-shortcut={s.id}>
                      <td className="help-keys">
                        <kbd>{s.label}</kbd>
                      </td>
                      <td>{s.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </div>
        <div className="modal-foot">
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => openTopic('work-queue')}>
            Open help: work queue
          </button>
        </div>
      </div>
    </div>
  );
}

/** The docs pages bundled with the app, one topic at a time, with the list of topics. */
export function HelpPanel() {
  const topic = useHelp((s) => s.topic);
  if (topic === null) return null;
  return <HelpPanelDialog topicId={topic} />;
}

function HelpPanelDialog({ topicId }: Readonly<{ topicId: string }>) {
  const openTopic = useHelp((s) => s.openTopic);
  const close = () => openTopic(null);
  const { ref, onKeyDown } = useDialogFocus(close);
  const topic = helpTopic(topicId);
  return (
    <div className="modal-overlay" onClick={close}>
      <div ref={ref} tabIndex={-1} className="modal help-panel" role="dialog" aria-label="Help" data-testid="help-panel" data-topic={topic.id} onKeyDown={onKeyDown} onClick={(e) => e.stopPropagation()}>
        <div className="modal-head">
          <h2>Help</h2>
          <button type="button" className="btn btn-ghost btn-sm" onClick={close}>
            Close <kbd>Esc</kbd>
          </button>
        </div>
        <div className="help-layout">
          <nav className="help-topics" aria-label="Help topics">
            {HELP_TOPICS.map((t) => (
              <button key={t.id} type="button" className={`help-topic${t.id === topic.id ? ' help-topic-active' : ''}`} aria-current={t.id === topic.id} onClick={() => openTopic(t.id)}>
                {t.title}
              </button>
            ))}
          </nav>
          <div className="help-body">
            <Markdown text={topic.markdown} />
          </div>
        </div>
      </div>
    </div>
  );
}
