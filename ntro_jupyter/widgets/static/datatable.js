// ntro DATA_TABLE front end (anywidget ES module).
//
// Draws the rows the Python view-model prepared (every value already text) and reports the
// reviewer's clicks and keystrokes back with model.send(); Python owns the review rules and
// answers by updating the `state` trait. Only the visible rows are in the DOM (virtual
// scrolling), so a 10,000-row table opens as fast as a 20-row one. Values are only ever put
// in text nodes or attributes, never parsed as HTML. Uses h(), icon(), ICONS, toneOf(),
// renderCheck() and renderDecisionFooter() from common.js, which is put in front of this file
// when loaded.
//
// The figures to check stay in view: amount and Dr/Cr columns are pinned beside the line
// (sticky), long text columns shrink first (ellipsis, full text in the title), and the
// totals rows stay at the bottom of the grid. Why a cell is flagged is written out under
// the grid (and for the active cell, as the keyboard moves), never only in a tooltip.

const ROW_H = 30;
const OVERSCAN = 6;
const MAX_VISIBLE_ROWS = 14;
const LONG_TEXT = 20;

/** "USD 1,250.00" -> "1250.00": what the editor starts from (the parser refuses groupings). */
function bareNumber(text) {
  return String(text).replace(/^[A-Z]{3}\s+/, "").replace(/\s+[A-Z]{3}$/, "").replace(/,/g, "");
}

