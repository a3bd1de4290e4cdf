"""Analysis of results: metrics, scenario comparison, hindcast and validation patterns."""
