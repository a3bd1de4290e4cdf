"""The shipped scenario and sweep library, installed as the package-data subpackage ``yreb.scenarios``."""
