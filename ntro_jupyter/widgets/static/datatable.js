// ntro DATA_TABLE front end (anywidget ES module).
//
// Draws the rows the Python view-model prepared (every value already text) and reports the
// reviewer's clicks and keystrokes back with model.send(); Python owns the review rules and
// answers by updating the `state` trait. Only the visible rows are in the DOM (virtual
// scrolling), so a 10,000-row table opens as fast as a 20-row one. Values are only ever put
// in text nodes or attributes, never parsed as HTML. Uses h(), icon(), ICONS, toneOf() and
// renderDecisionFooter() from common.js, which is put in front of this file when loaded.

const ROW_H = 30;
const OVERSCAN = 6;
const MAX_VISIBLE_ROWS = 14;
const HEADER_W = 150;

class TableView {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.ds = 0;
    this.byConfidence = false;
    this.active = { pos: 0, col: 0 };
    this.editing = null;
    this.pending = new Map();
    this.frame = 0;
    this.root = h("div", { className: "ntro-dt", "data-ntro": "datatable" });
    el.append(this.root);
    this.onTable = () => this.renderAll();
    this.onState = () => this.renderState();
    model.on("change:table", this.onTable);
    model.on("change:state", this.onState);
    this.renderAll();
  }

  destroy() {
    this.model.off("change:table", this.onTable);
    this.model.off("change:state", this.onState);
    cancelAnimationFrame(this.frame);
    this.root.remove();
  }

  get table() { return this.model.get("table") || {}; }
  get state() { return this.model.get("state") || {}; }
  get body() { return this.state.body || {}; }
  get readOnly() {
    const gate = this.state.gate || {};
    return Boolean(gate.read_only) || this.state.interactive === false || !this.table.allow_corrections;
  }
  get frozen() {
    const gate = this.state.gate || {};
    return Boolean(gate.read_only) || this.state.interactive === false;
  }
  dataset() { return (this.table.datasets || [])[this.ds] || { columns: [], cells: [], row_ids: [] }; }

  send(message) { this.model.send(message); }

  // ---- indexes over the static table -------------------------------------------------
  index() {
    const ds = this.dataset();
    const ncol = ds.columns.length;
    const key = (r, c) => r * ncol + c;
    const cellLow = new Map((ds.low || []).map(([r, c, v]) => [key(r, c), v]));
    const rowLow = new Map((ds.low_rows || []).map(([r, v]) => [r, v]));
    // a row-level score applies to every cell of the row; a field score to one cell
    const low = {
      has: (k) => cellLow.has(k) || rowLow.has(Math.floor(k / ncol)),
      get: (k) => (cellLow.has(k) ? cellLow.get(k) : rowLow.get(Math.floor(k / ncol))),
    };
    const bad = new Set((ds.bad || []).map(([r, c]) => key(r, c)));
    const errors = new Map();
    for (const [r, c, msg] of ds.errors || []) {
      const k = key(r, c);
      errors.set(k, [...(errors.get(k) || []), msg]);
    }
    const natural = ds.cells.map((_, i) => i);
    this.idx = { ds, ncol, key, low, bad, errors, natural };
    this.widths = this.columnWidths(ds);
  }

  /** Column widths from the header and a sample of cells (monospace-free estimate). */
  columnWidths(ds) {
    const sample = ds.cells.slice(0, 200);
    return ds.columns.map((col, c) => {
      let longest = String(col.label).length + 2;
      for (const row of sample) longest = Math.max(longest, String(row[c] ?? "").length);
      const mark = col.editable && !this.readOnly ? 16 : 0;
      return Math.max(72, Math.min(320, Math.round(longest * 7.4 + 22 + mark)));
    });
  }

  stateIndex() {
    const { key } = this.idx;
    const ds = this.dataset();
    const edits = new Map();
    for (const [r, c, oldText, newText, error] of (this.body.edits || {})[ds.key] || []) {
      edits.set(key(r, c), { oldText, newText, error });
    }
    const rejected = new Set(((this.body.rejected || {})[ds.key]) || []);
    const rules = new Map();
    for (const [r, c, msg] of ((this.body.rule_cells || {})[ds.key]) || []) {
      const k = key(r, c);
      rules.set(k, [...(rules.get(k) || []), msg]);
    }
    this.sidx = { edits, rejected, rules };
    // an optimistic edit is dropped once Python has answered for that cell
    for (const k of [...this.pending.keys()]) if (edits.has(k) || this.pending.get(k).answered) this.pending.delete(k);
  }

  order() {
    const ds = this.dataset();
    return this.byConfidence && ds.confidence_order ? ds.confidence_order : this.idx.natural;
  }

  // ---- layout --------------------------------------------------------------------------
  renderAll() {
    const datasets = this.table.datasets || [];
    if (this.ds >= datasets.length) this.ds = 0;
    this.index();
    const hadFocus = this.root.contains(document.activeElement);
    this.root.replaceChildren();
    this.headerEl = h("div", { className: "ntro-dt-header" });
    this.problemsEl = h("div", { className: "ntro-problems" });
    this.tabsEl = h("div", { className: "ntro-dt-tabs", role: "tablist" });
    this.toolbarEl = h("div", { className: "ntro-dt-toolbar" });
    this.viewport = h("div", {
      className: "ntro-dt-viewport", tabindex: "0", role: "grid",
      "aria-label": this.table.title || "Review table",
      onscroll: () => this.scheduleRows(),
      onkeydown: (e) => this.onKey(e),
    });
    this.headRow = h("div", { className: "ntro-dt-row ntro-dt-head", role: "row" });
    this.bodyEl = h("div", { className: "ntro-dt-body", role: "rowgroup" });
    this.viewport.append(this.headRow, this.bodyEl);
    this.sideEl = h("div", { className: "ntro-dt-side" });
    this.correctionsEl = h("div", { className: "ntro-dt-corrections" });
    this.rulesEl = h("div", { className: "ntro-dt-rules" });
    this.footerEl = h("div", { className: "ntro-footer" });
    const main = h("div", { className: "ntro-dt-main" }, this.tabsEl, this.toolbarEl, this.viewport);
    const layout = h("div", { className: "ntro-dt-layout" }, main);
    if ((this.table.source_fields || []).length) layout.append(this.sideEl);
    this.root.append(this.headerEl, this.problemsEl, layout, this.rulesEl, this.correctionsEl, this.footerEl);
    this.renderHeader();
    this.renderTabs();
    this.renderColumns();
    this.renderSide();
    this.renderState();
    if (hadFocus) this.viewport.focus({ preventScroll: true });
  }

  renderHeader() {
    const t = this.table;
    const ds = this.dataset();
    const badges = h("div", { className: "ntro-badges" },
      h("span", { className: "ntro-badge", text: `${thousands(ds.cells.length)} rows` }));
    this.lowBadge = h("span", { className: "ntro-badge ntro-tone-warn", hidden: true });
    badges.append(this.lowBadge);
    const subtitle = t.subtitle || this.state.subtitle;
    this.headerEl.replaceChildren(...[
      h("div", { className: "ntro-title-row" },
        h("div", {},
          h("div", { className: "ntro-title", text: this.state.title || t.title || "Review" }),
          subtitle ? h("div", { className: "ntro-subtitle", text: subtitle }) : null,
          this.state.reason ? h("div", { className: "ntro-reason", text: this.state.reason }) : null),
        badges),
      t.summary ? h("div", { className: "ntro-summary", text: t.summary }) : null,
    ].filter(Boolean));
  }

  renderTabs() {
    const datasets = this.table.datasets || [];
    this.tabsEl.replaceChildren();
    this.tabsEl.hidden = datasets.length < 2;
    datasets.forEach((ds, i) => {
      this.tabsEl.append(h("button", {
        className: "ntro-tab" + (i === this.ds ? " ntro-tab-active" : ""), role: "tab",
        "aria-selected": i === this.ds ? "true" : "false", type: "button",
        onclick: () => { this.ds = i; this.active = { pos: 0, col: 0 }; this.byConfidence = false; this.renderAll(); },
      }, `${ds.label} `, h("span", { className: "ntro-tab-count", text: thousands(ds.cells.length) })));
    });
  }

  gridTemplate() { return `${HEADER_W}px ${this.widths.map((w) => `${w}px`).join(" ")} 1fr`; }

  renderColumns() {
    const ds = this.dataset();
    const template = this.gridTemplate();
    this.headRow.style.gridTemplateColumns = template;
    this.headRow.replaceChildren(h("div", { className: "ntro-dt-cell ntro-dt-rowhead", role: "columnheader", text: "Line" }));
    ds.columns.forEach((col) => {
      this.headRow.append(h("div", {
        className: `ntro-dt-cell ntro-align-${col.align}`, role: "columnheader", title: `${col.label} (${col.type})`,
      }, col.label, col.editable && !this.readOnly ? h("span", { className: "ntro-editable-mark", title: "editable", text: "✎" }) : null));
    });
    const total = HEADER_W + this.widths.reduce((a, b) => a + b, 0);
    this.bodyEl.style.height = `${ds.cells.length * ROW_H}px`;
    for (const node of [this.bodyEl, this.headRow]) {
      node.style.width = `${total}px`;
      node.style.minWidth = "100%";
    }
    const visible = Math.max(3, Math.min(MAX_VISIBLE_ROWS, ds.cells.length));
    this.viewport.style.height = `${visible * ROW_H + ROW_H + 2 + 14}px`;
    if (!ds.cells.length) {
      this.bodyEl.style.height = `${ROW_H}px`;
    }
  }

  renderSide() {
    const fields = this.table.source_fields || [];
    if (!fields.length) return;
    this.sideEl.replaceChildren(
      h("div", { className: "ntro-section-title", text: this.table.schema_slug ? `Source document · ${this.table.schema_slug}` : "Source document" }),
      h("dl", { className: "ntro-fields ntro-source-fields" }, fields.map((f) => [
        h("dt", { text: f.label }),
        h("dd", { className: f.low ? "ntro-low" : "", title: f.confidence === null ? null : `confidence ${Math.round(f.confidence * 100)}%` }, f.value),
        h("dd", { className: "ntro-conf" + (f.low ? " ntro-conf-low" : ""), text: f.confidence === null ? "" : `${Math.round(f.confidence * 100)}%` }),
      ])),
    );
  }

  // ---- state-driven parts ----------------------------------------------------------------
  renderState() {
    if (this.drawnReadOnly !== undefined && this.drawnReadOnly !== this.readOnly) this.renderColumns();
    this.drawnReadOnly = this.readOnly;
    this.stateIndex();
    const ds = this.dataset();
    const lowCount = ds.low_count !== undefined ? ds.low_count : (ds.low || []).length;
    this.lowBadge.hidden = !lowCount;
    this.lowBadge.replaceChildren(icon(ICONS.alert, 12), ` ${thousands(lowCount)} low-confidence cell${lowCount === 1 ? "" : "s"} (below ${Math.round((this.table.threshold || 0) * 100)}%)`);
    this.renderProblems();
    this.renderToolbar();
    this.renderRows();
    this.renderRules();
    this.renderCorrections();
    this.renderFooter();
  }

  renderProblems() {
    const problems = this.state.problems || [];
    this.problemsEl.replaceChildren();
    this.problemsEl.hidden = !problems.length;
    if (!problems.length) return;
    this.problemsEl.append(
      h("div", { className: "ntro-problems-title" }, icon(ICONS.alert, 13), " Some of this gate could not be shown as sent:"),
      h("ul", {}, problems.map((p) => h("li", { text: p }))),
    );
  }

  renderToolbar() {
    const ds = this.dataset();
    this.toolbarEl.replaceChildren();
    if (ds.confidence_order) {
      this.toolbarEl.append(h("label", { className: "ntro-toggle" },
        h("input", { type: "checkbox", checked: this.byConfidence, onchange: (e) => { this.byConfidence = e.target.checked; this.viewport.scrollTop = 0; this.active.pos = 0; this.renderRows(); } }),
        " Lowest confidence first"));
    }
    if (!this.frozen && this.table.allow_corrections) {
      this.toolbarEl.append(h("button", {
        type: "button", className: "ntro-btn ntro-btn-small", disabled: !this.body.can_undo,
        onclick: () => this.send({ type: "undo" }), title: "Undo the last edit",
      }, icon(ICONS.undo, 13), " Undo"));
      this.toolbarEl.append(h("span", { className: "ntro-hint", text: "Arrows/Tab move · Enter edits · Esc cancels" }));
    }
  }

  scheduleRows() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.renderRows(); });
  }

  renderRows() {
    const ds = this.dataset();
    const order = this.order();
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || MAX_VISIBLE_ROWS * ROW_H;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(order.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    const template = this.gridTemplate();
    const rows = [];
    if (!ds.cells.length) {
      rows.push(h("div", { className: "ntro-dt-empty", text: "No rows to show." }));
    }
    for (let pos = first; pos < last; pos++) rows.push(this.renderRow(pos, order[pos], template));
    this.bodyEl.replaceChildren(...rows);
    if (this.editing) {
      const cell = this.bodyEl.querySelector(`[data-pos="${this.editing.pos}"][data-col="${this.editing.col}"]`);
      if (cell) { cell.replaceChildren(this.editing.input); }
    }
  }

  renderRow(pos, r, template) {
    const { key, low, bad, errors } = this.idx;
    const { edits, rejected, rules } = this.sidx;
    const ds = this.dataset();
    const isRejected = rejected.has(r);
    const status = isRejected ? "rejected" : (ds.status || {})[r];
    const rowErrors = (ds.row_errors || {})[r];
    const row = h("div", {
      className: "ntro-dt-row" + (isRejected ? " ntro-rejected" : "") + (pos % 2 ? " ntro-odd" : ""),
      role: "row", "data-row": r, style: { top: `${pos * ROW_H}px`, gridTemplateColumns: template },
    });
    const head = h("div", { className: "ntro-dt-cell ntro-dt-rowhead", role: "rowheader", title: rowErrors ? rowErrors.join("\n") : null },
      h("span", { className: "ntro-rowid", text: ds.row_ids[r] }),
      status ? h("span", { className: `ntro-badge ntro-status ntro-tone-${toneOf(status)}`, text: status }) : null,
      rowErrors ? h("span", { className: "ntro-row-error", title: rowErrors.join("\n") }, icon(ICONS.alert, 12)) : null);
    if (!this.frozen && !isRejected) {
      head.append(h("button", {
        type: "button", className: "ntro-reject-row", title: `Reject line ${ds.row_ids[r]}`, "aria-label": `Reject line ${ds.row_ids[r]}`,
        onclick: (e) => { e.stopPropagation(); this.send({ type: "reject_row", dataset: ds.key, row: r }); },
      }, icon(ICONS.x, 12)));
    }
    row.append(head);
    const cells = ds.cells[r];
    ds.columns.forEach((col, c) => {
      const k = key(r, c);
      const edit = edits.get(k);
      const pending = this.pending.get(k);
      const messages = [...(errors.get(k) || []), ...(rules.get(k) || [])];
      if (edit && edit.error) messages.unshift(edit.error);
      const classes = ["ntro-dt-cell", `ntro-align-${col.align}`];
      if (low.has(k)) classes.push("ntro-low");
      if (bad.has(k)) classes.push("ntro-bad");
      if (messages.length) classes.push("ntro-has-error");
      if (edit || pending) classes.push("ntro-edited");
      if (this.active.pos === pos && this.active.col === c) classes.push("ntro-active");
      const titleParts = [];
      if (low.has(k)) titleParts.push(`confidence ${Math.round(low.get(k) * 100)}%`);
      if (bad.has(k)) titleParts.push(`not a valid ${col.type}`);
      titleParts.push(...messages);
      const cell = h("div", {
        className: classes.join(" "), role: "gridcell", "data-pos": pos, "data-col": c,
        title: titleParts.join("\n") || null,
        onclick: () => this.setActive(pos, c),
        ondblclick: () => { this.setActive(pos, c); this.startEdit(); },
      });
      if (pending) {
        cell.append(h("span", { className: "ntro-new ntro-pending", text: pending.text }));
      } else if (edit) {
        // new value first (it matters most in a narrow cell); the old one struck through after
        cell.append(h("span", { className: "ntro-new", text: edit.newText }), h("span", { className: "ntro-old", text: edit.oldText }));
        titleParts.unshift(`was: ${edit.oldText || "(empty)"}`);
        cell.title = titleParts.join("\n");
      } else {
        cell.append(String(cells[c] ?? ""));
      }
      row.append(cell);
    });
    return row;
  }

  renderRules() {
    const rules = this.body.rules || [];
    this.rulesEl.replaceChildren();
    this.rulesEl.hidden = !rules.length;
    if (!rules.length) return;
    this.rulesEl.append(h("div", { className: "ntro-section-title", text: "Checks" }));
    for (const rule of rules) {
      this.rulesEl.append(h("div", { className: `ntro-rule ${rule.ok ? "ntro-ok" : rule.level === "error" ? "ntro-fail" : "ntro-warn"}` },
        icon(rule.ok ? ICONS.check : ICONS.alert, 13), " ", rule.message));
    }
  }

  renderCorrections() {
    const list = this.body.corrections || [];
    this.correctionsEl.replaceChildren();
    this.correctionsEl.hidden = !list.length;
    if (!list.length) return;
    this.correctionsEl.append(h("div", { className: "ntro-section-title", text: `Corrections (${list.length})` }));
    for (const item of list) {
      this.correctionsEl.append(h("div", { className: "ntro-correction" + (item.error ? " ntro-fail" : "") },
        h("button", {
          type: "button", className: "ntro-link", onclick: () => this.jumpTo(item.dataset, item.row, item.col),
          text: `${item.row_id} · ${item.field}`,
        }),
        h("span", { className: "ntro-old", text: item.old || "(empty)" }), " → ",
        h("span", { className: "ntro-new", text: item.new || "(empty)" }),
        item.error ? h("span", { className: "ntro-error-text", text: ` ${item.error}` }) : null,
        this.frozen ? null : h("button", {
          type: "button", className: "ntro-btn ntro-btn-small", text: "Revert",
          onclick: () => this.send({ type: "revert", dataset: item.dataset, row: item.row, col: item.col }),
        })));
    }
  }

  renderFooter() {
    renderDecisionFooter(this.footerEl, this.state, (message) => this.send(message), this.commentValue());
  }

  commentValue() {
    const input = this.footerEl && this.footerEl.querySelector("textarea");
    return input ? input.value : "";
  }

  // ---- navigation and editing ------------------------------------------------------------
  jumpTo(datasetKey, r, c) {
    const i = (this.table.datasets || []).findIndex((d) => d.key === datasetKey);
    if (i >= 0 && i !== this.ds) { this.ds = i; this.renderAll(); }
    const pos = this.order().indexOf(r);
    if (pos >= 0) this.setActive(pos, c);
    this.viewport.focus();
  }

  setActive(pos, col) {
    const n = this.order().length;
    const ncol = this.dataset().columns.length;
    if (!n || !ncol) return;
    this.active = { pos: Math.max(0, Math.min(n - 1, pos)), col: Math.max(0, Math.min(ncol - 1, col)) };
    const top = this.active.pos * ROW_H;
    const view = this.viewport;
    const bodyTop = view.scrollTop;
    const visible = view.clientHeight - ROW_H;
    if (top < bodyTop) view.scrollTop = top;
    else if (top + ROW_H > bodyTop + visible) view.scrollTop = top + ROW_H - visible;
    let left = HEADER_W;
    for (let i = 0; i < this.active.col; i++) left += this.widths[i];
    const width = this.widths[this.active.col];
    if (left - HEADER_W < view.scrollLeft) view.scrollLeft = left - HEADER_W;
    else if (left + width > view.scrollLeft + view.clientWidth) view.scrollLeft = left + width - view.clientWidth;
    this.renderRows();
  }

  onKey(e) {
    if (this.editing) return;
    const { pos, col } = this.active;
    const ncol = this.dataset().columns.length;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_H) - 1);
    const moves = {
      ArrowDown: [pos + 1, col], ArrowUp: [pos - 1, col], ArrowRight: [pos, col + 1], ArrowLeft: [pos, col - 1],
      PageDown: [pos + page, col], PageUp: [pos - page, col], Home: [pos, 0], End: [pos, ncol - 1],
    };
    if (e.key in moves) {
      e.preventDefault();
      this.setActive(...moves[e.key]);
    } else if (e.key === "Tab") {
      const forward = !e.shiftKey;
      const n = this.order().length;
      const atEnd = forward ? pos === n - 1 && col === ncol - 1 : pos === 0 && col === 0;
      if (atEnd) return; // let focus leave the table
      e.preventDefault();
      if (forward) this.setActive(col + 1 < ncol ? pos : pos + 1, col + 1 < ncol ? col + 1 : 0);
      else this.setActive(col > 0 ? pos : pos - 1, col > 0 ? col - 1 : ncol - 1);
    } else if (e.key === "Enter" || e.key === "F2") {
      e.preventDefault();
      this.startEdit();
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      if (this.startEdit(e.key)) e.preventDefault();
    } else if ((e.ctrlKey || e.metaKey) && e.key === "z") {
      e.preventDefault();
      if (!this.frozen) this.send({ type: "undo" });
    }
  }

  startEdit(initial) {
    const ds = this.dataset();
    const col = ds.columns[this.active.col];
    const r = this.order()[this.active.pos];
    if (!col || r === undefined || this.readOnly || !col.editable || this.sidx.rejected.has(r)) return false;
    const k = this.idx.key(r, this.active.col);
    const edit = this.sidx.edits.get(k);
    const current = this.pending.has(k) ? this.pending.get(k).text : edit ? edit.newText : String(ds.cells[r][this.active.col] ?? "");
    const input = h("input", { className: "ntro-dt-input", type: "text", "aria-label": `Edit ${col.label} of ${ds.row_ids[r]}` });
    input.value = initial !== undefined ? initial : current;
    const editing = { pos: this.active.pos, col: this.active.col, r, k, input, original: current, done: false };
    this.editing = editing;
    const finish = (commit, move) => {
      if (editing.done) return;
      editing.done = true;
      this.editing = null;
      const text = input.value;
      if (commit && text !== editing.original) {
        this.pending.set(k, { text });
        this.send({ type: "edit", dataset: ds.key, row: r, col: editing.col, text });
      }
      this.renderRows();
      if (move) this.setActive(editing.pos + move[0], editing.col + move[1]);
      this.viewport.focus({ preventScroll: true });
    };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") { e.preventDefault(); finish(true, [1, 0]); }
      else if (e.key === "Tab") { e.preventDefault(); finish(true, [0, e.shiftKey ? -1 : 1]); }
      else if (e.key === "Escape") { e.preventDefault(); finish(false, null); }
    });
    input.addEventListener("blur", () => finish(true, null));
    this.renderRows();
    input.focus();
    if (initial === undefined) input.select();
    return true;
  }
}

export default {
  render({ model, el }) {
    const view = new TableView(model, el);
    return () => view.destroy();
  },
};
