// ntro run breadcrumb (anywidget ES module): the run's steps in declaration order with their
// Lucide icons and status, child runbooks nested under the step that started them, and the
// finished steps a reviewer can open again. Clicking a step sends {type: "select", step_id}.
// Uses h() and icon() from common.js, which is put in front of this file when loaded.

const STATUS_CLASS = {
  completed: "ntro-step-done", failed: "ntro-step-failed", active: "ntro-step-active",
  waiting_for_input: "ntro-step-waiting", pending: "ntro-step-pending",
};
const CHEVRON = [["path", { d: "m9 18 6-6-6-6" }]];

class CrumbsView {
  constructor(model, el) {
    this.model = model;
    this.root = h("div", { className: "ntro-crumbs" });
    el.append(this.root);
    this.onChange = () => this.render();
    model.on("change:view", this.onChange);
    this.render();
  }

  destroy() {
    this.model.off("change:view", this.onChange);
    this.root.remove();
  }

  render() {
    const v = this.model.get("view") || {};
    const icons = v.icons || {};
    const statusIcons = v.status_icons || {};
    const runTone = v.status === "completed" ? "good" : v.status === "failed" ? "bad" : "warn";
    const header = h("div", { className: "ntro-run-header" },
      h("span", { className: "ntro-run-type", text: v.workflow_type || "Runbook" }),
      v.workflow_id ? h("code", { className: "ntro-run-id", text: v.workflow_id }) : null,
      h("span", { className: `ntro-badge ntro-tone-${runTone}`, text: v.status || "running" }));
    const trail = h("ol", { className: "ntro-trail", "aria-label": "Runbook steps" });
    (v.steps || []).forEach((step, i) => {
      const classes = ["ntro-step", STATUS_CLASS[step.status] || "ntro-step-pending"];
      if (step.current) classes.push("ntro-step-current");
      if (v.selected === step.id) classes.push("ntro-step-selected");
      const clickable = step.has_snapshot;
      const label = h(clickable ? "button" : "div", {
        type: clickable ? "button" : null, className: "ntro-step-label",
        title: `${step.title}: ${step.status_text}${clickable ? " (click to see what was done)" : ""}`,
        "aria-current": step.current ? "step" : null, "data-step": step.id,
        onclick: clickable ? () => this.model.send({ type: "select", step_id: v.selected === step.id ? null : step.id }) : null,
      },
      h("span", { className: "ntro-step-icon" }, icon(icons[step.icon], 16)),
      h("span", { className: "ntro-step-title", text: step.title }),
      h("span", { className: "ntro-step-status", title: step.status_text }, icon(icons[statusIcons[step.status]], 12)));
      const item = h("li", { className: classes.join(" ") }, label);
      if ((step.children || []).length) {
        item.append(h("ul", { className: "ntro-step-children" }, step.children.map((child) => h("li", {
          className: `ntro-child ntro-child-${child.status}`, title: `${child.workflow_id} (${child.status})`,
        }, icon(icons[child.status_icon], 11), h("span", { text: child.short })))));
      }
      trail.append(item);
      if (i < v.steps.length - 1) trail.append(h("li", { className: "ntro-sep", "aria-hidden": "true" }, icon(CHEVRON, 14)));
    });
    const parts = [header, trail];
    if (v.error) parts.push(h("div", { className: "ntro-banner ntro-banner-error", role: "alert", text: `The run failed: ${v.error}` }));
    if (v.selected) {
      const step = (v.steps || []).find((s) => s.id === v.selected);
      parts.push(h("div", { className: "ntro-viewing" },
        `Showing the finished step “${step ? step.title : v.selected}”. `,
        h("button", { type: "button", className: "ntro-link", onclick: () => this.model.send({ type: "select", step_id: null }), text: "Back to the current step" })));
    }
    if (v.last_decision) parts.push(h("div", { className: "ntro-last-decision", text: v.last_decision }));
    if ((v.problems || []).length) {
      parts.push(h("details", { className: "ntro-problems" },
        h("summary", { text: `${v.problems.length} part(s) of the run state could not be shown` }),
        h("ul", {}, v.problems.map((p) => h("li", { text: p })))));
    }
    if (!(v.steps || []).length) parts.push(h("div", { className: "ntro-hint", text: "This run has no steps to show yet." }));
    this.root.replaceChildren(...parts);
  }
}

export default {
  render({ model, el }) {
    const view = new CrumbsView(model, el);
    // Tell the kernel a front end draws this run live, so it leaves the output as it is.
    model.send({ type: "rendered" });
    return () => view.destroy();
  },
};
