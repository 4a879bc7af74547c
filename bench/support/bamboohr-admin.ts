/**
 * BambooHR as its HR admin uses it: employee edits and webhook registration through the vendor's
 * own API on the sandbox, never through the gateway being measured.
 */
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import type { SandboxProcess } from './sandbox-process.js';

export interface BambooHrAdmin {
  update(id: string, fields: Record<string, string>): Promise<void>;
  addRow(id: string, table: 'jobInfo' | 'employmentStatus', row: Record<string, string>): Promise<void>;
  /** Registers `url` for employee updates of `monitorFields`; returns the webhook's private key. */
  createWebhook(url: string, monitorFields: string[]): Promise<string>;
}

export function bambooHrAdmin(sandbox: SandboxProcess): BambooHrAdmin {
  const base = `${sandbox.bamboohr.url}/api/gateway.php/${sandbox.bamboohr.companyDomain}/v1`;
  const authorization = `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.bamboohr.apiKey}:x`).toString('base64')}`;
  const post = async (path: string, body: unknown): Promise<Response> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status >= 300) {
      throw new Error(`BambooHR POST ${path} → ${response.status} ${response.headers.get('x-bamboohr-error-message') ?? (await response.text())}`);
    }
    return response;
  };
  return {
    update: async (id, fields) => {
      await post(`/employees/${id}`, fields);
    },
    addRow: async (id, table, row) => {
      await post(`/employees/${id}/tables/${table}`, row);
    },
    async createWebhook(url, monitorFields) {
      const response = await post('/webhooks', { name: 'rostergate bench', url, format: 'json', events: ['employee.updated'], monitorFields });
      return ((await response.json()) as { privateKey: string }).privateKey;
    },
  };
}
