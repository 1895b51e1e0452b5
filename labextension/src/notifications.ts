/**
 * The inbox's notifications strip: what runbooks sent with `notify.send` (kept by the Jupyter
 * server, `ntro/api/notifications`), newest first. Each row shows its type, step, entity and
 * age; a row whose task is a run opens it; a row can be dismissed, and all marked read. Unread
 * ones are highlighted and counted (the sidebar tab shows the count). Every value is drawn as
 * text: nothing from a notification becomes markup.
 */

import { ApiError, INotification, INotifications, api, post } from './api';
import { age, asText, clear, h, when } from './dom';

const SHOWN = 20;

export interface INotificationsOptions {
  openRun(workflowId: string): void;
  onChange(): void;
}

/** "lines: 3 · nav: 49683305.55": a notification's data on one line. */
export function dataLine(data: Record<string, unknown> | null | undefined, max = 3): string {
  if (!data || typeof data !== 'object') {
    return '';
  }
  return Object.entries(data)
    .slice(0, max)
    .map(([key, value]) => `${asText(key, 40)}: ${asText(value, 60)}`)
    .join(' · ');
}

export class NotificationsStrip {
  readonly node: HTMLElement;
  private notes: INotification[] = [];
  private unreadCount = 0;
  private error: string | null = null;
  private loaded = false;
  private readonly hidden = new Set<string>();
  private readonly listNode: HTMLElement;
  private readonly countNode: HTMLElement;
  private readonly readAll: HTMLButtonElement;

  constructor(private readonly options: INotificationsOptions) {
    this.countNode = h('span', { class: 'ntro-notes-unread', attrs: { 'data-testid': 'ntro-notes-unread' } });
    this.readAll = h('button', {
      class: 'ntro-button ntro-link-button',
      text: 'Mark all read',
      attrs: { 'data-testid': 'ntro-notes-read-all' },
      on: { click: () => void this.mark('read', this.notes.filter(n => !n.read).map(n => n.id)) }
    });
    this.listNode = h('div', { class: 'ntro-notes-list', attrs: { 'data-testid': 'ntro-notes-list', role: 'list' } });
    this.node = h(
      'section',
      { class: 'ntro-notes', attrs: { 'data-testid': 'ntro-notes', 'aria-label': 'Notifications' } },
      h('div', { class: 'ntro-notes-header' }, h('h3', { text: 'Notifications' }), this.countNode, h('span', { class: 'ntro-spacer' }), this.readAll),
      this.listNode
    );
    this.render();
  }

  /** Unread notifications (not read, not dismissed) among the recent ones. */
  get unread(): number {
    return this.loaded && !this.error ? this.unreadCount : 0;
  }

  async load(): Promise<void> {
    try {
      const body = await api<INotifications>(`notifications?limit=${SHOWN}`);
      this.notes = body.notifications.filter(n => !this.hidden.has(n.id));
      this.unreadCount = body.unread;
      this.error = null;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
    this.loaded = true;
    this.render();
  }

  private async mark(action: 'read' | 'dismiss', ids: string[]): Promise<void> {
    if (!ids.length) {
      return;
    }
    const chosen = new Set(ids);
    // At once on screen; the server's answer (next load) confirms it.
    for (const note of this.notes) {
      if (chosen.has(note.id) && !note.read) {
        note.read = true;
        this.unreadCount = Math.max(0, this.unreadCount - 1);
      }
    }
    if (action === 'dismiss') {
      ids.forEach(id => this.hidden.add(id));
      this.notes = this.notes.filter(note => !chosen.has(note.id));
    }
    this.render();
    try {
      await post('notifications', { action, ids });
    } catch (err) {
      this.error = `Not saved: ${err instanceof ApiError ? err.message : String(err)}`;
      ids.forEach(id => this.hidden.delete(id));
    }
    await this.load();
  }

  private render(): void {
    const unread = this.unread;
    this.countNode.textContent = unread ? `${unread} unread` : '';
    this.readAll.disabled = unread === 0;
    this.node.style.display = this.loaded && (this.notes.length || this.error) ? '' : 'none';
    clear(this.listNode);
    if (this.error) {
      this.listNode.appendChild(h('div', { class: 'ntro-error', attrs: { 'data-testid': 'ntro-notes-error' }, text: this.error }));
    }
    for (const note of this.notes) {
      this.listNode.appendChild(this.renderNote(note));
    }
    this.options.onChange();
  }

  private renderNote(note: INotification): HTMLElement {
    const where = [note.step ? `step ${note.step}` : '', note.entity_id].filter(Boolean).join(' · ');
    const details = dataLine(note.data);
    const open = note.workflow_id
      ? h('button', {
          class: 'ntro-button ntro-link-button ntro-note-run',
          text: `Open run ${asText(note.workflow_id, 80)}`,
          title: `Open the run ${note.workflow_id}`,
          attrs: { 'data-testid': 'ntro-note-open', 'aria-label': `Open the run ${note.workflow_id}` },
          on: {
            click: () => {
              void this.mark('read', [note.id]);
              this.options.openRun(note.workflow_id as string);
            }
          }
        })
      : null;
    return h(
      'div',
      {
        class: 'ntro-note' + (note.read ? '' : ' ntro-note-unread'),
        attrs: { 'data-testid': 'ntro-note', 'data-note-id': note.id, 'data-read': String(note.read), role: 'listitem' }
      },
      h(
        'div',
        { class: 'ntro-note-main' },
        h(
          'span',
          { class: 'ntro-item-line' },
          h('span', { class: 'ntro-note-type', text: asText(note.type, 80) }),
          h('span', {
            class: 'ntro-age ntro-note-age',
            attrs: { 'data-opened': note.created_at },
            title: `Sent ${when(note.created_at)}`,
            text: age(note.created_at)
          })
        ),
        where ? h('span', { class: 'ntro-item-meta', text: asText(where, 160) }) : null,
        details ? h('span', { class: 'ntro-item-meta ntro-note-data', text: details, title: asText(note.data, 500) }) : null,
        open
      ),
      h('button', {
        class: 'ntro-button ntro-icon-button ntro-note-dismiss',
        text: '×',
        title: 'Dismiss',
        attrs: { 'data-testid': 'ntro-note-dismiss', 'aria-label': `Dismiss ${asText(note.type, 80)}` },
        on: { click: () => void this.mark('dismiss', [note.id]) }
      })
    );
  }

  /** Refresh the ages in place (called with the inbox's own). */
  updateAges(now: number = Date.now()): void {
    this.listNode.querySelectorAll<HTMLElement>('.ntro-note-age').forEach(node => {
      node.textContent = age(node.getAttribute('data-opened'), now);
    });
  }
}
