/**
 * A tiny DOM builder. Every value from a payload goes into a text node or an attribute
 * set with setAttribute: nothing here ever parses HTML, so data cannot become markup.
 */

export type Child = Node | string | number | null | undefined | false;

export interface IProps {
  class?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string | undefined>;
  on?: Record<string, (event: any) => void>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: IProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) {
    el.className = props.class;
  }
  if (props.title) {
    el.title = props.title;
  }
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value !== undefined) {
      el.setAttribute(name, value);
    }
  }
  for (const [name, handler] of Object.entries(props.on ?? {})) {
    el.addEventListener(name, handler);
  }
  if (props.text !== undefined) {
    el.textContent = props.text;
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) {
    el.removeChild(el.firstChild);
  }
}

/** Any JSON value as one line of text (objects as compact JSON), cut at `max` characters. */
export function asText(value: unknown, max = 500): string {
  if (value === null || value === undefined) {
    return '';
  }
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** "just now", "45 s", "12 min", "3 h", "4 d" since an ISO time. */
export function age(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) {
    return '';
  }
  const then = Date.parse(iso);
  if (isNaN(then)) {
    return '';
  }
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 10) {
    return 'just now';
  }
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return `${hours} h`;
  }
  return `${Math.floor(hours / 24)} d`;
}

// One formatter for every date shown: building one per call costs more than the whole row.
// Times are in UTC everywhere, with the zone shown, as the notebook widgets write them: a
// review's deadline reads the same to every reviewer, wherever they sit.
const SHORT_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC'
});

/** A short UTC date-time for an ISO time ("28 Nov 16:40 UTC"), or the text itself. */
export function when(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const then = new Date(iso);
  if (isNaN(then.getTime())) {
    return asText(iso, 40);
  }
  return `${SHORT_TIME.format(then).replace(',', '')} UTC`;
}

/** "in 3 h", "in 2 d", "5 min ago" until (or since) an ISO time. */
export function until(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) {
    return '';
  }
  const then = Date.parse(iso);
  if (isNaN(then)) {
    return '';
  }
  const late = then < now;
  const minutes = Math.round(Math.abs(then - now) / 60000);
  const span =
    minutes < 60 ? `${minutes} min` : minutes < 48 * 60 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 1440)} d`;
  return late ? `${span} overdue` : `in ${span}`;
}

/** {"value": "10000.5", "currency": "USD"} -> "USD 10,000.50" (two decimals at least; every
 * digit sent is kept; no binary float on the way). */
export function money(amount: { value: string; currency: string | null } | null | undefined): string {
  if (!amount || typeof amount.value !== 'string' || !/^-?\d+(\.\d+)?$/.test(amount.value)) {
    return '';
  }
  const negative = amount.value.startsWith('-');
  const [whole, fraction = ''] = amount.value.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${negative ? '-' : ''}${grouped}.${fraction.padEnd(2, '0')}`;
  return amount.currency ? `${amount.currency} ${text}` : text;
}
