import { describeTerm, parseSearch } from '@shared/search-query';
import { useHelp } from '../help/help-store';

// How the search box understood the query: one chip per term (the engine reads
// the same text with the same parser), a red chip per term it cannot read, and
// `?` to the search syntax.

export function SearchChips({ text }: Readonly<{ text: string }>) {
  const openTopic = useHelp((s) => s.openTopic);
  const parsed = parseSearch(text);
  return (
    <div className="search-chips" data-testid="search-chips" aria-live="polite">
      {parsed.terms.map((t, i) => (
        <span key={`t${i}`} className="search-chip" data-testid="search-chip">
          {describeTerm(t)}
        </span>
      ))}
      {parsed.problems.map((p, i) => (
        <span key={`p${i}`} className="search-chip search-chip-problem" data-testid="search-problem" title={p}>
          {p}
        </span>
      ))}
      <button type="button" className="search-help-link" data-testid="search-syntax" title="Search syntax (field filters)" aria-label="Search syntax" onClick={() => openTopic('work-queue')}>
        ?
      </button>
    </div>
  );
}
