/**
 * ntro for JupyterLab: the "Runbook inbox" sidebar, the review panel, and palette commands
 * (open the inbox, start the local Temporal server, open the Temporal Web UI).
 * The MIME renderer for saved snapshots is the separate `mime` module.
 */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';

import { ApiError, api, post } from './api';
import { InboxWidget } from './inbox';
import { watchMissingWidgets } from './fallback';
import { ReviewPanel } from './review';

/** Name the inbox's sidebar tab after its caption (aria-label), whatever the tab draws, and
 * give its icon the unread-notifications count its badge shows. */
function nameTab(widget: InboxWidget): void {
  window.requestAnimationFrame(() => {
    const tab = document.querySelector<HTMLElement>(`.lm-TabBar-tab[data-id="${widget.id}"]`);
    if (tab) {
      tab.setAttribute('aria-label', widget.title.caption);
      const icon = tab.querySelector<HTMLElement>('.lm-TabBar-tabIcon');
      const unread = widget.title.dataset['ntro-unread'];
      if (icon && unread) {
        icon.setAttribute('data-ntro-unread', unread);
      } else if (icon) {
        icon.removeAttribute('data-ntro-unread');
      }
    }
  });
}

export const CommandIDs = {
  openInbox: 'ntro:open-inbox',
  startServer: 'ntro:start-local-server',
  openWebUI: 'ntro:open-temporal-ui',
  openReview: 'ntro:open-review',
  insertAttach: 'ntro:insert-attach',
  refreshInbox: 'ntro:refresh-inbox'
};

// Material Design "inbox" (Apache-2.0); class jp-icon3 lets the theme recolour it.
const INBOX_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
  '<path class="jp-icon3" fill="#616161" d="M19 3H4.99C3.88 3 3.01 3.89 3.01 5L3 19c0 1.1.88 2 1.99 2H19c1.1 0 2-.9 2-2V5c0-1.11-.9-2-2-2zm0 12h-4c0 1.66-1.35 3-3 3s-3-1.34-3-3H4.99V5H19v10z"/>' +
  '</svg>';

