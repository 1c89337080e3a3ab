import { Component, type ErrorInfo, type ReactNode } from 'react';

type Props = Readonly<{ children: ReactNode; area: string }>;
type State = Readonly<{ error: Error | null }>;

/** A rendering bug in one area shows a recoverable message instead of a blank window. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(_error: Error, _info: ErrorInfo): void {
    // Nothing is sent anywhere: the renderer has no logging channel and must not leak data.
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="crash" role="alert" data-testid="error-boundary">
        <strong>The {this.props.area} could not be displayed.</strong>
        <span className="muted">{this.state.error.message}</span>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
