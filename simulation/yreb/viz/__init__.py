"""Plots, maps, HTML reports and the interactive app."""
