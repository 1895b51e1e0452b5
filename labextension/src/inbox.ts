/**
 * The "Runbook inbox" sidebar: every open gate on the cluster, grouped by runbook, entity or
 * period, soonest deadline first, refreshed every few seconds; click to open, select to
 * approve in bulk.
 *
 * A bulk approval cannot carry a warning: a review with failing checks, low-confidence values,
 * corrections pending or no worker to take it is flagged and cannot be ticked; it is opened and
 * confirmed on its own. Each row shows the amount at stake, its warnings and its deadline; an
 * approved row leaves the list at once.
 *
 * Above the reviews, the notifications runbooks sent (`notifications.ts`), read on the same
 * refresh; their unread count goes to the sidebar tab with the reviews'.
 */

import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, IAmount, IBulkResult, ICluster, IInbox, IInboxItem, api, post } from './api';
import { age, asText, clear, h, money, until, when } from './dom';
import { NotificationsStrip } from './notifications';

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
/** Rows of the first request: a screenful and more, answered at once even from a long list. */
const FIRST_ROWS = 200;
/** Rows of each further request, while the rest of a long list comes in. */
const PAGE_ROWS = 1000;
/** A list that takes long to read is refreshed less often: at most this share of the time. */
const READ_SHARE = 3;
const ERROR_REFRESH_MS = 15000;
// A decided gate may still be listed for a few seconds (visibility lags): keep it hidden.
const DECIDED_HIDE_MS = 120000;
const STAKES_CONCURRENCY = 3;

interface IStakes {
  warning_count: number;
  amount: IAmount | null;
  warnings: string[];
  on_timeout?: string | null;
}

export interface IInboxOptions {
  openReview(item: IInboxItem): void;
  insertAttach(item: IInboxItem): void;
  openRun(workflowId: string): void;
  startServer(): Promise<void>;
  /** Reviews waiting (null: not known) and unread notifications, for the sidebar tab. */
  onCount(count: number | null, unread: number): void;
}

