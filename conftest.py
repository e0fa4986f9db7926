"""Collection rules for the whole repository (the test fixtures are in tests/conftest.py).

PyTorch is an optional extra: the examples in ``nn/bridge.py`` need it, so its doctests are
collected only where torch is installed (``tests/test_torch_bridge.py`` skips itself the
same way; ``tests/test_torch_optional.py`` runs everywhere).
"""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("torch") else ["nn/bridge.py"]
