"""Tests of ntro_jupyter.widgets: the anywidget models and the saved HTML."""
