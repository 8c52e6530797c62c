import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startApp, type TestApp } from './app.js';

/** Debian's chromium; playwright-core never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `args`: more command-line switches, e.g. `--host-resolver-rules` to give a hostile host name an address. */
export function launchBrowser(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...args,
    ],
  });
}

export interface BrowserApp extends TestApp {
  /** `http://127.0.0.1:<port>` of the listening app */
  baseUrl: string;
}

/** The real app (startApp) listening on 127.0.0.1 on a free port, for a browser to reach. */
export async function startListeningApp(label: string, env: Record<string, string> = {}): Promise<BrowserApp> {
  const t = await startApp(label, env);
  try {
    await t.app.listen(0, '127.0.0.1');
  } catch (error) {
    await t.close();
    throw error;
  }
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return { ...t, baseUrl: `http://127.0.0.1:${port}` };
}

/** A fresh context (own cookies) at the desktop size the office uses, with the app as its base URL. */
export function newContext(browser: Browser, baseUrl: string, viewport = { width: 1366, height: 768 }): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl, viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

/** Signs in through the login form (a fresh context: a signed-in one is sent on from /login); resolves once the next page has loaded. */
export async function login(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
    page.click('form[action="/login"] button[type=submit]'),
  ]);
  await page.waitForLoadState('load');
}

/**
 * The listening app and a browser, started side by side; if either fails, the other is closed before the
 * failure is thrown, so a test file's `after` has nothing half-started to close.
 */
export async function startAppAndBrowser(label: string, env: Record<string, string> = {}): Promise<{ app: BrowserApp; browser: Browser }> {
  const [app, chromium] = await Promise.allSettled([startListeningApp(label, env), launchBrowser()]);
  if (app.status === 'fulfilled' && chromium.status === 'fulfilled') return { app: app.value, browser: chromium.value };
  await closeAll(chromium.status === 'fulfilled' ? chromium.value : undefined, app.status === 'fulfilled' ? app.value : undefined).catch(() => undefined);
  throw app.status === 'rejected' ? app.reason : (chromium as PromiseRejectedResult).reason;
}

/** Closes what was opened, each step even when an earlier one failed. */
export async function closeAll(browser: Browser | undefined, app: TestApp | undefined): Promise<void> {
  const errors: unknown[] = [];
  if (browser) await browser.close().catch((e: unknown) => errors.push(e));
  if (app) await app.close().catch((e: unknown) => errors.push(e));
  if (errors.length) throw errors[0];
}
