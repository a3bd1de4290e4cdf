"""YREB factor-flow simulation."""

__version__ = "0.1.0"
