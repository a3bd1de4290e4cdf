"""The interactive app (extra `app`, part of `dev`) renders headless and steps the model."""

from __future__ import annotations

import solara


def test_app_renders_and_collects_belt_outcomes():
    from yreb.viz import app

    model = app.AppModel("barriers_removed.toml", replication=1)
    for _ in range(3):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 3
    assert 40 < frame["belt share of national GDP (%)"].iloc[0] < 50  # 45.1% in the 2015 data
    _, rc = solara.render(app.page, handle_error=False)
    assert rc is not None


def test_app_model_stops_after_end_year():
    from yreb.viz import app

    model = app.AppModel("baseline.toml")
    for _ in range(len(model.years) + 2):
        model.step()
    assert model.running is False
    assert len(model.datacollector.get_model_vars_dataframe()) == len(model.years)
