import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, type ApiOptions, describeApi, SAMPLE_CONNECTOR } from '../harness.js';

/** Debian's Chromium; `apt-get install -y chromium` (CI installs it in .ci/run). */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/** Screenshots of the pages, kept as test artifacts (the folder ignores itself in git). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** What a browser suite gets. */
export interface BrowserSuite {
  readonly api: Api;
  readonly browser: Browser;
}

/**
 * Runs `fn` against a real listening server on each system-database backend, with headless
 * Chromium. Without Chromium the suite is skipped with a one-line notice, or fails when
 * CI=true (CI must run it).
 */
export function describeBrowser(name: string, options: ApiOptions, fn: (suite: () => BrowserSuite) => void): void {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs Chromium', () => {
          throw new Error(`CI=true but ${CHROMIUM} is missing; install it with "apt-get install -y chromium" (.ci/run does)`);
        });
      });
    } else {
      console.info(`${name}: ${CHROMIUM} is missing, skipping the browser tests (apt-get install -y chromium)`);
      // A skipped test, so the file reports "skipped" rather than "no test suite found".
      describe(name, () => {
        it.skip(`needs ${CHROMIUM}`, () => undefined);
      });
    }
    return;
  }
  describeApi(name, { ...options, listen: true, sample: false }, (api) => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      await api().call('POST', '/api/admin/sources', { token: api().adminToken, body: { name: 'shop', connector: SAMPLE_CONNECTOR, config: {} } });
      await syncWhenFree(api());
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, '.gitignore'), '*\n');
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });
    fn(() => {
      if (!browser) throw new Error('Chromium did not start');
      return { api: api(), browser };
    });
  });
}

/**
 * Syncs once, waiting while another suite's sync holds the lock: on PostgreSQL the sync
 * lock is one per database, not per schema, so suites running in parallel take turns.
 */
export async function syncWhenFree(api: Api): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const res = await api.request('POST', '/api/sync/trigger', { token: api.adminToken, body: {} });
    if (res.status === 202) {
      const { job_id } = (await res.json()) as { job_id: string };
      await api.server.deps.sync.idle();
      const job = api.server.deps.sync.job(job_id);
      if (job?.status !== 'succeeded') throw new Error(`the first sync failed: ${JSON.stringify(job)}`);
      return;
    }
    if (res.status !== 409 || attempt >= 240) throw new Error(`cannot sync: ${res.status} ${await res.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A page that records console errors, uncaught exceptions and alert dialogs (confirms are accepted). */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
  readonly alerts: string[];
}

/** Opens a page in `context` and watches it. */
export async function openPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  const alerts: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('dialog', async (dialog) => {
    if (dialog.type() === 'confirm') await dialog.accept();
    else {
      alerts.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    }
  });
  return { page, errors, alerts };
}

/** Saves a full-page screenshot under test-artifacts/, named by backend and page. */
export async function screenshot(api: Api, page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${api.kind}-${name}.png`), fullPage: true });
}

/** Signs in through the login form (the page must be on /login). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

const ACCESSIBILITY_REPORT = `(() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return !el.hidden && box.width > 0 && box.height > 0;
  };
  const unlabeled = [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && visible(el))
    .filter((el) => (el.labels ? el.labels.length : 0) === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML);
  const unnamed = [...document.querySelectorAll('button, a[href]')]
    .filter((el) => visible(el) && !(el.textContent || '').trim() && !el.getAttribute('aria-label'))
    .map((el) => el.outerHTML);
  return { lang: document.documentElement.lang, h1: document.querySelectorAll('h1').length, title: document.title, unlabeled, unnamed };
})()`;

/**
 * Basic accessibility of the current page: a language, one h1, a label for every visible
 * form control, a name for every button and link, and a skip link that moves focus to main.
 */
export async function expectAccessible(page: Page): Promise<void> {
  // A string, not a function: the test project has no DOM types, and this runs in the page.
  const report = (await page.evaluate(ACCESSIBILITY_REPORT)) as { lang: string; h1: number; title: string; unlabeled: string[]; unnamed: string[] };
  expect(report.lang).toBe('en');
  expect(report.h1).toBe(1);
  expect(report.title).toMatch(/Agnes$/);
  expect(report.unlabeled).toEqual([]);
  expect(report.unnamed).toEqual([]);
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement && document.activeElement.textContent.trim()')).toBe('Skip to content');
  await page.keyboard.press('Enter');
  expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('main');
}
