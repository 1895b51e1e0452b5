/**
 * One run drawn as plain DOM: header, breadcrumb, decisions and audit trail.
 *
 * Used by the MIME renderer (a saved snapshot, no kernel) and by the review panel. Input is a
 * `current_ui_state` dict as the SDK returns it; the review panel passes the server's
 * view-model lines (the same ones the notebook widget draws) when it has them. Everything is
 * written with textContent.
 */

import { age, asText, h, money, when } from './dom';

export const MIME_TYPE = 'application/vnd.ntro.run+json';

export interface IStepView {
  id: string;
  title: string;
  status: string;
  status_text?: string;
  current?: boolean;
  waiting?: boolean;
  children?: { workflow_id: string; slug?: string; status?: string }[];
}

export interface IHistoryLine {
  at: string;
  who?: string | null;
  kind: string;
  text: string;
}

const STATUS_WORDS: Record<string, string> = {
  completed: 'done',
  failed: 'failed',
  active: 'running',
  waiting_for_input: 'waiting for you',
  pending: 'not started'
};

// Glyphs every default font has (DejaVu, Segoe, SF): no tofu boxes.
const STATUS_MARK: Record<string, string> = {
  completed: '✓',
  failed: '✕',
  active: '◐',
  waiting_for_input: '◉',
  pending: '○'
};

function obj(value: unknown): Record<string, any> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, any>)
    : {};
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** The UI state inside a MIME bundle: the state itself, or `{state: ...}`. */
export function stateOf(data: unknown): Record<string, any> {
  const outer = obj(data);
  if (outer.state && typeof outer.state === 'object') {
    return obj(outer.state);
  }
  if (outer.ui_state && typeof outer.ui_state === 'object') {
    return obj(outer.ui_state);
  }
  return outer;
}

export function stepsFromState(state: Record<string, any>): IStepView[] {
  const completed = new Set(list(state.completed_step_ids).map(String));
  const pendingStep = obj(state.pending_action).step_id;
  const children = obj(state.children_by_step_id);
  return list(state.steps)
    .filter(step => step && typeof step === 'object' && step.id !== undefined)
    .map(step => {
      let status = typeof step.status === 'string' ? step.status : 'pending';
      if (status === 'pending' && completed.has(String(step.id))) {
        status = 'completed';
      }
      return {
        id: String(step.id),
        title: asText(step.title ?? step.id, 120),
        status,
        status_text: STATUS_WORDS[status] ?? asText(status, 40),
        current: step.id === state.current_step_id,
        waiting: step.id === pendingStep || status === 'waiting_for_input',
        children: list(children[step.id]).map(child => ({
          workflow_id: asText(obj(child).workflow_id, 200),
          slug: asText(obj(child).slug, 80),
          status: asText(obj(child).status, 20)
        }))
      };
    });
}

const VERBS: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  correct: 'approved with corrections'
};

/** A corrected value as a reviewer reads it: 1250 -> "1,250.00" when it has decimals or is a
 * decimal string ("1205.5" -> "1,205.50"); codes ("3100") and text stay as they are. */
const MONEY_FIELD = /amount|debit|credit|total|balance|price|fee|nav|value/i;

export function figure(value: unknown, field: unknown = ''): string {
  let text: string | null = null;
  const money_field = MONEY_FIELD.test(String(field ?? ''));
  if (typeof value === 'number' && Number.isFinite(value) && (money_field || !Number.isInteger(value))) {
    text = String(value);
  } else if (typeof value === 'string' && /^-?\d+\.\d+$/.test(value.trim())) {
    text = value.trim();
  }
  if (text === null || /e/i.test(text)) {
    return asText(value, 120);
  }
  return money({ value: text, currency: null });
}

