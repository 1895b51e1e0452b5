/**
 * MIME renderer for a saved run snapshot (`application/vnd.ntro.run+json`).
 *
 * Rank 40: below the 50 of `text/html`, so when an output carries both (the widget's static
 * HTML fallback and this type), JupyterLab picks this one. It needs no kernel and is safe:
 * every value is written as text.
 */

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { clear, h } from './dom';
import { MIME_TYPE, renderSnapshot } from './snapshot';

export class RunSnapshotRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly mimeType: string) {
    super();
    this.addClass('ntro-mime');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    clear(this.node);
    try {
      this.node.appendChild(renderSnapshot(model.data[this.mimeType]));
    } catch (err) {
      this.node.appendChild(h('div', { class: 'ntro-error', text: `Cannot show this runbook snapshot: ${String(err)}` }));
    }
    return Promise.resolve();
  }
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_TYPE],
  defaultRank: 40,
  createRenderer: options => new RunSnapshotRenderer(options.mimeType)
};

const extension: IRenderMime.IExtension = {
  id: 'ntro-jupyter:run-snapshot',
  rendererFactory,
  rank: 40,
  dataType: 'json'
};

export default extension;
