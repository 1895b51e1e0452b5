"""Tests of ntro_jupyter.viewmodels: the review logic, no widgets."""
