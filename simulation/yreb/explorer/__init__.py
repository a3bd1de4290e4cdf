"""The explorer (``yreb app``, extra ``app``): ``logic`` runs policy levers against the baseline; ``page`` is
its Solara page."""