export const inboxIcon = new LabIcon({ name: 'ntro-jupyter:inbox', svgstr: INBOX_SVG });

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'ntro-jupyter:plugin',
  description: 'Runbook inbox, review panel and Temporal commands for ntro.',
  autoStart: true,
  optional: [ICommandPalette, INotebookTracker, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null,
    restorer: ILayoutRestorer | null
  ) => {
    const { commands, shell } = app;
    const reviews = new Map<string, MainAreaWidget<ReviewPanel>>();

    const insertAttach = (workflowId: string): void => {
      const current = notebooks?.currentWidget;
      if (!current) {
        Notification.warning(`Open a notebook first, then insert "%ntro attach ${workflowId}".`, { autoClose: 6000 });
        return;
      }
      shell.activateById(current.id);
      const notebook = current.content;
      const active = notebook.activeCell;
      const source = `%ntro attach ${workflowId}`;
      if (!active || active.model.type !== 'code' || active.model.sharedModel.getSource().trim() !== '') {
        NotebookActions.insertBelow(notebook);
      }
      const cell = notebook.activeCell;
      if (cell) {
        cell.model.sharedModel.setSource(source);
        notebook.mode = 'edit';
      }
    };

    const startServer = async (): Promise<void> => {
      const pending = Notification.emit('Starting the local Temporal server…', 'in-progress', { autoClose: false });
      try {
        const result = await post<{ address: string; ui_url: string | null }>('server/start', {});
        Notification.update({
          id: pending,
          message: `Local Temporal server running at ${result.address}` + (result.ui_url ? ` (Web UI ${result.ui_url})` : ''),
          type: 'success',
          autoClose: 5000
        });
      } catch (err) {
        Notification.update({
          id: pending,
          message: err instanceof ApiError ? err.message : String(err),
          type: 'error',
          autoClose: false
        });
      }
    };

    // The badge on the sidebar tab; the first count arrives while the widget is built.
    let sidebar: InboxWidget | null = null;
    const showCount = (count: number | null, unread: number = 0): void => {
      if (!sidebar) {
        return;
      }
      // The shell keeps the widget's id in the tab's data-id (it routes clicks by it): keep it.
      const dataset: Record<string, string> = { id: sidebar.id };
      if (count) {
        dataset['ntro-count'] = count > 999 ? '999+' : String(count);
      }
      if (unread) {
        dataset['ntro-unread'] = unread > 99 ? '99+' : String(unread);
      }
      const caption =
        (count === null ? 'Runbook inbox' : `Runbook inbox, ${count} review${count === 1 ? '' : 's'} waiting`) +
        (unread ? `, ${unread} unread notification${unread === 1 ? '' : 's'}` : '');
      sidebar.title.dataset = dataset;
      // The tab's accessible name: the badges are drawn without alt text, so a screen reader
      // reads this caption ("Runbook inbox, 3 reviews waiting, 1 unread notification").
      sidebar.title.caption = caption;
      nameTab(sidebar);
    };
    const inbox = new InboxWidget({
      openReview: item => void commands.execute(CommandIDs.openReview, { workflowId: item.workflow_id }),
      insertAttach: item => insertAttach(item.workflow_id),
      openRun: workflowId => void commands.execute(CommandIDs.openReview, { workflowId }),
      startServer,
      onCount: showCount
    });
    sidebar = inbox;
    inbox.title.icon = inboxIcon;
    shell.add(inbox, 'left', { rank: 600 });
    if (restorer) {
      restorer.add(inbox, 'ntro-inbox');
    }
    void app.restored.then(() => {
      showCount(null, 0);
      inbox.start();
    });
    if (notebooks) {
      watchMissingWidgets(notebooks);
    }

    commands.addCommand(CommandIDs.openInbox, {
      label: 'ntro: Open runbook inbox',
      caption: 'Show the reviews waiting across the Temporal namespace',
      icon: inboxIcon,
      execute: () => {
        shell.activateById(inbox.id);
        return inbox.refresh();
      }
    });
    commands.addCommand(CommandIDs.refreshInbox, {
      label: 'ntro: Refresh runbook inbox',
      execute: () => inbox.refresh()
    });
    commands.addCommand(CommandIDs.startServer, {
      label: 'ntro: Start local Temporal server',
      caption: 'Start the embedded Temporal dev server (SQLite) this JupyterLab uses',
      execute: async () => {
        await startServer();
        await inbox.refresh();
      }
    });
    commands.addCommand(CommandIDs.openWebUI, {
      label: 'ntro: Open Temporal Web UI',
      execute: async () => {
        try {
          const status = await api<{ cluster: { ui_url: string | null; mode: string } }>('status');
          const url = status.cluster.ui_url;
          if (url) {
            window.open(url, '_blank', 'noopener');
          } else {
            Notification.warning(
              status.cluster.mode === 'local'
                ? 'The local Temporal server is not running: start it with "ntro: Start local Temporal server".'
                : 'No Web UI address is known for this cluster: set TEMPORAL_UI_URL for the Jupyter server.',
              { autoClose: 6000 }
            );
          }
        } catch (err) {
          Notification.error(err instanceof ApiError ? err.message : String(err), { autoClose: 6000 });
        }
      }
    });
    commands.addCommand(CommandIDs.openReview, {
      label: args => (args.workflowId ? `Open review of ${args.workflowId}` : 'ntro: Open review'),
      execute: args => {
        const workflowId = String(args.workflowId ?? '');
        if (!workflowId) {
          return;
        }
        let widget = reviews.get(workflowId);
        if (widget && !widget.isDisposed) {
          void widget.content.load();
        } else {
          const content = new ReviewPanel(workflowId, {
            insertAttach,
            onDecided: () => void inbox.refresh()
          });
          widget = new MainAreaWidget({ content });
          widget.id = content.id;
          widget.title.icon = inboxIcon;
          widget.disposed.connect(() => reviews.delete(workflowId));
          reviews.set(workflowId, widget);
          shell.add(widget, 'main');
        }
        shell.activateById(widget.id);
      }
    });
    commands.addCommand(CommandIDs.insertAttach, {
      label: args => `Insert %ntro attach ${args.workflowId ?? ''}`,
      execute: args => insertAttach(String(args.workflowId ?? ''))
    });

    if (palette) {
      const category = 'ntro';
      for (const command of [CommandIDs.openInbox, CommandIDs.refreshInbox, CommandIDs.startServer, CommandIDs.openWebUI]) {
        palette.addItem({ command, category });
      }
    }
  }
};

export default plugin;
