// Where the Tieout window may go, decided from plain strings so it can be
// tested without Electron (electron/main.ts wires each decision to its event).
// The app is one page on app://tieout; everything else is denied, and only a
// short allow-list of https pages the app itself links to may open in the
// user's browser.

/** The app's own origin: the custom protocol electron/main.ts serves the renderer on. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'tieout';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * https hosts the renderer links to, which may open in the user's browser.
 * Empty: the renderer has no external links today (no docs or support links).
 * Add a host here only together with the link that needs it.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [];

type Origin = Readonly<{ protocol: string; hostname: string; port: string }>;

function originOf(url: string): (Origin & { credentials: boolean }) | null {
  try {
    const u = new URL(url);
    return { protocol: u.protocol, hostname: u.hostname, port: u.port, credentials: u.username !== '' || u.password !== '' };
  } catch {
    return null;
  }
}

/**
 * True when `url` is on exactly `appOrigin` (scheme, host and port compared
 * whole, not as a prefix: app://tieout.x and app://tieout@x are other places).
 * Node's URL gives custom schemes an opaque 'null' origin, so the parts are compared instead.
 */
export function isAppUrl(url: string, appOrigin: string = APP_ORIGIN): boolean {
  const target = originOf(url);
  const app = originOf(appOrigin);
  if (!target || !app || target.credentials) return false;
  return target.protocol === app.protocol && target.hostname === app.hostname && target.port === app.port;
}

/** will-navigate, will-redirect, will-frame-navigate: the window and its frames stay on the app. */
export function mayNavigate(url: string, appOrigin: string = APP_ORIGIN): boolean {
  return isAppUrl(url, appOrigin);
}

/** shell.openExternal only for https on an allow-listed host, default port, no credentials in the URL. */
export function mayOpenExternally(url: string, allowedHosts: readonly string[] = EXTERNAL_LINK_HOSTS): boolean {
  const target = originOf(url);
  if (!target || target.credentials || target.protocol !== 'https:' || target.port !== '') return false;
  return allowedHosts.includes(target.hostname);
}

/** setWindowOpenHandler: never a new Electron window; an allow-listed https link opens in the user's browser. */
export function windowOpenDecision(url: string, allowedHosts: readonly string[] = EXTERNAL_LINK_HOSTS): Readonly<{ action: 'deny'; openExternally: boolean }> {
  return { action: 'deny', openExternally: mayOpenExternally(url, allowedHosts) };
}

/** Web permissions (camera, notifications, clipboard, geolocation…): the renderer needs none; OS notifications come from the main process. */
export function mayGrantPermission(_permission: string): boolean {
  return false;
}

/** IPC: calls are taken only from the main frame of a page on the app origin (not from subframes or any other page). */
export function mayCallEngine(sender: Readonly<{ frameUrl: string | null; isMainFrame: boolean }>, appOrigin: string = APP_ORIGIN): boolean {
  return sender.isMainFrame && sender.frameUrl !== null && isAppUrl(sender.frameUrl, appOrigin);
}
