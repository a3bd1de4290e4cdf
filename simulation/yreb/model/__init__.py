"""The model: numeric kernels, parameters, base-year calibration, Mesa agents and the model's yearly step."""
