"""Helpers shared by several test modules: each module of this package is imported as ``from support.X import
..." by the tests that use it, the module that first needed the helper included."""
