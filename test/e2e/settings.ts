import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { pageViewBatch, waitFor } from '@backbone/test';

/** The running backbone and the browser page the dashboard tests opened. */
export interface SettingsContext {
  page: Page;
  base: string;
  tokens: { viewer: string; admin: string };
  gatewayUrl: string;
  shot: (name: string) => Promise<unknown>;
}

/** What the gateway answers one page view sent with `key`. */
async function ingest(gatewayUrl: string, key: string): Promise<number> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: pageViewBatch(),
  });
  return res.status;
}

/**
 * The settings page a tenant admin uses, in Chromium against the running services: policies,
 * a key the running gateway takes and then refuses, an alert with its signing secret.
 */
export function describeSettings(ctx: () => SettingsContext): void {
  const api = async (path: string) =>
    (await fetch(`${ctx().base}${path}`, {
      headers: { authorization: `Bearer ${ctx().tokens.admin}` },
    }).then((r) => r.json())) as Record<string, unknown>;
  const open = async (token: string) => {
    const { page, base } = ctx();
    await page.goto(`${base}/#token=${token}`);
    await page.goto(`${base}/#/settings`);
  };

  describe('the settings page', () => {
    it("sets the tenant's transcript policy and retention", async () => {
      const { page, tokens } = ctx();
      await open(tokens.admin);
      await page.getByLabel('Transcript text').selectOption('redact');
      await page.getByLabel('Retention speech').fill('30');
      await page.getByRole('button', { name: 'Save policies' }).click();
      await page.getByTestId('policies-saved').waitFor({ timeout: 10_000 });
      expect(await api('/api/v1/tenant')).toMatchObject({
        id: 'demo',
        transcript_mode: 'redact',
        retention_days: { speech: 30 },
      });
    });

    it('creates a key the running gateway takes, shown once, and revokes it', async () => {
      const { page, gatewayUrl, shot } = ctx();
      const source = `kiosk-${Date.now().toString(36)}`;
      await page.getByLabel('Key source').fill(source);
      await page.getByRole('button', { name: 'Create key' }).click();
      const shown = (await page.getByTestId('new-key').locator('code').textContent()) ?? '';
      expect(shown).toMatch(/^bbk_/);
      await waitFor(async () => (await ingest(gatewayUrl, shown)) === 202, {
        timeoutMs: 5000,
        intervalMs: 100,
        description: 'the gateway to take the new key',
      });
      await shot('settings');
      const row = page.locator('[data-testid="keys"] tr', { hasText: source });
      await row.getByRole('button', { name: 'Revoke' }).click();
      await waitFor(async () => (await ingest(gatewayUrl, shown)) === 401, {
        timeoutMs: 5000,
        intervalMs: 100,
        description: 'the gateway to refuse the revoked key',
      });
      expect(JSON.stringify(await api('/api/v1/tenant/keys'))).not.toContain(shown);
    });

    it('creates an alert and shows its webhook secret once; a viewer cannot see settings', async () => {
      const { page, tokens } = ctx();
      await page.getByLabel('Alert name').fill('STT errors');
      await page.getByLabel('Metric').selectOption('stt_error_rate');
      await page.getByLabel('Threshold').fill('0.2');
      await page.getByLabel('Webhook URL').fill('https://ops.example/hooks/backbone');
      await page.getByRole('button', { name: 'Create alert' }).click();
      const secret = (await page.getByTestId('new-secret').locator('code').textContent()) ?? '';
      expect(secret).toMatch(/^whsec_/);
      await expect(page.getByTestId('alert-row').first().textContent()).resolves.toContain(
        'ops.example',
      );
      const { alerts } = (await api('/api/v1/alerts')) as { alerts: { name: string }[] };
      expect(alerts.map((a) => a.name)).toContain('STT errors');
      expect(JSON.stringify(alerts)).not.toContain(secret);

      await open(tokens.viewer);
      await expect(page.getByRole('alert').textContent()).resolves.toContain(
        'Settings are for the admin role',
      );
    });
  });
}
