import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, Menu, net, Notification, protocol, screen, session, shell, type MenuItemConstructorOptions, type Rectangle, type WebContents } from 'electron';
import type { UiCommand } from '@shared/api-contract';
import { ERP_KINDS, type ErpKind } from './core/erp/connector';
import { createEngine, type Engine } from './core/engine';
import { resolveDataDir } from './core/data-dir';
import { createLogger, openAppLog, type AppLog } from './core/log/logger';
import { installCrashLog } from './core/log/crash-log';
import { contentSecurityPolicy, newStyleNonce, withStyleNonce } from './shell/csp';
import { decodePathPart } from './web/host';
import { APP_ORIGIN, APP_SCHEME, isAppUrl, mayGrantPermission, mayNavigate, mayOpenExternally, windowOpenDecision } from './shell/navigation-policy';
import { writePrivateFile } from './core/private-files';
import { runDemoSandboxes } from './sandboxes/demo/demo-sandboxes';
import { forwardEvents, registerIpc } from './ipc/register';

// The desktop shell: one hardened window over the engine. Everything that
// needs Electron lives here, in preload.ts and in ipc/.

const logger = createLogger('main');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

const dataDir = resolveDataDir(argValue('data-dir'), app.getPath('userData'));
const rendererDir = resolve(__dirname, '../renderer');
let engine: Engine | null = null;
/** The data folder's log, opened first so start-up failures and crashes reach it. */
let appLog: AppLog | null = null;
let mainWindow: BrowserWindow | null = null;

type WindowState = { bounds: Rectangle; maximized: boolean };
const stateFile = join(dataDir, 'window-state.json');

function loadWindowState(): WindowState | null {
  try {
    const s = JSON.parse(readFileSync(stateFile, 'utf8')) as WindowState;
    // Only restore bounds that are still on a connected display.
    const display = screen.getDisplayMatching(s.bounds);
    const a = display.workArea;
    const visible = s.bounds.x < a.x + a.width && s.bounds.x + s.bounds.width > a.x && s.bounds.y < a.y + a.height && s.bounds.y + s.bounds.height > a.y;
    return visible ? s : null;
  } catch {
    return null;
  }
}

function saveWindowState(win: BrowserWindow): void {
  try {
    writePrivateFile(stateFile, JSON.stringify({ bounds: win.getNormalBounds(), maximized: win.isMaximized() }));
  } catch (e) {
    logger.warn(`could not save window state: ${(e as Error).message}`);
  }
}

function sendCommand(command: UiCommand): void {
  engine?.events.emit('ui:command', { command });
}

function buildMenu(): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Sync Now', accelerator: 'CmdOrCtrl+R', click: () => sendCommand('sync-now') },
        { label: 'Approve Selected', accelerator: 'CmdOrCtrl+Enter', click: () => sendCommand('approve-selected') },
        { type: 'separator' },
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => sendCommand('open-settings') },
        { label: 'Open Data Folder', click: () => void shell.openPath(dataDir) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Find', accelerator: 'CmdOrCtrl+F', click: () => sendCommand('focus-search') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About Tieout', click: () => app.showAboutPanel() }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    // Only the app's own origin is served (an exact match, not a prefix).
    if (!isAppUrl(request.url)) return new Response('Not found', { status: 404 });
    const decoded = decodePathPart(url.pathname);
    if (decoded === null) return new Response('Bad request', { status: 400 });
    const rel = url.pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(rendererDir + sep) || !existsSync(file)) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    // A nonce of its own for every response; index.html gets it filled in (see electron/shell/csp.ts).
    const nonce = newStyleNonce();
    headers.set('Content-Security-Policy', contentSecurityPolicy(nonce));
    headers.set('X-Content-Type-Options', 'nosniff');
    if (extname(file) === '.html') {
      headers.set('Cache-Control', 'no-store');
      headers.delete('Content-Length');
      return new Response(withStyleNonce(await res.text(), nonce), { status: res.status, headers });
    }
    return new Response(res.body, { status: res.status, headers });
  });
}

/**
 * Every webContents, the window's and any created later (devtools, a frame a
 * bug might open), gets the same rules: it stays on the app origin (exact
 * scheme, host and port, see shell/navigation-policy.ts) through navigations,
 * redirects and frame navigations; new windows are denied, and only an
 * allow-listed https link opens, in the user's browser; <webview> never attaches.
 */
function guardWebContents(contents: WebContents): void {
  const refuse = (event: { preventDefault(): void }, url: string, kind: string): void => {
    if (mayNavigate(url)) return;
    event.preventDefault();
    if (kind === 'navigation' && mayOpenExternally(url)) void shell.openExternal(url);
    else logger.warn(`blocked ${kind} to ${safeForLog(url)}`);
  };
  contents.on('will-navigate', (event) => refuse(event, event.url, 'navigation'));
  contents.on('will-redirect', (event) => refuse(event, event.url, 'redirect'));
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) refuse(event, event.url, 'frame navigation');
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.openExternally) void shell.openExternal(url);
    else logger.warn(`blocked a new window for ${safeForLog(url)}`);
    return { action: decision.action };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Only the origin reaches the log: a blocked URL may carry anything in its path or query. */
function safeForLog(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unparsable URL)';
  }
}

function createWindow(): BrowserWindow {
  const saved = loadWindowState();
  const win = new BrowserWindow({
    width: saved?.bounds.width ?? 1440,
    height: saved?.bounds.height ?? 900,
    ...(saved ? { x: saved.bounds.x, y: saved.bounds.y } : {}),
    minWidth: 1024,
    minHeight: 640,
    title: 'Tieout',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  if (saved?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => saveWindowState(win));

  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  appLog = await openAppLog(dataDir);
  installCrashLog(appLog);

  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(mayGrantPermission(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => mayGrantPermission(permission));
  session.defaultSession.setDevicePermissionHandler(() => false);
  serveRenderer();
  buildMenu();

  const erpArg = argValue('erp');
  const erpKind = erpArg && (ERP_KINDS as readonly string[]).includes(erpArg) ? (erpArg as ErpKind) : undefined;
  engine = await createEngine({ dataDir, shell: 'electron', logger: createLogger('tieout'), appLog, version: app.getVersion(), startDemo: runDemoSandboxes, ...(erpKind ? { erpKind } : {}) });
  registerIpc(engine, APP_ORIGIN);
  forwardEvents(engine, () => mainWindow?.webContents ?? null);
  // Failures that need a person also reach the OS, in case Tieout is in the background.
  engine.events.subscribe((name, payload) => {
    if (name !== 'alert' || !Notification.isSupported()) return;
    const alert = payload as { message: string };
    const n = new Notification({ title: 'Tieout', body: alert.message });
    n.on('click', () => mainWindow?.show());
    n.show();
  });

  mainWindow = createWindow();
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow();
  });
}

// Registered before any window exists, so no webContents escapes the guard.
app.on('web-contents-created', (_event, contents) => guardWebContents(contents));

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (closing || !engine) return;
  // Let the engine finish the posting in flight and close the store cleanly.
  event.preventDefault();
  closing = true;
  void engine.close().finally(() => app.quit());
});

start().catch((e: unknown) => {
  logger.error(`start-up failed: ${(e as Error).stack ?? String(e)}`);
  appLog?.fatal('start-up failed', e);
  // Refusals at open (keychain unavailable, audit key missing, audit trail replaced) need a person to read them.
  dialog.showErrorBox('Tieout cannot start', (e as Error).message ?? String(e));
  app.exit(1);
});
