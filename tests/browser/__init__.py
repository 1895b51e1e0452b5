"""Browser tests in Debian's Chromium: panels/ draws the widgets and notebooks, lab/ drives JupyterLab."""
