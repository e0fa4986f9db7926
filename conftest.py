"""Collection rules for the whole repository (the test fixtures are in tests/conftest.py).

PyTorch is an optional extra: the examples in ``nn/bridge.py`` need it, so its doctests are
collected only where torch is installed (``tests/test_torch_bridge.py`` skips itself the
same way; ``tests/test_torch_optional.py`` runs everywhere). The slowest test files run
first.
"""

import importlib.util

import pytest

collect_ignore = [] if importlib.util.find_spec("torch") else ["nn/bridge.py"]

# The test files that take longest, longest first. ``make test`` runs the tests in two
# processes, and pytest-xdist hands each whole file to the next free process in the order
# collected: started first, the long files no longer leave one process running alone at
# the end while the other waits.
SLOWEST_FIRST = ("test_notebooks.py", "test_compile_property.py", "test_jupyterlab.py",
                 "test_training_view.py", "test_stepper_page.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the files of ``SLOWEST_FIRST`` first, in its order; keep every other order."""
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOWEST_FIRST)))
