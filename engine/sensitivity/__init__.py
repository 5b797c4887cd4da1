"""Threshold analysis for rule authors: how far each threshold may move before a case or a council changes
band (sensitivity, over councils, as a page), rulesets compared (diff) and thresholds calibrated against published outcomes."""
