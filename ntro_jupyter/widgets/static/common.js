// ntro widgets: helpers shared by every front end (breadcrumb, table, panels).
//
// Not a module on its own: ntro_jupyter.widgets reads this file and puts it in front of each
// widget's module (anywidget loads one self-contained ES module per widget, so a relative
// import cannot be used). Everything here builds DOM nodes; nothing parses HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an element; `props` sets text, classes, attributes and listeners; never HTML. */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.className = value;
    else if (key === "style") Object.assign(node.style, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A Lucide icon from its node list ([[tag, attrs], ...]) built with createElementNS. */
function icon(nodes, size = 14) {
  const svg = document.createElementNS(SVG_NS, "svg");
  for (const [k, v] of Object.entries({
    width: size, height: size, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor",
    "stroke-width": 2, "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true",
  })) svg.setAttribute(k, String(v));
  svg.classList.add("ntro-icon");
  for (const [tag, attrs] of nodes || []) {
    if (!/^[a-z]+$/.test(tag)) continue;
    const child = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (/^[a-zA-Z-]+$/.test(k) && k !== "key") child.setAttribute(k, String(v));
    }
    svg.append(child);
  }
  return svg;
}

// The few icons this module draws itself (Lucide, ISC licence).
const ICONS = {
  undo: [["path", { d: "M9 14 4 9l5-5" }], ["path", { d: "M4 9h10.5a5.5 5.5 0 0 1 5.5 5.5a5.5 5.5 0 0 1-5.5 5.5H11" }]],
  x: [["path", { d: "M18 6 6 18" }], ["path", { d: "m6 6 12 12" }]],
  alert: [["path", { d: "m21.73 18-8-14a2 2 0 0 0-3.48 0l-8 14A2 2 0 0 0 4 21h16a2 2 0 0 0 1.73-3" }], ["path", { d: "M12 9v4" }], ["path", { d: "M12 17h.01" }]],
  check: [["path", { d: "M20 6 9 17l-5-5" }]],
  clock: [["circle", { cx: "12", cy: "12", r: "10" }], ["path", { d: "M12 6v6l4 2" }]],
};