class TableView {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.ds = 0;
    this.byConfidence = false;
    this.flaggedOnly = false;
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
    // a field's score flags its cell; a row-level score flags the line (its row head) only
    const low = new Map((ds.low || []).map(([r, c, v]) => [key(r, c), v]));
    const rowLow = new Map((ds.low_rows || []).map(([r, v]) => [r, v]));
    const bad = new Set((ds.bad || []).map(([r, c]) => key(r, c)));
    const errors = new Map();
    for (const [r, c, msg] of ds.errors || []) {
      const k = key(r, c);
      errors.set(k, [...(errors.get(k) || []), msg]);
    }
    const flagged = new Set([...low.keys()].map((k) => Math.floor(k / ncol)));
    for (const r of rowLow.keys()) flagged.add(r);
    for (const k of [...bad, ...errors.keys()]) flagged.add(Math.floor(k / ncol));
    for (const r of Object.keys(ds.row_errors || {})) flagged.add(Number(r));
    const natural = ds.cells.map((_, i) => i);
    // display order: pinned columns (amounts, Dr/Cr) right after the line, then the rest
    const cols = ds.columns.map((_, c) => c);
    cols.sort((a, b) => (ds.columns[b].pinned ? 1 : 0) - (ds.columns[a].pinned ? 1 : 0) || a - b);
    this.idx = { ds, ncol, key, low, rowLow, bad, errors, natural, flagged, cols };
    this.sizes = this.columnSizes(ds);
  }

  /** Each column's [min, max] width from its heading and a sample of cells; long text
   * (descriptions) may shrink to its min, everything else keeps its natural width. */
  columnSizes(ds) {
    const sample = ds.cells.slice(0, 200);
    let head = 6;
    for (const id of ds.row_ids.slice(0, 200)) head = Math.max(head, String(id).length);
    const badge = Object.keys(ds.status || {}).length ? 78 : 0;
    this.headW = Math.max(96, Math.min(200, Math.round(head * 7.6 + 54 + badge)));
    return ds.columns.map((col, c) => {
      let longest = String(col.heading || col.label).length + 2;
      for (const row of sample) longest = Math.max(longest, String(row[c] ?? "").length);
      const mark = col.editable && !this.readOnly ? 16 : 0;
      const natural = Math.max(56, Math.min(360, Math.round(longest * 7.4 + 22 + mark)));
      const shrinks = col.type === "text" && !col.pinned && longest > LONG_TEXT;
      const min = shrinks ? Math.max(110, Math.round(String(col.label).length * 7.4 + 22 + mark)) : natural;
      return [Math.min(min, natural), natural];
    });
  }

  stateIndex() {
    const { key } = this.idx;
    const ds = this.dataset();
    const edits = new Map();
    for (const [r, c, oldText, newText, error, kind] of (this.body.edits || {})[ds.key] || []) {
      edits.set(key(r, c), { oldText, newText, error, derived: kind === "derived" });
    }
    const rejected = new Set(((this.body.rejected || {})[ds.key]) || []);
    const rules = new Map();
    const blocking = new Set(); // cells breaking a rule that blocks approval (not a warning)
    for (const [r, c, msg, level] of ((this.body.rule_cells || {})[ds.key]) || []) {
      const k = key(r, c);
      rules.set(k, [...(rules.get(k) || []), msg]);
      if (level !== "warning") blocking.add(k);
    }
    const flagged = new Set(this.idx.flagged);
    for (const k of rules.keys()) flagged.add(Math.floor(k / this.idx.ncol));
    for (const [k, e] of edits) if (e.error) flagged.add(Math.floor(k / this.idx.ncol));
    this.sidx = { edits, rejected, rules, flagged, blocking };
    // an optimistic edit is dropped once Python has answered for that cell
    for (const k of [...this.pending.keys()]) if (edits.has(k) || this.pending.get(k).answered) this.pending.delete(k);
  }

  order() {
    const ds = this.dataset();
    const order = this.byConfidence && ds.confidence_order ? ds.confidence_order : this.idx.natural;
    return this.flaggedOnly ? order.filter((r) => this.sidx.flagged.has(r)) : order;
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
    this.totalsEl = h("div", { className: "ntro-dt-totals", role: "rowgroup", "aria-label": "Totals" });
    this.viewport.append(this.headRow, this.bodyEl, this.totalsEl);
    this.infoEl = h("div", { className: "ntro-dt-info", role: "status", "aria-live": "polite" });
    this.sideEl = h("div", { className: "ntro-dt-side" });
    this.flagsEl = h("div", { className: "ntro-dt-flags" });
    this.correctionsEl = h("div", { className: "ntro-dt-corrections" });
    this.rejectedEl = h("div", { className: "ntro-dt-rejected" });
    this.rulesEl = h("div", { className: "ntro-dt-rules" });
    this.footerEl = h("div", { className: "ntro-footer" });
    const main = h("div", { className: "ntro-dt-main" }, this.tabsEl, this.toolbarEl, this.viewport, this.infoEl);
    const layout = h("div", { className: "ntro-dt-layout" }, main);
    if ((this.table.source_fields || []).length) layout.append(this.sideEl);
    this.root.append(this.headerEl, this.problemsEl, this.rulesEl, layout, this.flagsEl, this.correctionsEl, this.rejectedEl, this.footerEl);
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
      t.dr_cr_books ? h("div", { className: "ntro-hint ntro-books", text: t.dr_cr_books }) : null,
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
        onclick: () => { this.ds = i; this.active = { pos: 0, col: 0 }; this.byConfidence = false; this.flaggedOnly = false; this.renderAll(); },
      }, `${ds.label} `, h("span", { className: "ntro-tab-count", text: thousands(ds.cells.length) })));
    });
  }

  /** Pinned columns and the row head have fixed widths; long text shrinks (minmax). */
  gridTemplate() {
    const tracks = this.idx.cols.map((c) => {
      const [min, max] = this.sizes[c];
      return min === max ? `${max}px` : `minmax(${min}px, ${max}px)`;
    });
    return `${this.headW}px ${tracks.join(" ")} 1fr`;
  }

  /** Left offsets of the sticky cells: the row head, then each pinned column in turn. */
  stickyLefts() {
    const lefts = new Map();
    let left = this.headW;
    for (const c of this.idx.cols) {
      if (!this.dataset().columns[c].pinned) break;
      lefts.set(c, left);
      left += this.sizes[c][1];
    }
    this.pinnedRight = left;
    return lefts;
  }

  cellClass(col, c) {
    const classes = ["ntro-dt-cell", `ntro-align-${col.align}`];
    if (this.lefts.has(c)) classes.push("ntro-pinned");
    if (this.lastPinned === c) classes.push("ntro-pinned-last");
    return classes;
  }

  renderColumns() {
    const ds = this.dataset();
    const template = this.gridTemplate();
    this.lefts = this.stickyLefts();
    this.lastPinned = [...this.lefts.keys()].pop();
    this.headRow.style.gridTemplateColumns = template;
    this.headRow.replaceChildren(h("div", { className: "ntro-dt-cell ntro-dt-rowhead", role: "columnheader", text: "Line" }));
    for (const c of this.idx.cols) {
      const col = ds.columns[c];
      const cell = h("div", {
        className: this.cellClass(col, c).join(" "), role: "columnheader", "data-col": c,
        title: `${col.heading || col.label} (${col.type === "dr_cr" ? "Dr/Cr" : col.type})`,
      }, col.heading || col.label, col.editable && !this.readOnly ? h("span", { className: "ntro-editable-mark", title: "editable", text: "✎" }) : null);
      if (this.lefts.has(c)) cell.style.left = `${this.lefts.get(c)}px`;
      this.headRow.append(cell);
    }
    const minTotal = this.headW + this.sizes.reduce((a, [min]) => a + min, 0);
    for (const node of [this.bodyEl, this.headRow, this.totalsEl]) {
      node.style.width = `${minTotal}px`;
      node.style.minWidth = "100%";
    }
  }

  /** Body height and viewport height follow the rows shown (all, or the flagged ones);
   * returns the viewport's height in px. */
  sizeViewport(count) {
    const totals = ((this.body.totals || {})[this.dataset().key] || []).length;
    this.bodyEl.style.height = `${Math.max(1, count) * ROW_H}px`;
    const visible = Math.max(3, Math.min(MAX_VISIBLE_ROWS, count));
    const height = (visible + 1 + totals) * ROW_H + 2 + 14;
    this.viewport.style.height = `${height}px`;
    return height;
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
    const lowCount = (ds.low || []).length;
    const lowLines = (ds.low_rows || []).length;
    const below = `below ${Math.round((this.table.threshold || 0) * 100)}%`;
    const parts = [];
    if (lowCount) parts.push(`${thousands(lowCount)} low-confidence cell${lowCount === 1 ? "" : "s"}`);
    if (lowLines) parts.push(`${thousands(lowLines)} low-confidence line${lowLines === 1 ? "" : "s"}`);
    this.lowBadge.hidden = !parts.length;
    this.lowBadge.replaceChildren(icon(ICONS.alert, 12), ` ${parts.join(", ")} (${below})`);
    this.renderProblems();
    this.renderToolbar();
    this.renderRows();
    this.renderTotals();
    this.renderRules();
    this.renderFlags();
    this.renderCorrections();
    this.renderRejected();
    this.renderInfo();
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
    const reorder = (apply) => (e) => { apply(e.target.checked); this.viewport.scrollTop = 0; this.active.pos = 0; this.renderRows(); this.renderInfo(); };
    if (this.sidx.flagged.size || this.flaggedOnly) {
      this.toolbarEl.append(h("label", { className: "ntro-toggle" },
        h("input", { type: "checkbox", checked: this.flaggedOnly, onchange: reorder((on) => { this.flaggedOnly = on; }) }),
        ` Flagged only (${thousands(this.sidx.flagged.size)})`));
    }
    if (ds.confidence_order) {
      this.toolbarEl.append(h("label", { className: "ntro-toggle" },
        h("input", { type: "checkbox", checked: this.byConfidence, onchange: reorder((on) => { this.byConfidence = on; }) }),
        " Lowest confidence first"));
    }
    if (!this.frozen && this.table.allow_corrections) {
      this.toolbarEl.append(h("button", {
        type: "button", className: "ntro-btn ntro-btn-small", disabled: !this.body.can_undo,
        onclick: () => this.send({ type: "undo" }), title: "Undo the last edit",
      }, icon(ICONS.undo, 13), " Undo"));
    }
    if (!this.frozen) {
      // the keyboard's way to reject the active line (the row's own button is for the mouse)
      this.rejectActiveEl = h("button", {
        type: "button", className: "ntro-btn ntro-btn-small ntro-btn-reject", "data-reject-active": "",
        onclick: () => this.rejectActive(),
      }, icon(ICONS.x, 13), " Reject line");
      this.toolbarEl.append(this.rejectActiveEl);
      this.toolbarEl.append(h("span", { className: "ntro-hint", text: "Arrows/Tab move · Enter edits · Esc cancels · Ctrl+Delete rejects the line" }));
    }
    this.updateRejectActive();
  }

  activeRow() { return this.order()[this.active.pos]; }

  updateRejectActive() {
    if (!this.rejectActiveEl) return;
    const r = this.activeRow();
    const ds = this.dataset();
    const can = r !== undefined && !this.sidx.rejected.has(r);
    this.rejectActiveEl.disabled = !can;
    this.rejectActiveEl.lastChild.textContent = r === undefined ? " Reject line" : ` Reject line ${ds.row_ids[r]}`;
    this.rejectActiveEl.setAttribute("aria-label", r === undefined ? "Reject line" : `Reject line ${ds.row_ids[r]}`);
  }

  rejectActive() {
    const r = this.activeRow();
    if (r === undefined || this.frozen || this.sidx.rejected.has(r)) return;
    this.send({ type: "reject_row", dataset: this.dataset().key, row: r });
  }

  scheduleRows() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.renderRows(); });
  }

  renderRows() {
    const ds = this.dataset();
    const order = this.order();
    const top = this.viewport.scrollTop;
    const height = this.sizeViewport(order.length); // the height set, not measured: no reflow
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(order.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    const template = this.gridTemplate();
    const rows = [];
    if (!order.length) {
      rows.push(h("div", { className: "ntro-dt-empty", text: ds.cells.length ? "No flagged lines." : "No rows to show." }));
    }
    for (let pos = first; pos < last; pos++) rows.push(this.renderRow(pos, order[pos], template));
    this.bodyEl.replaceChildren(...rows);
    if (this.editing) {
      const cell = this.bodyEl.querySelector(`[data-pos="${this.editing.pos}"][data-col="${this.editing.c}"]`);
      if (cell) { cell.replaceChildren(this.editing.input); }
    }
  }

  renderRow(pos, r, template) {
    const { key, low, rowLow, bad, errors } = this.idx;
    const { edits, rejected, rules, blocking } = this.sidx;
    const ds = this.dataset();
    const isRejected = rejected.has(r);
    const status = isRejected ? "rejected" : (ds.status || {})[r];
    const rowErrors = (ds.row_errors || {})[r];
    const row = h("div", {
      className: "ntro-dt-row" + (isRejected ? " ntro-rejected" : "") + (pos % 2 ? " ntro-odd" : ""),
      role: "row", "data-row": r, style: { top: `${pos * ROW_H}px`, gridTemplateColumns: template },
    });
    const score = rowLow.get(r);
    const head = h("div", { className: "ntro-dt-cell ntro-dt-rowhead" + (score !== undefined ? " ntro-low" : ""), role: "rowheader", title: rowErrors ? rowErrors.join("\n") : null },
      h("span", { className: "ntro-rowid", text: ds.row_ids[r] }),
      score !== undefined ? h("span", { className: "ntro-chip", text: `${Math.round(score * 100)}%` }) : null,
      status ? h("span", { className: `ntro-badge ntro-status ntro-tone-${toneOf(status)}`, text: status }) : null,
      rowErrors ? h("span", { className: "ntro-row-error" }, icon(ICONS.alert, 12)) : null);
    if (!this.frozen && !isRejected) {
      head.append(h("button", {
        type: "button", className: "ntro-reject-row", title: `Reject line ${ds.row_ids[r]}`, "aria-label": `Reject line ${ds.row_ids[r]}`,
        tabindex: "-1", onclick: (e) => { e.stopPropagation(); this.send({ type: "reject_row", dataset: ds.key, row: r }); },
      }, icon(ICONS.x, 12)));
    }
    row.append(head);
    const cells = ds.cells[r];
    this.idx.cols.forEach((c, shown) => {
      const col = ds.columns[c];
      const k = key(r, c);
      const edit = edits.get(k);
      const pending = this.pending.get(k);
      const messages = [...(errors.get(k) || []), ...(rules.get(k) || [])];
      if (edit && edit.error) messages.unshift(edit.error);
      const classes = this.cellClass(col, c);
      const lowShown = low.has(k) && !edit && !pending; // a corrected value was checked by a person
      if (lowShown) classes.push("ntro-low");
      if (bad.has(k)) classes.push("ntro-bad");
      const blocks = (edit && edit.error) || (errors.get(k) || []).length || blocking.has(k);
      if (messages.length) classes.push(blocks ? "ntro-has-error" : "ntro-has-warning");
      if (edit || pending) classes.push(edit && edit.derived ? "ntro-derived" : "ntro-edited");
      if (this.active.pos === pos && this.active.col === shown) classes.push("ntro-active");
      const titleParts = [];
      if (low.has(k)) titleParts.push(`read with ${Math.round(low.get(k) * 100)}% confidence`);
      if (bad.has(k)) titleParts.push(`not a valid ${col.type}`);
      titleParts.push(...messages);
      const cell = h("div", {
        className: classes.join(" "), role: "gridcell", "data-pos": pos, "data-col": c,
        onclick: () => this.setActive(pos, shown),
        ondblclick: () => { this.setActive(pos, shown); this.startEdit(); },
      });
      if (this.lefts.has(c)) cell.style.left = `${this.lefts.get(c)}px`;
      if (lowShown) cell.append(h("span", { className: "ntro-chip", text: `${Math.round(low.get(k) * 100)}%` }));
      if (messages.length || bad.has(k)) cell.append(h("span", { className: "ntro-cell-flag" }, icon(ICONS.alert, 11)));
      let full = String(cells[c] ?? "");
      if (pending) {
        cell.append(h("span", { className: "ntro-new ntro-pending", text: pending.text }));
        full = pending.text;
      } else if (edit) {
        // new value first (it matters most in a narrow cell); the old one struck through after
        cell.append(h("span", { className: "ntro-new", text: edit.newText }), h("span", { className: "ntro-old", text: edit.oldText }));
        titleParts.unshift(`was: ${edit.oldText || "(empty)"}`);
        full = edit.newText;
      } else {
        cell.append(full);
      }
      // the full text is always in the title: a shrunk description ends in an ellipsis
      cell.title = [full, ...titleParts].filter(Boolean).join("\n") || "";
      row.append(cell);
    });
    return row;
  }

  renderTotals() {
    const ds = this.dataset();
    const totals = (this.body.totals || {})[ds.key] || [];
    const template = this.gridTemplate();
    this.totalsEl.hidden = !totals.length;
    this.totalsEl.replaceChildren(...totals.map((t) => {
      const row = h("div", { className: "ntro-dt-row ntro-dt-total", role: "row", style: { gridTemplateColumns: template } },
        h("div", { className: "ntro-dt-cell ntro-dt-rowhead", role: "rowheader", text: t.label }));
      for (const c of this.idx.cols) {
        const col = ds.columns[c];
        const text = t.cells[String(c)] || "";
        const cell = h("div", { className: this.cellClass(col, c).join(" "), role: "gridcell", title: text ? `${t.label}: ${text}` : null, text });
        if (this.lefts.has(c)) cell.style.left = `${this.lefts.get(c)}px`;
        row.append(cell);
      }
      return row;
    }));
  }

  /** The runbook's own checks first (they carry the figures), then the column rules. */
  renderRules() {
    const own = (this.state.checks || []).map((c) => ({ ...c, own: true }));
    const rules = [...own, ...(this.body.rules || [])];
    this.rulesEl.replaceChildren();
    this.rulesEl.hidden = !rules.length;
    if (!rules.length) return;
    const summary = this.state.checks_summary;
    this.rulesEl.append(h("div", { className: "ntro-section-title", text: summary ? `Checks · ${summary}` : "Checks" }));
    for (const rule of rules) this.rulesEl.append(renderCheck(rule));
    if (own.length) this.rulesEl.append(h("div", { className: "ntro-hint", text: "The runbook's checks are as it computed them when this review opened; it checks again after your corrections." }));
  }

  /** Every flagged cell and line with its reason, as buttons that go to the cell. */
  renderFlags() {
    const ds = this.dataset();
    const flags = ds.flags || [];
    this.flagsEl.replaceChildren();
    this.flagsEl.hidden = !flags.length;
    if (!flags.length) return;
    const count = ds.flag_count || flags.length;
    this.flagsEl.append(h("div", { className: "ntro-section-title", text: `Why lines are flagged (${thousands(count)})` }));
    const list = h("ul", { className: "ntro-flag-list" });
    for (const [r, c, why] of flags) {
      const where = c >= 0 ? `${ds.row_ids[r]} · ${ds.columns[c].label}` : `${ds.row_ids[r]}`;
      list.append(h("li", {},
        h("button", { type: "button", className: "ntro-link", onclick: () => this.jumpTo(ds.key, r, c >= 0 ? c : undefined), text: where }),
        h("span", { text: `: ${why}` })));
    }
    this.flagsEl.append(list);
    if (count > flags.length) this.flagsEl.append(h("div", { className: "ntro-hint", text: `and ${thousands(count - flags.length)} more: tick “Flagged only” to see every flagged line` }));
  }

  renderRejected() {
    const list = (this.body.rejected_rows || []);
    this.rejectedEl.replaceChildren();
    this.rejectedEl.hidden = !list.length;
    if (!list.length) return;
    this.rejectedEl.append(h("div", { className: "ntro-section-title", text: `Rejected lines (${list.length})` }));
    for (const item of list) {
      this.rejectedEl.append(h("div", { className: "ntro-correction" },
        h("button", { type: "button", className: "ntro-link", onclick: () => this.jumpTo(item.dataset, item.row), text: item.row_id }),
        h("span", { className: "ntro-old-line", text: item.summary })));
    }
  }

  /** What is known about the active cell, for the keyboard and screen readers: why it is
   * flagged, or (while a code is typed) the account name it looks up. */
  renderInfo(typing) {
    const ds = this.dataset();
    const r = this.activeRow();
    const c = this.idx.cols[this.active.col];
    this.infoEl.replaceChildren();
    if (r === undefined || c === undefined) return;
    const col = ds.columns[c];
    const parts = [];
    if (typing !== undefined && ds.lookup && ds.lookup.from === c) {
      const name = ds.lookup.names[typing.trim()];
      parts.push(name ? `${typing.trim()} → ${name}` : `${typing.trim() || "(empty)"} is not in the chart of accounts`);
    } else {
      const k = this.idx.key(r, c);
      const edit = this.sidx.edits.get(k);
      if (this.idx.low.has(k)) parts.push(`read with ${Math.round(this.idx.low.get(k) * 100)}% confidence`);
      if (this.idx.rowLow.has(r)) parts.push(`line read with ${Math.round(this.idx.rowLow.get(r) * 100)}% confidence`);
      if (this.idx.bad.has(k)) parts.push(`not a valid ${col.type}`);
      parts.push(...(this.idx.errors.get(k) || []), ...(this.sidx.rules.get(k) || []));
      if (edit && edit.error) parts.unshift(edit.error);
      else if (edit) parts.unshift(edit.derived ? `follows the account code: was ${edit.oldText || "(empty)"}` : `corrected: was ${edit.oldText || "(empty)"}`);
    }
    const label = `${ds.row_ids[r]} · ${col.heading || col.label}`;
    this.infoEl.classList.toggle("ntro-dt-info-flagged", parts.length > 0);
    this.infoEl.append(h("strong", { text: label }), parts.length ? `: ${parts.join("; ")}` : "");
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
  /** Go to row r (and column c, else the first on screen) of a dataset, and focus the grid. */
  jumpTo(datasetKey, r, c) {
    const i = (this.table.datasets || []).findIndex((d) => d.key === datasetKey);
    if (i >= 0 && i !== this.ds) { this.ds = i; this.flaggedOnly = false; this.renderAll(); }
    let pos = this.order().indexOf(r);
    if (pos < 0 && this.flaggedOnly) { this.flaggedOnly = false; this.renderToolbar(); pos = this.order().indexOf(r); }
    if (pos >= 0) this.setActive(pos, c === undefined ? 0 : Math.max(0, this.idx.cols.indexOf(c)));
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
    const target = this.idx.cols[this.active.col];
    const cell = this.headRow.querySelector(`[data-col="${target}"]`);
    if (cell && !this.lefts.has(target)) {
      // scroll so the cell is clear of the sticky row head and pinned columns
      const left = cell.offsetLeft;
      const width = cell.offsetWidth;
      if (left - this.pinnedRight < view.scrollLeft) view.scrollLeft = left - this.pinnedRight;
      else if (left + width > view.scrollLeft + view.clientWidth) view.scrollLeft = left + width - view.clientWidth;
    }
    this.renderRows();
    this.renderInfo();
    this.updateRejectActive();
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
    } else if ((e.ctrlKey || e.metaKey) && e.key === "Delete") {
      e.preventDefault();
      this.rejectActive();
    }
  }

  startEdit(initial) {
    const ds = this.dataset();
    const c = this.idx.cols[this.active.col];
    const col = ds.columns[c];
    const r = this.order()[this.active.pos];
    if (!col || r === undefined || this.readOnly || !col.editable || this.sidx.rejected.has(r)) return false;
    const k = this.idx.key(r, c);
    const edit = this.sidx.edits.get(k);
    let current = this.pending.has(k) ? this.pending.get(k).text : edit ? edit.newText : String(ds.cells[r][c] ?? "");
    // an amount is edited as the bare number: "1250.00", not "USD 1,250.00"
    if (!(edit && edit.error) && !this.pending.has(k) && ["currency", "number"].includes(col.type)) current = bareNumber(current);
    const input = h("input", { className: "ntro-dt-input", type: "text", "aria-label": `Edit ${col.heading || col.label} of ${ds.row_ids[r]}` });
    input.value = initial !== undefined ? initial : current;
    if (ds.lookup && ds.lookup.from === c) input.addEventListener("input", () => this.renderInfo(input.value));
    const editing = { pos: this.active.pos, col: this.active.col, c, r, k, input, original: current, done: false };
    this.editing = editing;
    const finish = (commit, move) => {
      if (editing.done) return;
      editing.done = true;
      this.editing = null;
      const text = input.value;
      if (commit && text !== editing.original) {
        this.pending.set(k, { text });
        this.send({ type: "edit", dataset: ds.key, row: r, col: editing.c, text });
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
    if (ds.lookup && ds.lookup.from === c) this.renderInfo(input.value);
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
