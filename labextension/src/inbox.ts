/**
 * The "Runbook inbox" sidebar: every open gate on the cluster, grouped by runbook, entity or
 * period, oldest first, refreshed every few seconds; click to open, select to approve in bulk.
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, IBulkResult, ICluster, IInbox, IInboxItem, api, post } from './api';
import { age, asText, clear, h, when } from './dom';

export type GroupBy = 'runbook' | 'entity' | 'period';

const GROUP_LABELS: Record<GroupBy, string> = {
  runbook: 'Runbook',
  entity: 'Entity',
  period: 'Period'
};

const REFRESH_MS = 5000;
// Hidden, the inbox still keeps its badge current, at a pace that spares the cluster.
const HIDDEN_REFRESH_MS = 30000;
const PARTIAL_REFRESH_MS = 1000;
const ERROR_REFRESH_MS = 15000;

export interface IInboxOptions {
  openReview(item: IInboxItem): void;
  insertAttach(item: IInboxItem): void;
  startServer(): Promise<void>;
  onCount(count: number | null): void;
}

export function itemTitle(item: IInboxItem): string {
  return (
    item.title ||
    item.reason ||
    (item.step_id ? `Step ${item.step_id}` : '') ||
    (item.kind ? item.kind.replace(/_/g, ' ') : 'Open gate')
  );
}

export class InboxWidget extends Widget {
  private items: IInboxItem[] = [];
  private cluster: ICluster | null = null;
  private error: ApiError | null = null;
  private loaded = false;
  private busy: Promise<void> | null = null;
  private groupBy: GroupBy = 'runbook';
  private selected = new Set<string>();
  private collapsed = new Set<string>();
  private signature = '';
  private timer = 0;
  private message: { text: string; level: 'info' | 'error' } | null = null;
  private fetchedAt = '';
  private complete = true;
  private remaining: number | null = 0;
  private readonly listNode: HTMLElement;
  private readonly statusNode: HTMLElement;
  private readonly countNode: HTMLElement;
  private readonly bulkButton: HTMLButtonElement;
  private readonly selectAll: HTMLInputElement;
  private readonly toolbar: HTMLElement;

  constructor(private readonly options: IInboxOptions) {
    super();
    this.id = 'ntro-inbox';
    this.addClass('ntro-inbox');
    this.title.caption = 'Runbook inbox';

    this.countNode = h('span', { class: 'ntro-count', attrs: { 'data-testid': 'ntro-inbox-count' }, text: '…' });
    const groupSelect = h(
      'select',
      {
        class: 'ntro-groupby',
        title: 'Group by',
        attrs: { 'aria-label': 'Group by', 'data-testid': 'ntro-inbox-groupby' },
        on: {
          change: (event: Event) => {
            this.groupBy = (event.target as HTMLSelectElement).value as GroupBy;
            this.signature = '';
            this.render();
          }
        }
      },
      ...(Object.keys(GROUP_LABELS) as GroupBy[]).map(key =>
        h('option', { attrs: { value: key }, text: `by ${GROUP_LABELS[key].toLowerCase()}` })
      )
    );
    const refresh = h('button', {
      class: 'ntro-button ntro-icon-button',
      title: 'Refresh now',
      text: '↻',
      attrs: { 'aria-label': 'Refresh', 'data-testid': 'ntro-inbox-refresh' },
      on: { click: () => void this.refresh() }
    });
    this.selectAll = h('input', {
      attrs: { type: 'checkbox', 'aria-label': 'Select all reviews', 'data-testid': 'ntro-inbox-select-all' },
      title: 'Select every review',
      on: { change: () => this.toggleAll(this.selectAll.checked) }
    });
    this.bulkButton = h('button', {
      class: 'ntro-button ntro-primary',
      text: 'Approve selected',
      attrs: { 'data-testid': 'ntro-inbox-approve' },
      on: { click: () => void this.bulkApprove() }
    });
    this.statusNode = h('div', { class: 'ntro-inbox-status', attrs: { 'data-testid': 'ntro-inbox-status', role: 'status' } });
    this.listNode = h('div', { class: 'ntro-inbox-list', attrs: { 'data-testid': 'ntro-inbox-list' } });

    this.node.appendChild(
      h(
        'div',
        { class: 'ntro-inbox-header' },
        h('h2', { text: 'Runbook inbox' }),
        this.countNode,
        h('span', { class: 'ntro-spacer' }),
        refresh
      )
    );
    this.toolbar = h(
      'div',
      { class: 'ntro-inbox-toolbar' },
        h('label', { class: 'ntro-select-all', title: 'Select every review' }, this.selectAll, 'All'),
        groupSelect,
        h('span', { class: 'ntro-spacer' }),
        this.bulkButton
    );
    this.node.appendChild(this.toolbar);
    this.node.appendChild(this.statusNode);
    this.node.appendChild(this.listNode);
    this.render();
  }

  /** Start live refresh (called once the widget is in the shell). */
  start(): void {
    void this.refresh();
  }

  protected onAfterShow(): void {
    // Shown again after a while hidden: catch up now rather than at the slow pace.
    void this.refresh();
  }

  dispose(): void {
    window.clearTimeout(this.timer);
    super.dispose();
  }

  get count(): number | null {
    return this.error ? null : this.loaded ? this.items.length : null;
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(
      () => {
        if (document.visibilityState === 'hidden') {
          this.schedule();
        } else {
          void this.refresh();
        }
      },
      this.error
        ? ERROR_REFRESH_MS
        : !this.complete
          ? PARTIAL_REFRESH_MS
          : this.isVisible
            ? REFRESH_MS
            : HIDDEN_REFRESH_MS
    );
  }

  /** Fetch the inbox now (one fetch at a time; callers share it). */
  refresh(): Promise<void> {
    if (!this.busy) {
      this.busy = this.load().finally(() => {
        this.busy = null;
        this.schedule();
      });
      this.render();
    }
    return this.busy;
  }

  private async load(): Promise<void> {
    try {
      const inbox = await api<IInbox>('inbox');
      this.items = inbox.items;
      this.cluster = inbox.cluster;
      this.fetchedAt = inbox.fetched_at;
      this.complete = inbox.complete !== false;
      this.remaining = inbox.remaining ?? null;
      this.error = null;
      const keys = new Set(this.items.map(item => item.workflow_id));
      for (const key of [...this.selected]) {
        if (!keys.has(key)) {
          this.selected.delete(key);
        }
      }
      if (inbox.errors.length) {
        this.message = {
          level: 'error',
          text: `${inbox.errors.length} workflow(s) did not answer: ${asText(inbox.errors[0].message, 200)}`
        };
      } else if (this.message?.level === 'error' && !this.message.text.startsWith('Not approved')) {
        this.message = null;
      }
    } catch (err) {
      this.error = err instanceof ApiError ? err : new ApiError(0, 'error', String(err));
      this.cluster = (this.error.body && this.error.body.cluster) || this.cluster;
    }
    this.loaded = true;
    this.render();
  }

  private key(item: IInboxItem): string {
    return item.workflow_id;
  }

  private toggleAll(on: boolean): void {
    this.selected.clear();
    if (on) {
      for (const item of this.items) {
        if (item.decidable) {
          this.selected.add(this.key(item));
        }
      }
    }
    this.signature = '';
    this.render();
  }

  private selectedItems(): IInboxItem[] {
    return this.items.filter(item => this.selected.has(this.key(item)) && item.decidable);
  }

  private async bulkApprove(): Promise<void> {
    const chosen = this.selectedItems();
    if (!chosen.length) {
      return;
    }
    const n = chosen.length;
    const noun = n === 1 ? 'review' : 'reviews';
    const body = h(
      'div',
      { class: 'ntro-confirm', attrs: { 'data-testid': 'ntro-confirm-body' } },
      h('p', { text: `Approve ${n} ${noun}? Each workflow records the approval under your name.` }),
      h(
        'ul',
        {},
        ...chosen.slice(0, 8).map(item =>
          h('li', { text: `${item.runbook}${item.entity ? ' · ' + item.entity : ''}${item.period ? ' · ' + item.period : ''} — ${itemTitle(item)}` })
        ),
        n > 8 ? h('li', { class: 'ntro-muted', text: `and ${n - 8} more` }) : null
      )
    );
    const result = await showDialog({
      title: `Approve ${n} ${noun}`,
      body: new Widget({ node: body }),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: `Approve ${n}` })]
    });
    if (!result.button.accept) {
      return;
    }
    this.bulkButton.disabled = true;
    this.message = { level: 'info', text: `Approving ${n} ${noun}…` };
    this.render();
    try {
      const outcome = await post<IBulkResult>('decisions', {
        action: 'approve',
        items: chosen.map(item => ({ workflow_id: item.workflow_id, gate_id: item.gate_id, run_id: item.run_id }))
      });
      const failed = outcome.results.filter(r => !r.ok);
      for (const r of outcome.results) {
        if (r.ok) {
          this.selected.delete(r.workflow_id);
        }
      }
      this.message = failed.length
        ? {
            level: 'error',
            text: `Approved ${outcome.succeeded} of ${outcome.requested}. Not approved: ` +
              failed.slice(0, 3).map(r => `${r.workflow_id}: ${asText(r.message, 160)}`).join('; ')
          }
        : { level: 'info', text: `Approved ${outcome.succeeded} of ${outcome.requested}.` };
    } catch (err) {
      this.message = { level: 'error', text: `Not approved: ${err instanceof ApiError ? err.message : String(err)}` };
    }
    this.signature = '';
    await this.refresh();
  }

  private renderStatus(): void {
    clear(this.statusNode);
    this.statusNode.className = 'ntro-inbox-status';
    if (this.error) {
      this.statusNode.classList.add('ntro-inbox-status-error');
      const headline =
        this.error.code === 'cluster_unreachable'
          ? this.cluster?.mode === 'local' && this.cluster.running === false
            ? 'The local Temporal server is not running'
            : 'Temporal is not reachable'
          : this.error.status === 0
            ? 'The Jupyter server does not answer'
            : 'The inbox could not be read';
      this.statusNode.appendChild(
        h(
          'div',
          { class: 'ntro-error', attrs: { 'data-testid': 'ntro-inbox-error' } },
          h('strong', { text: headline }),
          h('div', { text: this.error.message })
        )
      );
      const actions = h('div', { class: 'ntro-row' });
      if (this.error.code === 'cluster_unreachable' && (!this.cluster || this.cluster.mode === 'local')) {
        actions.appendChild(
          h('button', {
            class: 'ntro-button ntro-primary',
            text: 'Start local Temporal server',
            on: { click: () => void this.options.startServer().then(() => this.refresh()) }
          })
        );
      }
      actions.appendChild(h('button', { class: 'ntro-button', text: 'Retry', on: { click: () => void this.refresh() } }));
      this.statusNode.appendChild(actions);
      return;
    }
    if (!this.loaded) {
      this.statusNode.appendChild(h('span', { class: 'ntro-muted', text: 'Loading the inbox…' }));
      return;
    }
    const where = this.cluster ? `${this.cluster.address} · ${this.cluster.namespace}` : '';
    this.statusNode.appendChild(
      h('span', {
        class: 'ntro-muted',
        title: 'Temporal cluster and namespace; the inbox refreshes every few seconds',
        text: `${where}${this.fetchedAt ? ` · ${new Date(this.fetchedAt).toLocaleTimeString()}` : ''}${this.busy ? ' ↻' : ''}`
      })
    );
    if (!this.complete) {
      this.statusNode.appendChild(
        h('div', {
          class: 'ntro-info',
          attrs: { 'data-testid': 'ntro-inbox-partial' },
          text:
            this.remaining === null
              ? 'Listing the running workflows…'
              : `Still reading ${this.remaining} workflow${this.remaining === 1 ? '' : 's'}; the list fills in as they answer.`
        })
      );
    }
    if (this.message) {
      this.statusNode.appendChild(
        h('div', {
          class: this.message.level === 'error' ? 'ntro-error' : 'ntro-info',
          attrs: { 'data-testid': 'ntro-inbox-message' },
          text: this.message.text
        })
      );
    }
  }

  private render(): void {
    const count = this.count;
    this.countNode.textContent =
      count === null ? (this.error ? '!' : '…') : this.complete ? String(count) : `${count}+`;
    this.countNode.classList.toggle('ntro-count-zero', count === 0);
    this.countNode.classList.toggle('ntro-count-error', this.error !== null);
    this.options.onCount(count);
    const chosen = this.selectedItems().length;
    this.bulkButton.textContent = chosen ? `Approve selected (${chosen})` : 'Approve selected';
    this.bulkButton.disabled = chosen === 0 || this.error !== null;
    const decidable = this.items.filter(item => item.decidable).length;
    this.selectAll.checked = decidable > 0 && chosen === decidable;
    this.selectAll.indeterminate = chosen > 0 && chosen < decidable;
    this.toolbar.style.display = this.error ? 'none' : '';
    this.renderStatus();

    const signature = JSON.stringify([
      this.groupBy,
      this.error ? this.error.code : '',
      this.loaded,
      this.items.map(item => [item.workflow_id, item.gate_id, item.run_id]),
      [...this.selected].sort(),
      [...this.collapsed].sort()
    ]);
    if (signature === this.signature) {
      this.updateAges();
      return;
    }
    this.signature = signature;
    clear(this.listNode);
    if (this.error || !this.loaded) {
      return;
    }
    if (!this.items.length) {
      this.listNode.appendChild(
        h('div', { class: 'ntro-empty', attrs: { 'data-testid': 'ntro-inbox-empty' }, text: 'Nothing is waiting for a review.' })
      );
      return;
    }
    const groups = new Map<string, IInboxItem[]>();
    for (const item of this.items) {
      const key = (item[this.groupBy] as string | null) || `(no ${this.groupBy})`;
      const members = groups.get(key);
      if (members) {
        members.push(item);
      } else {
        groups.set(key, [item]);
      }
    }
    const fragment = document.createDocumentFragment();
    for (const [name, members] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const open = !this.collapsed.has(name);
      const group = h('section', { class: 'ntro-group', attrs: { 'data-group': name } });
      group.appendChild(
        h(
          'button',
          {
            class: 'ntro-group-header',
            attrs: { 'aria-expanded': String(open) },
            on: {
              click: () => {
                if (this.collapsed.has(name)) {
                  this.collapsed.delete(name);
                } else {
                  this.collapsed.add(name);
                }
                this.render();
              }
            }
          },
          h('span', { class: 'ntro-caret', text: open ? '▾' : '▸' }),
          h('span', { class: 'ntro-group-name', text: name }),
          h('span', { class: 'ntro-group-count', text: String(members.length) }),
          h('span', { class: 'ntro-group-age', text: `oldest ${age(members[0].opened_at)}` })
        )
      );
      if (open) {
        for (const item of members) {
          group.appendChild(this.renderItem(item));
        }
      }
      fragment.appendChild(group);
    }
    this.listNode.appendChild(fragment);
  }

  private renderItem(item: IInboxItem): HTMLElement {
    const key = this.key(item);
    const dims = (['runbook', 'entity', 'period'] as GroupBy[])
      .filter(dim => dim !== this.groupBy && item[dim])
      .map(dim => item[dim] as string);
    const checkbox = h('input', {
      attrs: {
        type: 'checkbox',
        'aria-label': `Select ${item.workflow_id}`,
        'data-testid': 'ntro-inbox-check'
      },
      title: item.decidable ? 'Select for bulk approval' : 'Uploads and child runs are answered in the notebook',
      on: {
        change: (event: Event) => {
          if ((event.target as HTMLInputElement).checked) {
            this.selected.add(key);
          } else {
            this.selected.delete(key);
          }
          this.render();
        }
      }
    });
    checkbox.checked = this.selected.has(key);
    checkbox.disabled = !item.decidable;
    const row = h(
      'div',
      {
        class: 'ntro-item' + (item.feedback_level === 'error' ? ' ntro-item-error' : ''),
        attrs: { 'data-testid': 'ntro-inbox-item', 'data-workflow-id': item.workflow_id }
      },
      checkbox,
      h(
        'button',
        {
          class: 'ntro-item-main',
          title: `Open the review of ${item.workflow_id}`,
          on: { click: () => this.options.openReview(item) }
        },
        h(
          'span',
          { class: 'ntro-item-line' },
          h('span', { class: 'ntro-item-title', text: itemTitle(item), title: itemTitle(item) }),
          h('span', {
            class: 'ntro-age',
            attrs: { 'data-opened': item.opened_at ?? '' },
            title: item.opened_at ? `Open since ${when(item.opened_at)}` : '',
            text: age(item.opened_at)
          })
        ),
        h('span', {
          class: 'ntro-item-meta',
          text: [...dims, item.component || item.kind || '', item.rows !== null ? `${item.rows} rows` : '']
            .filter(Boolean)
            .join(' · ')
        }),
        h('span', { class: 'ntro-item-id', text: item.workflow_id })
      ),
      h('button', {
        class: 'ntro-button ntro-attach',
        text: '%ntro',
        title: `Insert "%ntro attach ${item.workflow_id}" into the current notebook`,
        attrs: { 'data-testid': 'ntro-inbox-attach' },
        on: { click: () => this.options.insertAttach(item) }
      })
    );
    return row;
  }

  private updateAges(): void {
    const now = Date.now();
    this.listNode.querySelectorAll<HTMLElement>('.ntro-age').forEach(node => {
      node.textContent = age(node.getAttribute('data-opened'), now);
    });
  }
}
