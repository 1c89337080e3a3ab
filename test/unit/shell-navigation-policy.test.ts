import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, EXTERNAL_LINK_HOSTS, isAppUrl, mayCallEngine, mayGrantPermission, mayNavigate, mayOpenExternally, windowOpenDecision } from '../../electron/shell/navigation-policy';

// The decisions electron/main.ts applies to every webContents (will-navigate,
// will-redirect, will-frame-navigate, setWindowOpenHandler, permission
// requests), as plain functions over the URLs an attacker would try.

describe('navigation stays on the app origin', () => {
  it.each(['app://tieout/index.html', 'app://tieout/', 'app://tieout', 'app://tieout/assets/x.js?y=1#z'])('allows %s', (url) => {
    expect(mayNavigate(url)).toBe(true);
  });

  it.each([
    'app://tieout.x/index.html', // the old prefix check let this through
    'app://tieoutx/',
    'app://tieout:8080/',
    'app://user@tieout/',
    'app://tieout@evil.example/',
    'app://TIEOUT.evil/',
    'https://tieout/',
    'http://127.0.0.1:5173/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'about:blank',
    'not a url',
    '',
  ])('denies %s', (url) => {
    expect(mayNavigate(url)).toBe(false);
  });

  it('compares against the origin it is given', () => {
    expect(isAppUrl('http://127.0.0.1:4000/x', 'http://127.0.0.1:4000')).toBe(true);
    expect(isAppUrl('http://127.0.0.1:4001/x', 'http://127.0.0.1:4000')).toBe(false);
    expect(APP_ORIGIN).toBe('app://tieout');
  });
});

describe('external links', () => {
  const hosts = ['docs.tieout.example'];

  it('opens only https on an allow-listed host', () => {
    expect(mayOpenExternally('https://docs.tieout.example/guide', hosts)).toBe(true);
    expect(mayOpenExternally('http://docs.tieout.example/guide', hosts)).toBe(false);
    expect(mayOpenExternally('https://docs.tieout.example.evil.com/', hosts)).toBe(false);
    expect(mayOpenExternally('https://evil.com/?docs.tieout.example', hosts)).toBe(false);
    expect(mayOpenExternally('https://user:pw@docs.tieout.example/', hosts)).toBe(false);
    expect(mayOpenExternally('https://docs.tieout.example:8443/', hosts)).toBe(false);
    expect(mayOpenExternally('file:///C:/Windows/System32/calc.exe', hosts)).toBe(false);
    expect(mayOpenExternally('smb://server/share', hosts)).toBe(false);
  });

  it('opens nothing with the shipped list, which is empty because the renderer links nowhere', () => {
    expect(EXTERNAL_LINK_HOSTS).toEqual([]);
    expect(mayOpenExternally('https://example.com/')).toBe(false);
  });

  it('never opens a new Electron window', () => {
    expect(windowOpenDecision('https://docs.tieout.example/', hosts)).toEqual({ action: 'deny', openExternally: true });
    expect(windowOpenDecision('app://tieout/index.html', hosts)).toEqual({ action: 'deny', openExternally: false });
    expect(windowOpenDecision('https://evil.com/', hosts)).toEqual({ action: 'deny', openExternally: false });
  });
});

describe('permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb'])('denies %s', (permission) => {
    expect(mayGrantPermission(permission)).toBe(false);
  });
});

describe('IPC senders', () => {
  it("accepts the app's main frame (Node gives app:// an opaque origin, so comparing URL.origin refused the app itself)", () => {
    expect(mayCallEngine({ frameUrl: 'app://tieout/index.html', isMainFrame: true })).toBe(true);
  });

  it('refuses subframes, other origins and missing frames', () => {
    expect(mayCallEngine({ frameUrl: 'app://tieout/index.html', isMainFrame: false })).toBe(false);
    expect(mayCallEngine({ frameUrl: 'app://tieout.x/index.html', isMainFrame: true })).toBe(false);
    expect(mayCallEngine({ frameUrl: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(mayCallEngine({ frameUrl: null, isMainFrame: true })).toBe(false);
  });
});
