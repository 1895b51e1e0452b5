/**
 * A live run view saved while its run was still open, reopened without its kernel.
 *
 * Its output holds the widget (`application/vnd.jupyter.widget-view+json`), the run's state as
 * data (`application/vnd.ntro.run+json`) and static HTML. JupyterLab draws the widget first;
 * with a new kernel that never held the widget it writes "Error displaying widget: model not
 * found", and with no kernel at all it stays at "Loading widget..." for good. Here, for each
 * notebook, such an output whose data carries a run record is drawn as that record instead (the
 * same renderer as the MIME extension). An output whose widget draws is never touched.
 */

import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { h } from './dom';
import { MIME_TYPE, renderSnapshot } from './snapshot';

const MISSING = /model not found/i;
const LOADING = /^\s*Loading widget\.\.\.\s*$/;
const DONE = 'ntroRecordFallback';
// How long "Loading widget..." may last in a notebook with no kernel before the record shows
// (a widget that does load later still replaces the record: its renderer draws again).
const NO_KERNEL_GRACE_MS = 3000;
const RESCAN_MS = 1000;
const loadingSince = new WeakMap<HTMLElement, number>();

interface IOutputAreaLike {
  model: { length: number; get(index: number): { data: Record<string, unknown> } | undefined };
  widgets: ReadonlyArray<{ node: HTMLElement }>;
}

/** No kernel is connected: a widget model can come from nowhere. */
function withoutKernel(panel: NotebookPanel): boolean {
  return !panel.sessionContext.session?.kernel;
}

/** Replace each widget output that cannot be drawn ("model not found", or loading forever with
 * no kernel) and carries a run record with the record. Returns [replaced, still loading]. */
export function replaceMissingWidgets(panel: NotebookPanel): [number, number] {
  let replaced = 0;
  let waiting = 0;
  const noKernel = withoutKernel(panel);
  for (const cell of panel.content.widgets) {
    const area = (cell as unknown as { outputArea?: IOutputAreaLike }).outputArea;
    if (!area || !area.model) {
      continue;
    }
    const count = Math.min(area.model.length, area.widgets.length);
    for (let index = 0; index < count; index++) {
      const node = area.widgets[index].node;
      const text = node.textContent || '';
      if (node.dataset[DONE]) {
        continue;
      }
      const record = area.model.get(index)?.data?.[MIME_TYPE];
      if (!record) {
        continue;
      }
      if (LOADING.test(text)) {
        const since = loadingSince.get(node) ?? Date.now();
        loadingSince.set(node, since);
        if (!noKernel || Date.now() - since < NO_KERNEL_GRACE_MS) {
          waiting++;
          continue;
        }
      } else if (!MISSING.test(text)) {
        continue;
      }
      const target =
        node.querySelector<HTMLElement>('.jupyter-widgets') ??
        node.querySelector<HTMLElement>('.jp-OutputArea-output') ??
        node;
      const box = h('div', {
        class: 'ntro-mime ntro-record-fallback',
        title: 'The live view needs its kernel; this is the run as the kernel last saw it'
      });
      box.appendChild(renderSnapshot(record));
      target.replaceChildren(box);
      target.classList.remove('jupyter-widgets');
      node.dataset[DONE] = '1';
      replaced++;
    }
  }
  return [replaced, waiting];
}

/** Watch every notebook: a widget that cannot be drawn shows the run's record. */
export function watchMissingWidgets(tracker: INotebookTracker): void {
  // Notebooks restored before this plugin started, and every one opened after.
  tracker.forEach(panel => watch(panel));
  tracker.widgetAdded.connect((_sender, panel) => watch(panel));
}

function watch(panel: NotebookPanel): void {
  {
    let queued = 0;
    const scan = (): void => {
      queued = 0;
      const [, loading] = replaceMissingWidgets(panel);
      if (loading > 0) {
        // Nothing in the DOM changes while a widget waits for a kernel: look again shortly.
        queued = window.setTimeout(scan, RESCAN_MS);
      }
    };
    const observer = new MutationObserver(() => {
      if (!queued) {
        queued = window.setTimeout(scan, 50);
      }
    });
    observer.observe(panel.content.node, { subtree: true, childList: true, characterData: true });
    panel.disposed.connect(() => {
      observer.disconnect();
      window.clearTimeout(queued);
    });
    void panel.sessionContext.ready.then(() => {
      if (!queued) {
        scan();
      }
    });
  }
}
