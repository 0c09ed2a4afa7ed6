"""Sentence alignment (see `aligner` for the method): dp (search and posteriors), channels (evidence), features,
calibration (parameters from the documents), scoring (costs), cellcost (a cost where a DP kernel reads it), aligner
(the driver)."""
from triglot_server.engine.alignment.aligner import VERSION, align, check_coverage, warm_up
from triglot_server.engine.alignment.channels import translation_tokens

__all__ = ["VERSION", "align", "check_coverage", "translation_tokens", "warm_up"]
