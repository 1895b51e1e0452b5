/**
 * A run's review in the main area: breadcrumb, the open gate (table or fields, comment,
 * the gate's own buttons), decision history. Drawn from the server's view-models, the same
 * ones the notebook widget uses; decisions go through the validated `submit_action` update
 * and a refusal is shown inline with the reviewer's edits kept.
 */

import { Widget } from '@lumino/widgets';

import { ApiError, api, post } from './api';
import { asText, clear, h } from './dom';
import { IHistoryLine, IStepView, renderBreadcrumb, renderHistory } from './snapshot';

interface IColumn {
  key: string;
  label: string;
  type: string;
  editable: boolean;
}

interface IDataset {
  key: string;
  label: string;
  columns: IColumn[];
  row_ids: string[];
  cells: string[][];
  total_rows: number;
}

interface IPanelView {
  panel: string;
  component: string;
  title: string;
  subtitle: string | null;
  reason: string | null;
  problems: string[];
  interactive: boolean;
  reject_needs_comment: boolean;
  gate: {
    status: string;
    error: string | null;
    read_only: boolean;
    gate_id: string | null;
    step_id: string | null;
    decided: { sentence?: string } | null;
  };
  actions: { kind: string; label: string; primary: boolean; blocked: string | null }[];
  approve_summary?: {
    act: string;
    lines: string[];
    warnings: string[];
    second_approver: string | null;
  } | null;
  deadline?: { text: string; iso: string } | null;
  table?: { datasets: IDataset[] };
  fields?: { key: string; value: string }[];
}

interface IRunResponse {
  workflow_id: string;
  state: Record<string, any>;
  view: {
    breadcrumb: { steps: IStepView[]; status: string; workflow_type: string | null; error: string | null };
    history: IHistoryLine[];
    problems: string[];
    panel: IPanelView | null;
  };
  attach: string;
}

export interface IReviewOptions {
  insertAttach(workflowId: string): void;
  onDecided(): void;
}

function parseCell(text: string, type: string): unknown {
  const trimmed = text.trim();
  if (type === 'number' || type === 'currency') {
    const number = Number(trimmed.replace(/[,\s]/g, ''));
    return trimmed !== '' && Number.isFinite(number) ? number : text;
  }
  if (type === 'boolean') {
    if (/^(yes|true|1)$/i.test(trimmed)) {
      return true;
    }
    if (/^(no|false|0)$/i.test(trimmed)) {
      return false;
    }
  }
  return text;
}

function shown(value: unknown, type: string): string {
  if (typeof value === 'number' && (type === 'currency' || type === 'number')) {
    return value.toLocaleString('en-US', {
      minimumFractionDigits: type === 'currency' ? 2 : 0,
      maximumFractionDigits: type === 'currency' ? 2 : 6
    });
  }
  return asText(value);
}

export class ReviewPanel extends Widget {
  private data: IRunResponse | null = null;
  private error: string | null = null;
  private notice: { text: string; level: 'info' | 'error' } | null = null;
  private sending = false;
  private comment = '';
  private edits = new Map<string, { row_id: string; field: string; old: string; value: unknown }>();
  private editsGate: string | null = null;
  private confirming = false;

