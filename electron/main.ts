import { existsSync, readFileSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, Menu, net, Notification, protocol, screen, session, shell, type MenuItemConstructorOptions, type Rectangle } from 'electron';
import type { UiCommand } from '@shared/api-contract';
import { ERP_KINDS, type ErpKind } from './core/erp/connector';
import { createEngine, type Engine } from './core/engine';
import { resolveDataDir } from './core/data-dir';
import { writePrivateFile } from './core/private-files';
import { createLogger } from './core/log/logger';
import { CONTENT_SECURITY_POLICY } from './web/host';
import { runDemoSandboxes } from './sandboxes/demo/demo-sandboxes';
import { forwardEvents, registerIpc } from './ipc/register';

// The desktop shell: one hardened window over the engine. Everything that
// needs Electron lives here, in preload.ts and in ipc/.

const APP_SCHEME = 'app';
const APP_ORIGIN = `${APP_SCHEME}://tieout`;
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
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(rendererDir + sep) || !existsSync(file)) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
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
      spellcheck: false,
    },
  });
  if (saved?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => saveWindowState(win));

  // Navigation and new windows are denied: the app is one page. Links to the
  // web open in the user's browser only when they are https.
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(APP_ORIGIN)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());

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

  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer();
  buildMenu();

  const erpArg = argValue('erp');
  const erpKind = erpArg && (ERP_KINDS as readonly string[]).includes(erpArg) ? (erpArg as ErpKind) : undefined;
  engine = await createEngine({ dataDir, shell: 'electron', logger: createLogger('tieout'), version: app.getVersion(), startDemo: runDemoSandboxes, ...(erpKind ? { erpKind } : {}) });
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
  app.exit(1);
});