/** 12345 -> "12,345" (toLocaleString would load locale data: ~15 ms on first use). */
function thousands(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function toneOf(status) {
  const s = String(status || "").toLowerCase();
  if (/(^|\b)(rejected|error|failed|unmatched|invalid|missing|stale)/.test(s)) return "bad";
  if (/(review|warning|partial|pending|new|check)/.test(s)) return "warn";
  if (/(matched|ok|approved|valid|done|complete|reconciled|posted)/.test(s)) return "good";
  return "neutral";
}

/** One check of a gate, drawn by its status: pass, fail, warn, skipped, info, or running (a
 *  small spinner and "running…" until the workflow publishes its outcome). A quality check
 *  (`checks_spec`) leads with its title. */
function renderCheck(rule) {
  const status = rule.status || (rule.ok === null || rule.ok === undefined ? "info" : rule.ok ? "pass" : rule.level === "error" ? "fail" : "warn");
  const tone = { pass: "ntro-ok", fail: "ntro-fail", warn: "ntro-warn", running: "ntro-info ntro-rule-running" }[status] || "ntro-info";
  const mark = status === "running" ? h("span", { className: "ntro-spinner ntro-spinner-small", role: "progressbar", "aria-label": "running" })
    : status === "skipped" ? h("span", { className: "ntro-rule-mark", text: "–" })
      : icon(status === "fail" || status === "warn" ? ICONS.alert : ICONS.check, 13);
  const text = rule.quality && rule.name ? `${rule.name}: ${rule.message}` : rule.message;
  return h("div", { className: `ntro-rule ${tone}${rule.own ? " ntro-rule-own" : ""}`, "data-status": status },
    mark, " ", h("span", { className: "ntro-rule-text", text }),
    rule.confidence ? h("span", { className: "ntro-hint", text: `(${rule.confidence})` }) : null);
}

/** The gate's review timeout: "Decide by ... UTC; after that the workflow rejects it." */
function renderDeadline(state) {
  const d = state.deadline;
  if (!d || !d.text) return null;
  return h("div", { className: "ntro-deadline", "data-testid": "ntro-deadline", title: d.iso || null }, icon(ICONS.clock, 13), " ", d.text);
}

/** What approving commits, shown before it is committed; the only button that sends it. */
function renderApproveSummary(footer, state, send, comment) {
  const s = state.approve_summary || {};
  const close = () => { footer.ntroConfirming = false; renderDecisionFooter(footer, state, send, comment.value); };
  const confirm = h("button", {
    type: "button", className: "ntro-btn ntro-btn-primary ntro-btn-approve", "data-action": "confirm-approve",
    onclick: () => { footer.ntroConfirming = false; send({ type: "decide", action: "approve", comment: comment.value }); },
  }, `Confirm: ${s.act || "Approve"}`);
  const region = h("div", {
    className: "ntro-approve-summary", role: "region", tabindex: "-1", "aria-label": `Before you ${s.act || "approve"}`,
    "data-testid": "ntro-approve-summary",
    onkeydown: (e) => { if (e.key === "Escape") { e.preventDefault(); close(); } },
  },
  h("div", { className: "ntro-section-title", text: `You are about to: ${s.act || "approve"}` }),
  h("ul", { className: "ntro-summary-lines" }, (s.lines || []).map((line) => h("li", { text: line }))),
  (s.warnings || []).length ? h("div", { className: "ntro-banner ntro-banner-warn", role: "note" },
    h("strong", { text: `${s.warnings.length} warning${s.warnings.length === 1 ? "" : "s"} you approve over:` }),
    h("ul", {}, s.warnings.map((w) => h("li", { text: w })))) : null,
  s.second_approver ? h("div", { className: "ntro-banner ntro-banner-info", text: s.second_approver }) : null,
  h("div", { className: "ntro-actions" }, confirm,
    h("button", { type: "button", className: "ntro-btn", "data-action": "back", onclick: close }, "Back")));
  return region;
}

/** Comment box, inline errors, decided banner and decision buttons (shared by panels).
 *
 * Approve does not send: it opens the summary of what the approval commits (rows,
 * corrections, rejected rows, totals, warnings) and focus moves to that summary, so an Enter
 * on a focused Approve (or a second one) commits nothing; "Confirm: <act>" sends. */
function renderDecisionFooter(footer, state, send, keepComment) {
  const gate = state.gate || {};
  footer.replaceChildren();
  if (gate.error) {
    footer.append(h("div", { className: "ntro-banner ntro-banner-error", role: "alert" }, icon(ICONS.alert, 14), " ",
      `The workflow refused this decision: ${gate.error}`,
      gate.next_step ? h("div", { className: "ntro-next-step", text: gate.next_step }) : null));
  }
  if (gate.info) footer.append(h("div", { className: "ntro-banner ntro-banner-info", role: "status", text: gate.info }));
  if (state.notice) footer.append(h("div", { className: "ntro-banner ntro-banner-warn", role: "status", text: state.notice }));
  if (gate.status === "submitting") {
    const uploading = /UPLOAD/.test(state.panel || "");
    footer.append(h("div", { className: "ntro-banner ntro-banner-info", role: "status",
      text: uploading ? "Document stored and sent; waiting for the workflow to take it…" : "Sending the decision…" }));
    return;
  }
  if (gate.decided) {
    const d = gate.decided;
    footer.append(h("div", { className: `ntro-banner ntro-decided ntro-decided-${d.action}`, role: "status" },
      icon(d.action === "reject" ? ICONS.x : ICONS.check, 14), " ", d.sentence,
      d.comment ? h("div", { className: "ntro-decided-comment", text: `“${d.comment}”` }) : null));
    return;
  }
  if (gate.read_only || !state.interactive || !(state.actions || []).length) return;
  const deadline = renderDeadline(state);
  if (deadline) footer.append(deadline);
  const comment = h("textarea", {
    className: "ntro-comment", rows: 2, "aria-label": "Comment",
    placeholder: state.reject_needs_comment ? "Comment (required to reject)" : "Comment (optional)",
  });
  comment.value = keepComment || "";
  const buttons = h("div", { className: "ntro-actions" });
  const blocked = [];
  let approveBlocked = false;
  for (const action of state.actions || []) {
    if (action.blocked) blocked.push(action.blocked);
    if (action.kind === "approve" && action.blocked) approveBlocked = true;
    const summarised = action.kind === "approve" && state.approve_summary;
    buttons.append(h("button", {
      type: "button", className: `ntro-btn ${action.primary ? "ntro-btn-primary" : ""} ntro-btn-${action.kind}`,
      disabled: Boolean(action.blocked), title: action.blocked || null, "data-action": action.kind,
      "aria-expanded": summarised ? String(Boolean(footer.ntroConfirming)) : null,
      onclick: summarised
        ? () => {
          footer.ntroConfirming = true;
          renderDecisionFooter(footer, state, send, comment.value);
          const region = footer.querySelector(".ntro-approve-summary");
          if (region) region.focus();
        }
        : () => send({ type: "decide", action: action.kind, comment: comment.value }),
    }, action.label));
  }
  footer.append(comment);
  if (blocked.length) footer.append(h("div", { className: "ntro-blocked", role: "status" }, icon(ICONS.alert, 13), " ", `Approval blocked: ${blocked.join("; ")}`));
  if (footer.ntroConfirming && !approveBlocked && state.approve_summary) {
    footer.append(renderApproveSummary(footer, state, send, comment));
    return;
  }
  footer.ntroConfirming = false;
  footer.append(buttons);
}