/** The reviews' order: soonest deadline first (none last), then the oldest. */
export function byDue(a: IInboxItem, b: IInboxItem): number {
  const due = (item: IInboxItem) => item.due_at ?? item.deadline ?? '\uffff';
  return due(a).localeCompare(due(b)) || (a.opened_at ?? '').localeCompare(b.opened_at ?? '');
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
  private nextToken: string | null = null;
  /** How long the last whole read took. */
  private readMs = 0;
  /** Every waiting review as the server counted it (null: not counted). */
  private total: number | null = null;
  private readonly listNode: HTMLElement;
  private readonly statusNode: HTMLElement;
  private readonly countNode: HTMLElement;
  private readonly bulkButton: HTMLButtonElement;
  private readonly selectAll: HTMLInputElement;
  private readonly toolbar: HTMLElement;
  private stakes = new Map<string, IStakes>();
  private stakesVersion = 0;
  private fetching = new Set<string>();
  private decided = new Map<string, { gate: string | null; at: number }>();
  private readonly notes: NotificationsStrip;

  constructor(private readonly options: IInboxOptions) {
    super();
    this.notes = new NotificationsStrip({
      openRun: workflowId => this.options.openRun(workflowId),
      onChange: () => this.options.onCount(this.count, this.notes?.unread ?? 0)
    });
    this.id = 'ntro-inbox';
    this.addClass('ntro-inbox');
    this.title.caption = 'Runbook inbox';
    this.title.label = '';

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
    this.node.appendChild(this.notes.node);
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

  /** Waiting reviews: those listed, or the server's count while a long list still comes. */
  get count(): number | null {
    if (this.error || !this.loaded) {
      return null;
    }
    const listed = this.items.length;
    return !this.complete && this.total !== null && this.total > listed ? this.total : listed;
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
      Math.max(
        this.error
          ? ERROR_REFRESH_MS
          : !this.complete
            ? PARTIAL_REFRESH_MS
            : this.isVisible
              ? REFRESH_MS
              : HIDDEN_REFRESH_MS,
        READ_SHARE * this.readMs
      )
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
    const started = Date.now();
    const notes = this.notes.load(); // its own errors stay in its strip
    try {
      const inbox = await api<IInbox>(`inbox?limit=${FIRST_ROWS}`);
      this.total = inbox.total ?? null;
      this.accept(inbox.items);
      this.cluster = inbox.cluster;
      this.fetchedAt = inbox.fetched_at;
      this.nextToken = inbox.next_page_token ?? null;
      this.complete = inbox.complete !== false && !this.nextToken;
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
    await notes;
    this.loaded = true;
    this.render();
    await this.continueList(this.nextToken);
    this.readMs = Date.now() - started;
    void this.fetchStakes();
  }

  /** Rows of an answer, less those decided here a moment ago, soonest due first. */
  private accept(items: IInboxItem[]): void {
    const now = Date.now();
    for (const [id, mark] of [...this.decided]) {
      if (now - mark.at > DECIDED_HIDE_MS) {
        this.decided.delete(id);
      }
    }
    this.items = items
      .filter(item => {
        const mark = this.decided.get(item.workflow_id);
        return !mark || mark.gate !== item.gate_id;
      })
      .sort(byDue);
  }

  /**
   * A long list comes in parts (each answer within the server's time budget): read the rest
   * page by page, drawing each, so every waiting review is listed, not only the first part.
   */
  private async continueList(token: string | null): Promise<void> {
    const seen = new Set(this.items.map(item => item.workflow_id));
    let items = this.items;
    while (token && !this.error) {
      let more: IInbox;
      try {
        more = await api<IInbox>(`inbox?limit=${PAGE_ROWS}&page_token=${encodeURIComponent(token)}`);
      } catch (err) {
        return; // the next refresh reads the list again from the start
      }
      items = items.concat(more.items.filter(item => !seen.has(item.workflow_id)));
      more.items.forEach(item => seen.add(item.workflow_id));
      token = more.next_page_token ?? null;
      this.complete = more.complete !== false && !token;
      this.accept(items);
      this.render();
    }
  }

  private stakesKey(item: IInboxItem): string {
    return `${item.workflow_id}|${item.gate_id ?? ''}`;
  }

  /** Warnings and amount of a row: from the row itself, else from its review (read once). */
  stakesOf(item: IInboxItem): IStakes | null {
    const read = this.stakes.get(this.stakesKey(item)) ?? null;
    if (typeof item.warning_count === 'number') {
      // The review's own summary (read before a bulk approval) may know more than the row.
      return read && read.warning_count > item.warning_count
        ? { ...read, amount: item.amount ?? read.amount }
        : { warning_count: item.warning_count, amount: item.amount ?? read?.amount ?? null, warnings: read?.warnings ?? [] };
    }
    return read;
  }

  /** A row the bulk approval must leave out: warnings, no worker, or an error on its gate. */
  flags(item: IInboxItem): string[] {
    const found: string[] = [];
    const stakes = this.stakesOf(item);
    if (stakes && stakes.warning_count > 0) {
      found.push(`${stakes.warning_count} warning${stakes.warning_count === 1 ? '' : 's'}`);
    } else if (item.decidable && !stakes) {
      found.push('warnings not read yet');
    }
    if (item.worker_down) {
      found.push(`no worker on queue ${item.task_queue ?? '(unknown)'}`);
    }
    if (item.feedback_level === 'error') {
      found.push('the gate reports an error');
    }
    return found;
  }

  /** Rows without warning_count (an older server): read their review's approve summary. */
  private async fetchStakes(only?: IInboxItem[]): Promise<void> {
    const missing = (only ?? this.items).filter(
      item =>
        item.decidable &&
        (only !== undefined || typeof item.warning_count !== 'number') &&
        !this.stakes.has(this.stakesKey(item)) &&
        !this.fetching.has(this.stakesKey(item))
    );
    const next = async (): Promise<void> => {
      const item = missing.shift();
      if (!item) {
        return;
      }
      const key = this.stakesKey(item);
      this.fetching.add(key);
      try {
        const run = await api<any>(`runs/${encodeURIComponent(item.workflow_id)}`);
        const summary = run?.view?.panel?.approve_summary;
        if (summary) {
          this.stakes.set(key, {
            warning_count: Number(summary.warning_count) || 0,
            amount: summary.amount ?? null,
            warnings: Array.isArray(summary.warnings) ? summary.warnings.map((w: unknown) => asText(w, 200)) : [],
            on_timeout: summary.deadline?.on_timeout ?? null
          });
          this.stakesVersion++;
        }
      } catch {
        // Unknown stays flagged ("warnings not read yet"): never approved in bulk blind.
      } finally {
        this.fetching.delete(key);
      }
      await next();
    };
    await Promise.all(Array.from({ length: STAKES_CONCURRENCY }, () => next()));
    this.signature = '';
    this.render();
  }

  private key(item: IInboxItem): string {
    return item.workflow_id;
  }

  private bulkable(item: IInboxItem): boolean {
    return item.decidable && this.flags(item).length === 0;
  }

  private toggleAll(on: boolean): void {
    this.selected.clear();
    if (on) {
      for (const item of this.items) {
        if (this.bulkable(item)) {
          this.selected.add(this.key(item));
        }
      }
    }
    this.signature = '';
    this.render();
  }

  private selectedItems(): IInboxItem[] {
    return this.items.filter(item => this.selected.has(this.key(item)) && this.bulkable(item));
  }

  /** "fund-a · 2026-10 — Review ACME invoice · USD 10,000.00 · inbox-3f2a" for the dialog. */
  describe(item: IInboxItem): string {
    const where = [item.runbook, item.entity, item.period].filter(Boolean).join(' · ');
    const stakes = this.stakesOf(item);
    const amount = money(stakes?.amount);
    return `${item.workflow_id} — ${where} — ${itemTitle(item)}${amount ? ` · ${amount}` : ''}`;
  }

  private async bulkApprove(): Promise<void> {
    const ticked = this.selectedItems();
    if (!ticked.length) {
      return;
    }
    // Read each ticked review's own approve summary first: a warning the row did not carry
    // (an unbalanced journal, a line in suspense) still keeps it out of the bulk approval.
    this.bulkButton.disabled = true;
    this.message = { level: 'info', text: `Reading ${ticked.length} review(s) before approving…` };
    this.render();
    await this.fetchStakes(ticked);
    const chosen = this.selectedItems();
    const dropped = ticked.length - chosen.length;
    this.message = dropped
      ? { level: 'error', text: `${dropped} ticked review(s) have warnings in their review: left out of the bulk approval, open each to confirm it.` }
      : null;
    this.render();
    if (!chosen.length) {
      return;
    }
    const n = chosen.length;
    const noun = n === 1 ? 'review' : 'reviews';
    const flagged = this.items.filter(item => item.decidable && !this.bulkable(item)).length;
    const title = `Approve ${n} ${noun}`;
    const body = h(
      'div',
      { class: 'ntro-confirm', attrs: { 'data-testid': 'ntro-confirm-body' } },
      h('p', { text: `Approve these ${n} ${noun}? Each workflow records the approval under your name.` }),
      h(
        'ul',
        { attrs: { 'aria-label': 'Reviews to approve' } },
        ...chosen.map(item => h('li', { text: this.describe(item), title: this.describe(item) }))
      ),
      flagged
        ? h('p', {
            class: 'ntro-muted',
            text: `${flagged} flagged review${flagged === 1 ? ' is' : 's are'} left out: open each to read its warnings and approve it on its own.`
          })
        : null
    );
    const dialog = new Dialog({
      title,
      body: new Widget({ node: body }),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: `Approve ${n}` })]
    });
    dialog.node.setAttribute('aria-label', `${title}: ${chosen.map(item => item.workflow_id).join(', ')}`);
    const result = await dialog.launch();
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
      const now = Date.now();
      const approved = new Set<string>();
      for (const r of outcome.results) {
        if (r.ok) {
          approved.add(r.workflow_id);
          this.selected.delete(r.workflow_id);
          const item = chosen.find(c => c.workflow_id === r.workflow_id);
          this.decided.set(r.workflow_id, { gate: item?.gate_id ?? null, at: now });
        }
      }
      // Gone at once: an approved review cannot be ticked (or approved) a second time.
      this.items = this.items.filter(item => !approved.has(item.workflow_id));
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
    this.render();
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
        text: `${where}${this.fetchedAt ? ` · read ${when(this.fetchedAt)}` : ''}${this.busy ? ' ↻' : ''}`
      })
    );
    if (!this.complete) {
      this.statusNode.appendChild(
        h('div', {
          class: 'ntro-info',
          attrs: { 'data-testid': 'ntro-inbox-partial' },
          text:
            this.remaining === null
              ? this.total !== null
                ? `Listed ${this.items.length} of ${this.total} waiting reviews; the rest are coming…`
                : 'Listing the running workflows…'
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
      count === null
        ? this.error
          ? '!'
          : '…'
        : this.complete || (this.total !== null && count === this.total)
          ? String(count)
          : `${count}+`;
    this.countNode.classList.toggle('ntro-count-zero', count === 0);
    this.countNode.classList.toggle('ntro-count-error', this.error !== null);
    this.options.onCount(count, this.notes.unread);
    const chosen = this.selectedItems().length;
    this.bulkButton.textContent = chosen ? `Approve selected (${chosen})` : 'Approve selected';
    this.bulkButton.disabled = chosen === 0 || this.error !== null;
    const decidable = this.items.filter(item => this.bulkable(item)).length;
    this.selectAll.checked = decidable > 0 && chosen === decidable;
    this.selectAll.indeterminate = chosen > 0 && chosen < decidable;
    this.toolbar.style.display = this.error ? 'none' : '';
    this.renderStatus();

    const signature = JSON.stringify([
      this.groupBy,
      this.error ? this.error.code : '',
      this.loaded,
      this.items.map(item => [
        item.workflow_id,
        item.gate_id,
        item.run_id,
        item.warning_count ?? null,
        item.worker_down ?? null,
        item.due_at ?? null
      ]),
      this.stakesVersion,
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
    // Groups in the order of their most urgent review (the items are sorted by due date).
    const firstDue = (members: IInboxItem[]) => members[0].due_at ?? members[0].deadline ?? '\uffff';
    const ordered = [...groups.entries()].sort(
      (a, b) => firstDue(a[1]).localeCompare(firstDue(b[1])) || a[0].localeCompare(b[0])
    );
    for (const [name, members] of ordered) {
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
          h('span', { class: 'ntro-group-name', text: name, title: name }),
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
    // What tells this row from its neighbours comes first: the dimensions not grouped by.
    const dims = (['entity', 'period', 'runbook'] as GroupBy[])
      .filter(dim => dim !== this.groupBy && item[dim])
      .map(dim => item[dim] as string);
    const flags = this.flags(item);
    const stakes = this.stakesOf(item);
    const bulkable = item.decidable && flags.length === 0;
    const headline = [dims.slice(0, 2).join(' · '), itemTitle(item)].filter(Boolean).join(' — ');
    const checkbox = h('input', {
      attrs: {
        type: 'checkbox',
        'aria-label': `Select ${item.workflow_id} for bulk approval`,
        'data-testid': 'ntro-inbox-check'
      },
      title: !item.decidable
        ? 'Uploads and child runs are answered in the notebook'
        : flags.length
          ? `Not approved in bulk (${flags.join('; ')}): open the review and approve it on its own`
          : 'Select for bulk approval',
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
    checkbox.checked = this.selected.has(key) && bulkable;
    checkbox.disabled = !bulkable;
    const due = item.due_at ?? item.deadline;
    const marks = h('span', { class: 'ntro-item-marks' });
    const amount = money(stakes?.amount);
    if (amount) {
      marks.appendChild(h('span', { class: 'ntro-amount', attrs: { 'data-testid': 'ntro-inbox-amount' }, text: amount, title: 'Amount at stake' }));
    }
    if (stakes && stakes.warning_count > 0) {
      marks.appendChild(
        h('span', {
          class: 'ntro-warn-count',
          attrs: { 'data-testid': 'ntro-inbox-warnings' },
          text: `⚠ ${stakes.warning_count} warning${stakes.warning_count === 1 ? '' : 's'}`,
          title: stakes.warnings.join('\n') || 'Failing checks, low-confidence values or corrections pending'
        })
      );
    }
    if (item.worker_down) {
      marks.appendChild(
        h('span', {
          class: 'ntro-worker-down',
          attrs: { 'data-testid': 'ntro-inbox-worker-down' },
          text: `no worker on queue ${item.task_queue ?? '(unknown)'}`,
          title: 'No worker polls this task queue: a decision would wait until one starts (ntro worker ...)'
        })
      );
    }
    if (due) {
      const outcome = item.on_timeout ?? stakes?.on_timeout ?? null;
      const then = outcome === 'approve' ? ', then approved' : outcome === 'reject' ? ', then rejected' : '';
      marks.appendChild(
        h('span', {
          class: 'ntro-due',
          attrs: { 'data-testid': 'ntro-inbox-due', 'data-due': due },
          text: `due ${when(due)} (${until(due)})${then}`,
          title: 'The review times out then and the workflow takes its default decision'
        })
      );
    }
    const detail = [
      item.reason && item.reason !== itemTitle(item) ? item.reason : '',
      item.component || item.kind || '',
      item.rows !== null ? `${item.rows} rows` : '',
      item.parent_workflow_id ? `part of ${item.parent_workflow_id}` : ''
    ]
      .filter(Boolean)
      .join(' · ');
    const row = h(
      'div',
      {
        class:
          'ntro-item' +
          (item.feedback_level === 'error' ? ' ntro-item-error' : '') +
          (flags.length && item.decidable ? ' ntro-item-flagged' : ''),
        attrs: {
          'data-testid': 'ntro-inbox-item',
          'data-workflow-id': item.workflow_id,
          'data-flagged': flags.length ? 'true' : 'false'
        }
      },
      checkbox,
      h(
        'button',
        {
          class: 'ntro-item-main',
          title: `${headline}\n${item.workflow_id}${flags.length ? `\nFlagged: ${flags.join('; ')}` : ''}\nOpen the review`,
          on: { click: () => this.options.openReview(item) }
        },
        h(
          'span',
          { class: 'ntro-item-line' },
          h('span', { class: 'ntro-item-title', text: headline }),
          h('span', {
            class: 'ntro-age',
            attrs: { 'data-opened': item.opened_at ?? '' },
            title: item.opened_at ? `Open since ${when(item.opened_at)}` : '',
            text: age(item.opened_at)
          })
        ),
        marks.childNodes.length ? marks : null,
        detail ? h('span', { class: 'ntro-item-meta', text: detail }) : null,
        h('span', { class: 'ntro-item-id', text: item.workflow_id })
      ),
      h('button', {
        class: 'ntro-button ntro-attach',
        text: '%ntro',
        title: `Insert "%ntro attach ${item.workflow_id}" into the current notebook`,
        attrs: { 'data-testid': 'ntro-inbox-attach', 'aria-label': `Insert %ntro attach ${item.workflow_id}` },
        on: { click: () => this.options.insertAttach(item) }
      })
    );
    return row;
  }

  private updateAges(): void {
    const now = Date.now();
    this.notes.updateAges(now);
    this.listNode.querySelectorAll<HTMLElement>('.ntro-age').forEach(node => {
      node.textContent = age(node.getAttribute('data-opened'), now);
    });
  }
}
