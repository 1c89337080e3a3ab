// The seam to the OS keychain. Only the vault talks to it.

export type SecretStore = Readonly<{
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}>;

export class KeychainUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      'The OS keychain is not available. On Linux Tieout needs a Secret Service (GNOME Keyring or KWallet) running and unlocked; ' +
        `on macOS the login keychain. (${(cause as Error)?.message ?? String(cause)})`,
    );
    this.name = 'KeychainUnavailableError';
  }
}
