"""Presentation: figures and the shareable HTML report, from results folders."""
