"""Hypothesis profiles for the whole suite.

``ci``: reproducible (derandomized) and no deadline, since shared machines time noisily.
``dev``: random examples, more of them. ``HYPOTHESIS_PROFILE`` picks one explicitly;
otherwise ``ci`` when the ``CI`` environment variable is set, ``dev`` when it is not.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=30,
                          print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=50)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI")
                                                               else "dev"))
