// ntro review panels other than the table (anywidget ES module): journal review, NAV
// sign-off, uploads, summary, loading, approval form, report preview and the fallback view.
//
// The Python view-model sends everything to draw in the `view` trait (values already text);
// this module draws it and reports clicks, typed names/reasons and chosen files with
// model.send(). Uses h(), icon(), ICONS, toneOf(), renderCheck() and renderDecisionFooter()
// from common.js, which is put in front of this file when loaded. Only REPORT_PREVIEW inserts
// HTML, and only HTML that Python sanitised with an allow-list.

const PANEL_ICONS = {
  upload: [["path", { d: "M12 3v12" }], ["path", { d: "m17 8-5-5-5 5" }], ["path", { d: "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4" }]],
  file: [["path", { d: "M6 22a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h8a2.4 2.4 0 0 1 1.704.706l3.588 3.588A2.4 2.4 0 0 1 20 8v12a2 2 0 0 1-2 2z" }], ["path", { d: "M14 2v5a1 1 0 0 0 1 1h5" }]],
};

function section(title, ...children) {
  return h("div", { className: "ntro-section" }, title ? h("div", { className: "ntro-section-title", text: title }) : null, ...children);
}

function formatElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  const hh = Math.floor(m / 60);
  const days = Math.floor(hh / 24);
  if (days) return `${days}d ${hh % 24}h`;
  if (hh) return `${hh}h ${String(m % 60).padStart(2, "0")}m`;
  if (m) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

