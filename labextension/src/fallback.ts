/**
 * A live run view saved while its run was still open, reopened without its kernel.
 *
 * Its output holds the widget (`application/vnd.jupyter.widget-view+json`), the run's state as
 * data (`application/vnd.ntro.run+json`) and static HTML. JupyterLab draws the widget first;
 * with no kernel and no saved widget state, the widget manager can only write "Error displaying
 * widget: model not found". Here, for each notebook, such an output whose data carries a run
 * record is drawn as that record instead (the same renderer as the MIME extension). An output
 * whose widget draws is never touched.
 */

import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { h } from './dom';
import { MIME_TYPE, renderSnapshot } from './snapshot';

const MISSING = /model not found/i;
const DONE = 'ntroRecordFallback';

interface IOutputAreaLike {
  model: { length: number; get(index: number): { data: Record<string, unknown> } | undefined };
  widgets: ReadonlyArray<{ node: HTMLElement }>;
}

/** Replace each "model not found" widget output that carries a run record with the record. */
export function replaceMissingWidgets(panel: NotebookPanel): number {
  let replaced = 0;
  for (const cell of panel.content.widgets) {
    const area = (cell as unknown as { outputArea?: IOutputAreaLike }).outputArea;
    if (!area || !area.model) {
      continue;
    }
    const count = Math.min(area.model.length, area.widgets.length);
    for (let index = 0; index < count; index++) {
      const node = area.widgets[index].node;
      if (node.dataset[DONE] || !MISSING.test(node.textContent || '')) {
        continue;
      }
      const record = area.model.get(index)?.data?.[MIME_TYPE];
      if (!record) {
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
  return replaced;
}

/** Watch every notebook: a widget that cannot be drawn shows the run's record. */
export function watchMissingWidgets(tracker: INotebookTracker): void {
  tracker.widgetAdded.connect((_sender, panel) => {
    let queued = 0;
    const scan = (): void => {
      queued = 0;
      replaceMissingWidgets(panel);
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
  });
}