  constructor(
    readonly workflowId: string,
    private readonly options: IReviewOptions
  ) {
    super();
    this.addClass('ntro-review');
    this.id = `ntro-review-${workflowId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    this.title.label = workflowId.length > 28 ? '…' + workflowId.slice(-27) : workflowId;
    this.title.caption = `Review of ${workflowId}`;
    this.title.closable = true;
    this.node.tabIndex = 0;
    this.render();
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.data = await api<IRunResponse>(`runs/${encodeURIComponent(this.workflowId)}`);
      this.error = null;
      const gate = this.data.view.panel?.gate.gate_id ?? null;
      if (gate !== this.editsGate) {
        this.edits.clear();
        this.editsGate = gate;
        this.confirming = false;
      }
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
    this.render();
  }

  private async decide(action: string): Promise<void> {
    const panel = this.data?.view.panel;
    if (!panel) {
      return;
    }
    if (action === 'reject' && panel.reject_needs_comment && !this.comment.trim()) {
      this.notice = { level: 'error', text: 'Say why you reject: a comment is required.' };
      this.render();
      return;
    }
    const body: Record<string, unknown> = { action, gate_id: panel.gate.gate_id };
    if (this.comment.trim()) {
      body.comment = this.comment.trim();
    }
    if (action !== 'reject' && this.edits.size) {
      body.corrections = [...this.edits.values()].map(edit => ({
        line_item_id: edit.row_id,
        field: edit.field,
        new_value: edit.value
      }));
    }
    this.sending = true;
    this.confirming = false;
    this.notice = { level: 'info', text: 'Sending…' };
    this.render();
    try {
      await post(`runs/${encodeURIComponent(this.workflowId)}/decision`, body);
      this.notice = { level: 'info', text: action === 'reject' ? 'Rejected.' : 'Approved.' };
      this.comment = '';
      this.edits.clear();
      this.options.onDecided();
    } catch (err) {
      // Refused (stale gate, bad correction, policy): say why and keep the edits.
      this.notice = { level: 'error', text: `Not sent: ${err instanceof ApiError ? err.message : String(err)}` };
    }
    this.sending = false;
    await this.load();
  }

  private renderTable(panel: IPanelView): HTMLElement {
    const box = h('div', { class: 'ntro-review-table' });
    const editable = panel.interactive && !panel.gate.read_only;
    for (const ds of panel.table?.datasets ?? []) {
      if ((panel.table?.datasets.length ?? 0) > 1) {
        box.appendChild(h('h4', { text: ds.label }));
      }
      const table = h('table', { class: 'ntro-table', attrs: { 'data-testid': 'ntro-review-table', 'data-dataset': ds.key } });
      table.appendChild(
        h('thead', {}, h('tr', {}, h('th', { text: '#' }), ...ds.columns.map(c => h('th', { class: `ntro-col-${c.type}`, text: c.label }))))
      );
      const tbody = h('tbody');
      ds.cells.forEach((line, r) => {
        const rowId = ds.row_ids[r] ?? String(r);
        const tr = h('tr', { attrs: { 'data-row-id': rowId } }, h('td', { class: 'ntro-muted', text: rowId }));
        ds.columns.forEach((column, c) => {
          const key = `${ds.key}\u0000${rowId}\u0000${column.key}`;
          const edit = this.edits.get(key);
          const td = h('td', {
            class: `ntro-col-${column.type}` + (edit ? ' ntro-edited' : '') + (column.editable && editable ? ' ntro-editable' : ''),
            attrs: { 'data-col': column.key },
            text: edit ? shown(edit.value, column.type) : line[c] ?? ''
          });
          if (edit) {
            td.title = `was ${edit.old}`;
          }
          if (column.editable && editable) {
            td.addEventListener('dblclick', () => this.editCell(td, key, rowId, column, line[c] ?? ''));
          }
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      box.appendChild(table);
      if (ds.total_rows > ds.cells.length) {
        box.appendChild(
          h('p', { class: 'ntro-muted', text: `Showing ${ds.cells.length} of ${ds.total_rows} rows; open the run in a notebook to see them all.` })
        );
      }
    }
    if (editable) {
      box.appendChild(h('p', { class: 'ntro-muted', text: 'Double-click an editable cell to correct it.' }));
    }
    return box;
  }

  private editCell(td: HTMLElement, key: string, rowId: string, column: IColumn, original: string): void {
    const current = this.edits.get(key);
    const input = h('input', { class: 'ntro-cell-input', attrs: { type: 'text', 'aria-label': `${column.label} of ${rowId}` } });
    input.value = current ? asText(current.value) : original;
    clear(td);
    td.appendChild(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (keep: boolean) => {
      if (done) {
        return;
      }
      done = true;
      if (keep && input.value !== original) {
        this.edits.set(key, { row_id: rowId, field: column.key, old: original, value: parseCell(input.value, column.type) });
      } else if (keep) {
        this.edits.delete(key);
      }
      this.render();
    };
    input.addEventListener('keydown', (event: KeyboardEvent) => {
      if (event.key === 'Enter') {
        finish(true);
      } else if (event.key === 'Escape') {
        finish(false);
      }
    });
    input.addEventListener('blur', () => finish(true));
  }

  private renderPanel(panel: IPanelView): HTMLElement {
    const box = h('section', { class: 'ntro-review-panel', attrs: { 'data-testid': 'ntro-review-panel', 'data-component': panel.component } });
    box.appendChild(h('h3', { text: panel.title }));
    if (panel.subtitle) {
      box.appendChild(h('div', { class: 'ntro-muted', text: panel.subtitle }));
    }
    if (panel.reason && panel.reason !== panel.title) {
      box.appendChild(h('p', { class: 'ntro-reason', text: panel.reason }));
    }
    for (const problem of panel.problems) {
      box.appendChild(h('div', { class: 'ntro-warning', text: problem }));
    }
    if (panel.table) {
      box.appendChild(this.renderTable(panel));
    } else if (panel.fields && panel.fields.length) {
      const dl = h('dl', { class: 'ntro-fields' });
      for (const field of panel.fields) {
        dl.appendChild(h('dt', { text: field.key }));
        dl.appendChild(h('dd', { text: field.value }));
      }
      box.appendChild(dl);
    }
    if (panel.gate.decided?.sentence) {
      box.appendChild(h('div', { class: 'ntro-info', text: panel.gate.decided.sentence }));
    }
    if (panel.interactive && !panel.gate.read_only && panel.actions.length) {
      const textarea = h('textarea', {
        class: 'ntro-comment',
        attrs: { placeholder: panel.reject_needs_comment ? 'Comment (required to reject)' : 'Comment', rows: '2', 'data-testid': 'ntro-review-comment' }
      });
      textarea.value = this.comment;
      textarea.addEventListener('input', () => {
        this.comment = textarea.value;
      });
      box.appendChild(textarea);
      if (panel.deadline?.text) {
        box.appendChild(h('div', { class: 'ntro-muted ntro-deadline', attrs: { 'data-testid': 'ntro-review-deadline' }, text: panel.deadline.text }));
      }
      if (this.confirming && panel.approve_summary) {
        box.appendChild(this.renderSummary(panel));
        return box;
      }
      const buttons = h('div', { class: 'ntro-row ntro-actions' });
      if (this.edits.size) {
        buttons.appendChild(h('span', { class: 'ntro-muted', text: `${this.edits.size} correction(s) will be sent with the approval.` }));
      }
      buttons.appendChild(h('span', { class: 'ntro-spacer' }));
      for (const action of panel.actions) {
        const button = h('button', {
          class: 'ntro-button' + (action.primary ? ' ntro-primary' : ''),
          text: action.label,
          title: action.blocked ?? '',
          attrs: { 'data-action': action.kind, 'data-testid': `ntro-review-${action.kind}` },
          on: {
            click: () => {
              if (action.kind === 'approve' && panel.approve_summary) {
                // Approve says what it commits before it commits: the summary, then Confirm.
                this.confirming = true;
                this.render();
                this.node.querySelector<HTMLElement>('.ntro-approve-summary')?.focus();
              } else {
                void this.decide(action.kind);
              }
            }
          }
        });
        button.disabled = this.sending || Boolean(action.blocked);
        buttons.appendChild(button);
      }
      box.appendChild(buttons);
    }
    return box;
  }

  /** What approving commits (rows, corrections, totals, warnings), and the only Confirm. */
  private renderSummary(panel: IPanelView): HTMLElement {
    const s = panel.approve_summary!;
    const lines = [...s.lines];
    if (this.edits.size) {
      lines.unshift(`${this.edits.size} correction(s) made here will be sent with the approval`);
    }
    return h(
      'div',
      {
        class: 'ntro-approve-summary',
        attrs: { role: 'region', tabindex: '-1', 'aria-label': `Before you ${s.act}`, 'data-testid': 'ntro-review-summary' }
      },
      h('strong', { text: `You are about to: ${s.act}` }),
      h('ul', {}, ...lines.map(line => h('li', { text: line }))),
      s.warnings.length
        ? h('div', { class: 'ntro-warning' }, h('strong', { text: `${s.warnings.length} warning(s) you approve over:` }), h('ul', {}, ...s.warnings.map(w => h('li', { text: w }))))
        : null,
      s.second_approver ? h('div', { class: 'ntro-info', text: s.second_approver }) : null,
      h(
        'div',
        { class: 'ntro-row' },
        h('button', {
          class: 'ntro-button ntro-primary',
          text: `Confirm: ${s.act}`,
          attrs: { 'data-testid': 'ntro-review-confirm' },
          on: { click: () => void this.decide('approve') }
        }),
        h('button', {
          class: 'ntro-button',
          text: 'Back',
          on: {
            click: () => {
              this.confirming = false;
              this.render();
            }
          }
        })
      )
    );
  }

  private render(): void {
    clear(this.node);
    const header = h(
      'div',
      { class: 'ntro-review-header' },
      h('h2', { text: this.data?.state.slug || this.data?.view.breadcrumb.workflow_type || 'Runbook review' }),
      this.data ? h('span', { class: `ntro-pill ntro-pill-${this.data.view.breadcrumb.status}`, text: this.data.view.breadcrumb.status }) : null,
      h('span', { class: 'ntro-muted ntro-review-id', text: this.workflowId }),
      h('span', { class: 'ntro-spacer' }),
      h('button', { class: 'ntro-button', text: 'Refresh', on: { click: () => void this.load() } }),
      h('button', {
        class: 'ntro-button',
        text: 'Attach in notebook',
        title: `Insert "%ntro attach ${this.workflowId}" into the current notebook`,
        on: { click: () => this.options.insertAttach(this.workflowId) }
      })
    );
    this.node.appendChild(header);
    if (this.notice) {
      this.node.appendChild(
        h('div', {
          class: this.notice.level === 'error' ? 'ntro-error' : 'ntro-info',
          attrs: { 'data-testid': 'ntro-review-notice', role: 'status' },
          text: this.notice.text
        })
      );
    }
    if (this.error) {
      this.node.appendChild(h('div', { class: 'ntro-error', attrs: { 'data-testid': 'ntro-review-error' }, text: this.error }));
      return;
    }
    if (!this.data) {
      this.node.appendChild(h('div', { class: 'ntro-muted', text: 'Loading…' }));
      return;
    }
    const view = this.data.view;
    this.node.appendChild(renderBreadcrumb(view.breadcrumb.steps));
    for (const problem of view.problems) {
      this.node.appendChild(h('div', { class: 'ntro-warning', text: problem }));
    }
    if (view.breadcrumb.error) {
      this.node.appendChild(h('div', { class: 'ntro-error', text: `Failed: ${view.breadcrumb.error}` }));
    }
    if (view.panel) {
      this.node.appendChild(this.renderPanel(view.panel));
    } else {
      this.node.appendChild(
        h('p', { class: 'ntro-muted', attrs: { 'data-testid': 'ntro-review-nothing' }, text: view.breadcrumb.status === 'running' ? 'Nothing waits for a decision right now.' : `The run is ${view.breadcrumb.status}.` })
      );
    }
    this.node.appendChild(renderHistory(view.history));
  }
}
