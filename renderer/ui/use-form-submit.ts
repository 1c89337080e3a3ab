import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { errorMessage } from '../api/client';

// A form's submit as a mutation: `busy` while its work runs, and one error
// line: either a problem the form found before sending (setError) or what the
// work threw (the engine's own words).

export function useFormSubmit() {
  const [refusal, setRefusal] = useState<string | null>(null);
  const mutation = useMutation({ mutationFn: (work: () => Promise<void>) => work() });
  return {
    busy: mutation.isPending,
    error: refusal ?? (mutation.error ? errorMessage(mutation.error) : null),
    /** Shows a problem found before sending (or clears the error with null). */
    setError(message: string | null): void {
      mutation.reset();
      setRefusal(message);
    },
    /** Runs the work; what it throws becomes the error. */
    async run(work: () => Promise<void>): Promise<void> {
      setRefusal(null);
      try {
        await mutation.mutateAsync(work);
      } catch {
        // Kept as the mutation's error, shown as `error`.
      }
    },
  };
}
