/** Calls to the ntro server extension (`{baseUrl}ntro/api/...`) with Jupyter's auth and XSRF. */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: any = null
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 30000;

export async function api<T = any>(path: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'ntro', 'api', path);
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { ...init, signal: controller.signal },
      settings
    );
  } catch (err) {
    const aborted = controller.signal.aborted;
    throw new ApiError(
      0,
      aborted ? 'timeout' : 'network',
      aborted
        ? `The Jupyter server did not answer within ${TIMEOUT_MS / 1000} s.`
        : `Cannot reach the Jupyter server: ${String(err)}`
    );
  } finally {
    window.clearTimeout(timer);
  }
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const code = (data && data.error) || 'http_error';
    const message =
      (data && data.message) ||
      (response.status === 404
        ? 'The ntro server extension is not enabled on this Jupyter server.'
        : `The Jupyter server answered ${response.status}.`);
    throw new ApiError(response.status, code, message, data);
  }
  return data as T;
}

export function post<T = any>(path: string, body: unknown): Promise<T> {
  return api<T>(path, { method: 'POST', body: JSON.stringify(body) });
}

// -- shapes the server sends ------------------------------------------------------------

export interface IInboxItem {
  workflow_id: string;
  run_id: string | null;
  workflow_type: string;
  runbook: string;
  entity: string | null;
  period: string | null;
  kind: string | null;
  component: string | null;
  reason: string | null;
  title: string | null;
  step_id: string | null;
  gate_id: string | null;
  opened_at: string | null;
  deadline: string | null;
  rows: number | null;
  feedback_level: string | null;
  decidable: boolean;
  // From the inbox row contract (absent from older servers: the inbox then reads the review).
  task_queue?: string | null;
  worker_down?: boolean;
  due_at?: string | null;
  warning_count?: number;
  amount?: IAmount | null;
  on_timeout?: string | null;
  /** A child runbook's review: the run waiting on it (its drill-down is not listed itself). */
  parent_workflow_id?: string | null;
}

export interface IAmount {
  value: string;
  currency: string | null;
}

export interface ICluster {
  mode: 'local' | 'remote';
  address: string;
  namespace: string;
  running: boolean | null;
  ui_url: string | null;
  db_file?: string;
}

export interface IInbox {
  count: number;
  complete: boolean;
  remaining: number | null;
  /** Continues a list answered in part (the budget ran out first); null at its end. */
  next_page_token?: string | null;
  /** Every waiting review, counted by the server on a first page (null: it cannot count). */
  total?: number | null;
  items: IInboxItem[];
  scanned: number;
  queried: number;
  errors: { workflow_id: string; message: string }[];
  truncated: boolean;
  elapsed_ms: number;
  fetched_at: string;
  cluster: ICluster;
}

export interface IBulkResult {
  requested: number;
  succeeded: number;
  failed: number;
  results: { workflow_id: string; ok: boolean; error?: string; message?: string }[];
}

/** One notification from `notify.send`, with the signed-in user's marks. */
export interface INotification {
  id: string;
  type: string;
  step: string;
  data: Record<string, unknown>;
  task_id: string;
  tenant_id: string;
  entity_id: string;
  created_at: string;
  workflow_id: string | null;
  read: boolean;
  dismissed: boolean;
}

export interface INotifications {
  notifications: INotification[];
  count: number;
  unread: number;
  fetched_at: string;
  source: string;
}