function formatSize(bytes) {
  if (bytes >= 1048576) return `${(bytes / 1048576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** Same rule as the Python check: extension, exact MIME type or type/* (empty = anything). */
function accepted(patterns, file) {
  if (!patterns || !patterns.length) return true;
  const name = file.name.toLowerCase();
  const mime = (file.type || "").toLowerCase();
  return patterns.some((p) => (p.startsWith(".") && name.endsWith(p))
    || (p.includes("/") && mime && (p.endsWith("/*") ? mime.startsWith(p.slice(0, -1)) : mime === p)));
}

class PanelView {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.timer = 0;
    this.root = h("div", { className: "ntro-panel" });
    el.append(this.root);
    this.onChange = () => this.render();
    model.on("change:view", this.onChange);
    this.render();
  }

  destroy() {
    this.model.off("change:view", this.onChange);
    clearInterval(this.timer);
    this.root.remove();
  }

  get view() { return this.model.get("view") || {}; }
  send(message, buffers) { this.model.send(message, undefined, buffers); }

  render() {
    const v = this.view;
    const keep = this.root.querySelector("textarea.ntro-comment");
    const comment = keep ? keep.value : "";
    clearInterval(this.timer);
    this.root.setAttribute("data-panel", v.panel || "");
    const body = v.body || {};
    const header = h("div", { className: "ntro-title-row" },
      h("div", {},
        h("div", { className: "ntro-title", text: v.title || "Review" }),
        v.subtitle ? h("div", { className: "ntro-subtitle", text: v.subtitle }) : null,
        v.reason && v.reason !== v.title ? h("div", { className: "ntro-reason", text: v.reason }) : null));
    const problems = (v.problems || []).length ? h("div", { className: "ntro-problems" },
      h("div", { className: "ntro-problems-title" }, icon(ICONS.alert, 13), " Some of this gate could not be shown as sent:"),
      h("ul", {}, v.problems.map((p) => h("li", { text: p })))) : null;
    const renderers = {
      JOURNAL_REVIEW: () => this.journal(body, v),
      NAV_SIGNOFF: () => this.nav(body, v),
      FILE_UPLOAD: () => this.upload(body, v),
      MULTI_FILE_UPLOAD: () => this.upload(body, v),
      SUMMARY: () => this.summary(body),
      LOADING: () => this.loading(body, v),
      APPROVAL_FORM: () => this.approval(body),
      REPORT_PREVIEW: () => this.report(body),
    };
    const content = (renderers[v.panel] || (() => this.fallback(body)))();
    const checks = (v.checks || []).length ? section(v.checks_summary ? `Checks · ${v.checks_summary}` : "Checks",
      h("div", { className: "ntro-checks" }, v.checks.map((c) => renderCheck({ ...c, own: true })))) : null;
    // One footer for the panel's life: it remembers an open approve summary across redraws.
    if (!this.footer) this.footer = h("div", { className: "ntro-footer" });
    renderDecisionFooter(this.footer, v, (message) => this.send(message), comment);
    this.root.replaceChildren(...[header, problems, content, checks, this.footer].filter(Boolean));
  }

  // ---- journal review ------------------------------------------------------------------
  journal(body, v) {
    const readOnly = (v.gate || {}).read_only || !v.interactive;
    const tables = (body.journals || []).map((j) => h("table", { className: "ntro-table ntro-journal" },
      h("caption", {},
        h("span", { className: "ntro-journal-id", text: j.id }), " ",
        j.description ? h("span", { text: j.description }) : null, " ",
        j.date ? h("span", { className: "ntro-hint", text: j.date }) : null, " ",
        h("span", { className: `ntro-badge ntro-tone-${j.balanced ? "good" : "bad"}`, text: j.balanced ? "balanced" : `out by ${j.difference}` })),
      h("thead", {}, h("tr", {}, h("th", { text: "Account" }), h("th", { text: "Description" }), h("th", { className: "ntro-num", text: body.currency ? `Debit (${body.currency})` : "Debit" }), h("th", { className: "ntro-num", text: body.currency ? `Credit (${body.currency})` : "Credit" }))),
      h("tbody", {}, j.lines.map((line) => h("tr", { className: line.problem ? "ntro-has-error" : "", title: line.problem || null },
        h("td", { text: line.account, title: line.account }), h("td", { text: line.memo, title: line.memo }),
        h("td", { className: "ntro-num", text: line.debit }), h("td", { className: "ntro-num", text: line.credit })))),
      h("tfoot", {}, h("tr", {}, h("td", { colspan: 2, text: "Total" }), h("td", { className: "ntro-num", text: j.debit }), h("td", { className: "ntro-num", text: j.credit })))));
    const totals = h("div", { className: `ntro-totals ${body.balanced ? "ntro-ok" : "ntro-fail"}` },
      h("span", {}, "Total debits ", h("strong", { text: body.total_debit })),
      h("span", {}, "Total credits ", h("strong", { text: body.total_credit })),
      h("span", {}, body.balanced ? icon(ICONS.check, 14) : icon(ICONS.alert, 14), " ", body.balanced ? "Balanced" : `Imbalance ${body.difference}`));
    const parts = [tables, totals];
    if (!body.balanced && !readOnly) {
      const reason = h("input", {
        type: "text", className: "ntro-input", placeholder: "Why post these journals unbalanced?",
        "aria-label": "Override reason", disabled: !body.override_reason && !this.overrideOpen,
        onchange: (e) => this.send({ type: "override", reason: e.target.value }),
      });
      reason.value = body.override_reason || "";
      const box = h("input", {
        type: "checkbox", checked: Boolean(body.override_reason) || this.overrideOpen, "aria-label": "Override the imbalance",
        onchange: (e) => {
          this.overrideOpen = e.target.checked;
          reason.disabled = !e.target.checked;
          if (!e.target.checked) { reason.value = ""; this.send({ type: "override", reason: "" }); } else reason.focus();
        },
      });
      parts.push(h("div", { className: "ntro-override" }, h("label", {}, box, " Override the imbalance"), reason));
    }
    return h("div", { className: "ntro-body" }, parts);
  }

  // ---- NAV sign-off --------------------------------------------------------------------
  nav(body, v) {
    const readOnly = (v.gate || {}).read_only || !v.interactive;
    const cur = (label) => (body.currency ? `${label} (${body.currency})` : label);
    const period = body.period ? `${body.period}${body.prior_period ? ` vs ${body.prior_period}` : ""}` : "";
    const rows = (body.figures || []).map((f) => h("tr", { className: f.status === "outside" ? "ntro-row-outside" : "" },
      h("td", { text: f.label }), h("td", { className: "ntro-num", text: f.current }), h("td", { className: "ntro-num", text: f.prior }),
      h("td", { className: "ntro-num", text: f.movement }), h("td", { className: "ntro-num", text: f.movement_pct }),
      h("td", { className: "ntro-num", text: `±${f.tolerance_pct}` }),
      h("td", {}, h("span", { className: `ntro-badge ntro-tone-${f.status === "within" ? "good" : f.status === "outside" ? "bad" : "neutral"}`, text: f.status, title: f.status === "within" || f.status === "outside" ? `${f.status} the ±${f.tolerance_pct} tolerance` : null }))));
    const table = h("table", { className: "ntro-table ntro-nav" },
      h("thead", {}, h("tr", {}, ["Figure", cur("Current"), cur("Prior"), cur("Movement"), "Movement %", "Tolerance", ""].map((t, i) => h("th", { className: i && i < 6 ? "ntro-num" : "", text: t })))),
      h("tbody", {}, rows));
    const parts = [period ? h("div", { className: "ntro-hint", text: `Period ${period} · tolerance ±${body.tolerance_pct}%` }) : null, table];
    const moved = body.outside_count ? `${body.outside_count} movement${body.outside_count > 1 ? "s are" : " is"} outside tolerance` : "";
    if (moved) {
      parts.push(h("div", { className: "ntro-banner ntro-banner-warn" }, icon(ICONS.alert, 14),
        readOnly ? ` ${moved}; the sign-off's comment gives the explanation.` : ` ${moved}: explain in the comment before signing off.`));
    }
    if (!readOnly) {
      const signer = h("input", { type: "text", className: "ntro-input", "aria-label": "Signed off by", onchange: (e) => this.send({ type: "signer", name: e.target.value }) });
      signer.value = body.signer || "";
      const who = (v.approve_summary || {}).reviewer;
      parts.push(h("label", { className: "ntro-signer" }, "Signed off by ", signer));
      if (who) parts.push(h("div", { className: "ntro-hint", text: `You are signed in as ${who}: the record names you, and a different name here as “on behalf of”.` }));
    }
    return h("div", { className: "ntro-body" }, parts);
  }

  // ---- uploads ---------------------------------------------------------------------------
  upload(body, v) {
    const readOnly = (v.gate || {}).read_only;
    const parts = [];
    if (body.instructions) parts.push(h("div", { className: "ntro-instructions", text: body.instructions }));
    const limits = [];
    if ((body.accept || []).length) limits.push(`Accepted: ${body.accept.join(", ")}`);
    if (body.max_size_mb) limits.push(`Up to ${body.max_size_mb} MB`);
    if (body.multiple) limits.push("Several files allowed");
    if (body.filename_pattern) limits.push(`Name like ${body.filename_pattern}`);
    const picker = (slot, accept, multiple, label) => {
      const input = h("input", { type: "file", accept: (accept || []).join(",") || null, multiple: multiple || null, hidden: true,
        onchange: (e) => this.pick([...e.target.files], slot, accept, multiple), "aria-label": label });
      const button = h("button", { type: "button", className: "ntro-btn", disabled: readOnly, onclick: () => input.click() }, icon(PANEL_ICONS.upload, 14), ` ${label}`);
      return [input, button];
    };
    if ((body.slots || []).length) {
      parts.push(h("table", { className: "ntro-table ntro-slots" },
        h("tbody", {}, body.slots.map((slot) => h("tr", {},
          h("td", {}, icon(PANEL_ICONS.file, 14), " ", h("strong", { text: slot.label }), slot.schema_slug ? h("span", { className: "ntro-hint", text: ` ${slot.schema_slug}` }) : null),
          h("td", {}, h("span", { className: `ntro-badge ntro-tone-${toneOf(slot.status === "running" ? "review" : slot.status)}`, text: slot.status })),
          h("td", { text: slot.filename || "" }),
          h("td", { className: "ntro-num" }, ["completed", "uploaded", "received", "done"].includes(slot.status) ? null : picker(slot.source, slot.accept, false, "Choose file")))))));
    } else {
      const [input, button] = picker(null, body.accept, body.multiple, body.multiple ? "Choose files" : "Choose a file");
      const zone = h("div", {
        className: "ntro-dropzone" + (readOnly ? " ntro-disabled" : ""),
        ondragover: (e) => { e.preventDefault(); zone.classList.add("ntro-drag"); },
        ondragleave: () => zone.classList.remove("ntro-drag"),
        ondrop: (e) => { e.preventDefault(); zone.classList.remove("ntro-drag"); if (!readOnly) this.pick([...e.dataTransfer.files], null, body.accept, body.multiple); },
      }, icon(PANEL_ICONS.upload, 22), h("div", { text: "Drop a file here, or" }), button, input);
      parts.push(zone);
    }
    if (limits.length) parts.push(h("div", { className: "ntro-hint", text: limits.join(" · ") }));
    if (this.localError) parts.push(h("div", { className: "ntro-banner ntro-banner-error", role: "alert", text: this.localError }));
    for (const item of body.uploaded || []) {
      parts.push(h("div", { className: "ntro-uploaded" }, icon(ICONS.check, 14), ` ${item.filename} (${item.size}) stored as `, h("code", { text: item.document_ref })));
    }
    const fb = body.feedback;
    if (fb) {
      const bar = fb.progress === null || fb.progress === undefined ? null
        : h("div", { className: "ntro-progress", role: "progressbar", "aria-valuenow": Math.round(fb.progress * 100), "aria-valuemin": 0, "aria-valuemax": 100 },
          h("div", { className: "ntro-progress-bar", style: { width: `${Math.round(fb.progress * 100)}%` } }));
      parts.push(section(fb.title || fb.kind,
        h("div", { className: `ntro-feedback ntro-level-${fb.level}` },
          fb.message ? h("div", { text: fb.message }) : null, bar,
          h("div", { className: "ntro-counts" }, (fb.counts || []).map((c) => h("span", { className: "ntro-badge" }, `${c.label}: `, h("strong", { text: c.value })))))));
    }
    return h("div", { className: "ntro-body" }, parts);
  }

  /** Check the picked files here first (no point sending 200 MB to be refused), then send. */
  async pick(files, slot, accept, multiple) {
    const body = this.view.body || {};
    const problems = [];
    if (!files.length) return;
    if (files.length > 1 && !multiple) problems.push(`this gate takes one file; you chose ${files.length}`);
    for (const file of files) {
      if (!accepted(accept, file)) problems.push(`${file.name} is not an accepted type (${(accept || []).join(", ")})`);
      if (body.max_bytes && file.size > body.max_bytes) problems.push(`${file.name} is ${formatSize(file.size)}, over the ${body.max_size_mb} MB limit`);
    }
    this.localError = problems.join("; ") || null;
    if (problems.length) { this.render(); return; }
    const buffers = await Promise.all(files.map((f) => f.arrayBuffer()));
    this.send({ type: "upload", slot, files: files.map((f) => ({ name: f.name, size: f.size, type: f.type })) }, buffers);
  }

  // ---- summary, loading, approval, report, fallback --------------------------------------
  summary(body) {
    return h("div", { className: "ntro-cards" }, (body.sections || []).map((s) => h("div", { className: `ntro-card ntro-card-${s.type}` },
      h("div", { className: "ntro-card-label", text: s.label }),
      s.type === "badge" ? h("span", { className: `ntro-badge ntro-tone-${s.tone || "neutral"}`, text: s.value || "—" })
        : h("div", { className: s.type === "number" ? "ntro-card-number" : "ntro-card-text", text: s.value || "—" }))));
  }

  loading(body, v) {
    const elapsed = h("span", { className: "ntro-elapsed" });
    const tick = () => {
      const seconds = body.started_at_ms ? (Date.now() - body.started_at_ms) / 1000 : body.elapsed_s;
      elapsed.textContent = seconds === null || seconds === undefined ? "" : `running for ${formatElapsed(seconds)}`;
    };
    tick();
    this.timer = setInterval(tick, 1000);
    return h("div", { className: "ntro-body" },
      h("div", { className: "ntro-loading" }, h("span", { className: "ntro-spinner", role: "progressbar", "aria-label": "working" }),
        h("div", {}, body.message && body.message !== v.title ? h("div", { text: body.message }) : null, elapsed)),
      (body.children || []).length ? section("Child runbooks", h("ul", { className: "ntro-children" }, body.children.map((c) => h("li", {},
        h("span", { className: `ntro-badge ntro-tone-${toneOf(c.status === "running" ? "review" : c.status)}`, text: c.status }), " ",
        h("code", { text: c.id }), c.slug ? h("span", { className: "ntro-hint", text: ` ${c.slug}` }) : null)))) : null);
  }

  approval(body) {
    return h("div", { className: "ntro-body" },
      body.instructions ? h("div", { className: "ntro-instructions", text: body.instructions }) : null,
      (body.fields || []).length ? h("dl", { className: "ntro-fields ntro-fields-wide" }, body.fields.map((f) => [h("dt", { text: f.label }), h("dd", { text: f.value })]))
        : h("div", { className: "ntro-hint", text: "Nothing to show for this gate." }));
  }

  report(body) {
    const frame = h("div", { className: "ntro-report" });
    // Python rendered this with raw HTML disabled and cleaned it with an allow-list (nh3).
    frame.innerHTML = body.html || "";
    return frame;
  }

  fallback(body) {
    return h("div", { className: "ntro-body" },
      body.notice ? h("div", { className: "ntro-hint", text: body.notice }) : null,
      h("pre", { className: "ntro-payload", text: body.payload || "null" }),
      body.config ? h("details", {}, h("summary", { text: "Display hint configuration" }), h("pre", { className: "ntro-payload", text: body.config })) : null);
  }
}

export default {
  render({ model, el }) {
    const view = new PanelView(model, el);
    return () => view.destroy();
  },
};