export function historyFromState(state: Record<string, any>): IHistoryLine[] {
  const titles: Record<string, string> = {};
  for (const step of list(state.steps)) {
    if (step && step.id !== undefined) {
      titles[String(step.id)] = asText(step.title ?? step.id, 120);
    }
  }
  return list(state.audit_trail).map(raw => {
    const entry = obj(raw);
    const who =
      (asText(entry.reviewer, 120) || 'someone') +
      (entry.on_behalf_of ? ` on behalf of ${asText(entry.on_behalf_of, 120)}` : '');
    const stepTitle = titles[String(entry.step_id)] ?? asText(entry.step_id, 120);
    const where = stepTitle ? ` on ${stepTitle}` : '';
    const action = asText(entry.action, 40).toLowerCase();
    let text: string;
    switch (entry.kind) {
      case 'decision':
        text = `${who} ${VERBS[action] ?? (action || 'decided')}${where}`;
        if (entry.comment) {
          text += `: “${asText(entry.comment, 400)}”`;
        }
        break;
      case 'first_approval':
        text = `${who} gave the first of two approvals${where}` + (entry.reason ? ` (${asText(entry.reason, 200)})` : '') + '; a second reviewer must approve';
        break;
      case 'correction':
        text =
          `${who} corrected ${asText(entry.field, 80)} of ${asText(entry.line_item_id, 80)}: ` +
          `${figure(entry.old_value, entry.field)} → ${figure(entry.new_value, entry.field)}`;
        break;
      case 'row_action':
        text =
          action === 'reject_row'
            ? `${who} rejected row ${asText(entry.line_item_id, 80)}${where}`
            : `${who} edited ${asText(entry.field, 80)} of ${asText(entry.line_item_id, 80)} to ${figure(entry.new_value, entry.field)}`;
        break;
      case 'refused':
        text = `refused${where}: ${asText(entry.reason || 'invalid input', 400)}`;
        break;
      case 'timeout':
        text = `timed out${where}` + (action ? `, default decision ${action}` : '');
        break;
      default:
        text = asText(entry, 400);
    }
    return { at: asText(entry.at, 40), who: entry.reviewer ?? null, kind: asText(entry.kind, 20), text };
  });
}

export function renderBreadcrumb(steps: IStepView[]): HTMLElement {
  const ol = h('ol', { class: 'ntro-crumbs', attrs: { 'data-testid': 'ntro-breadcrumb' } });
  steps.forEach((step, index) => {
    if (index > 0) {
      ol.appendChild(h('li', { class: 'ntro-crumb-sep', attrs: { 'aria-hidden': 'true' }, text: '›' }));
    }
    const li = h(
      'li',
      {
        class:
          `ntro-crumb ntro-crumb-${step.status}` +
          (step.current ? ' ntro-crumb-current' : '') +
          (step.waiting ? ' ntro-crumb-waiting' : ''),
        attrs: { 'data-step': step.id, 'data-status': step.status }
      },
      h('span', { class: 'ntro-crumb-mark', text: STATUS_MARK[step.status] ?? '•' }),
      h('span', { class: 'ntro-crumb-title', text: step.title }),
      h('span', { class: 'ntro-crumb-status', text: step.status_text ?? STATUS_WORDS[step.status] ?? step.status })
    );
    for (const child of step.children ?? []) {
      li.appendChild(
        h('span', {
          class: 'ntro-crumb-child',
          text: `${child.slug || 'child'} · ${child.status || ''}`,
          title: child.workflow_id
        })
      );
    }
    ol.appendChild(li);
  });
  if (!steps.length) {
    ol.appendChild(h('li', { class: 'ntro-muted', text: 'No steps recorded.' }));
  }
  return ol;
}

export function renderHistory(lines: IHistoryLine[]): HTMLElement {
  const box = h('div', { class: 'ntro-history', attrs: { 'data-testid': 'ntro-history' } });
  box.appendChild(h('h4', { text: 'Audit trail' }));
  if (!lines.length) {
    box.appendChild(h('p', { class: 'ntro-muted', text: 'No decisions yet.' }));
    return box;
  }
  const ul = h('ul');
  for (const line of lines) {
    ul.appendChild(
      h(
        'li',
        { class: `ntro-history-${line.kind}`, attrs: { 'data-kind': line.kind } },
        h('span', { class: 'ntro-history-at', text: when(line.at) || line.at }),
        h('span', { class: 'ntro-history-text', text: line.text })
      )
    );
  }
  box.appendChild(ul);
  return box;
}

function renderDecisions(state: Record<string, any>, steps: IStepView[]): HTMLElement | null {
  const snapshots = obj(state.step_snapshots);
  const rows: HTMLElement[] = [];
  for (const step of steps) {
    const decision = obj(obj(snapshots[step.id]).decision);
    if (!decision.action) {
      continue;
    }
    const action = asText(decision.action, 40).toLowerCase();
    const corrections = list(decision.corrections);
    const row = h(
      'div',
      { class: `ntro-decision ntro-decision-${action}`, attrs: { 'data-step': step.id } },
      h('strong', { text: step.title }),
      ' — ',
      h('span', {
        class: 'ntro-decision-verb',
        text:
          `${VERBS[action] ?? action} by ${asText(decision.reviewer, 120) || 'someone'}` +
          (decision.on_behalf_of ? ` on behalf of ${asText(decision.on_behalf_of, 120)}` : '')
      }),
      decision.decided_at ? h('span', { class: 'ntro-muted', text: ` · ${when(decision.decided_at)}` }) : null
    );
    if (decision.comment) {
      row.appendChild(h('div', { class: 'ntro-decision-comment', text: `“${asText(decision.comment, 400)}”` }));
    }
    if (corrections.length) {
      const ul = h('ul', { class: 'ntro-corrections' });
      for (const raw of corrections) {
        const c = { ...obj(raw) };
        if (c.old_value === undefined || c.old_value === null) {
          // The decision carries the new value; the audit trail knows what it replaced.
          const audited = list(state.audit_trail)
            .map(obj)
            .find(
              e =>
                e.kind === 'correction' &&
                e.line_item_id === c.line_item_id &&
                e.field === c.field &&
                (!decision.gate_id || !e.gate_id || e.gate_id === decision.gate_id)
            );
          if (audited) {
            c.old_value = audited.old_value;
          }
        }
        ul.appendChild(
          h('li', {
            text: `${asText(c.line_item_id, 80)} · ${asText(c.field, 80)}: ${figure(c.old_value, c.field) || '—'} → ${figure(c.new_value, c.field)}`
          })
        );
      }
      row.appendChild(ul);
    }
    rows.push(row);
  }
  if (!rows.length) {
    return null;
  }
  return h('div', { class: 'ntro-decisions', attrs: { 'data-testid': 'ntro-decisions' } }, h('h4', { text: 'Decisions' }), ...rows);
}

/** A whole saved run: what the MIME renderer shows. */
export function renderSnapshot(data: unknown): HTMLElement {
  const state = stateOf(data);
  const outer = obj(data);
  const steps = stepsFromState(state);
  const status = asText(state.status || 'running', 20);
  const pending = obj(state.pending_action);
  const root = h('div', { class: 'ntro-snapshot', attrs: { 'data-testid': 'ntro-snapshot' } });
  const title = asText(state.slug || state.workflow_type || 'Runbook', 120);
  root.appendChild(
    h(
      'div',
      { class: 'ntro-snapshot-header' },
      h('span', { class: 'ntro-snapshot-title', text: title }),
      h('span', { class: `ntro-pill ntro-pill-${status}`, text: status }),
      h('span', { class: 'ntro-muted ntro-snapshot-id', text: asText(state.workflow_id, 200) })
    )
  );
  const taken = outer.taken_at || outer.saved_at;
  root.appendChild(
    h('div', {
      class: 'ntro-muted ntro-snapshot-note',
      title: 'Drawn from the saved output: no kernel or Temporal connection needed',
      text: taken ? `Run snapshot taken ${when(taken)}` : 'Run snapshot'
    })
  );
  root.appendChild(renderBreadcrumb(steps));
  if (state.error) {
    root.appendChild(h('div', { class: 'ntro-error', text: `Failed: ${asText(state.error, 1000)}` }));
  }
  if (pending.kind) {
    const gateTitle = asText(obj(obj(pending.display_hint).config).title, 200);
    root.appendChild(
      h(
        'div',
        { class: 'ntro-pending' },
        h('strong', { text: `Waiting for ${asText(pending.kind, 40).replace(/_/g, ' ')}` }),
        gateTitle ? ` — ${gateTitle}` : '',
        pending.reason ? h('div', { text: asText(pending.reason, 300) }) : null,
        pending.opened_at ? h('div', { class: 'ntro-muted', text: `open since ${when(pending.opened_at)} (${age(pending.opened_at)})` }) : null,
        pending.deadline
          ? h('div', {
              class: 'ntro-muted',
              text:
                `decide by ${when(pending.deadline)}` +
                (pending.on_timeout ? `; after that the workflow ${pending.on_timeout === 'approve' ? 'approves' : 'rejects'} it` : '')
            })
          : null
      )
    );
  }
  const decisions = renderDecisions(state, steps);
  if (decisions) {
    root.appendChild(decisions);
  }
  const history = Array.isArray(outer.history) ? (outer.history as IHistoryLine[]) : historyFromState(state);
  root.appendChild(renderHistory(history));
  return root;
}
