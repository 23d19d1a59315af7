"""Every endpoint listed as supported is replayed by a test in this folder, and the count is what README claims."""

import re
from pathlib import Path

from tests.compat.endpoints import ENDPOINTS

HERE = Path(__file__).parent
README = HERE.parents[1] / "README.md"


def replayed() -> set[str]:
    calls = re.compile(r'moltflow\(\s*"((?:GET|POST|PUT|PATCH|DELETE) [^"]+)"')
    return {m.group(1) for path in HERE.glob("test_*.py") for m in calls.finditer(path.read_text())}


def test_every_supported_endpoint_is_replayed():
    supported = {endpoint for endpoint, info in ENDPOINTS.items() if info.supported}
    assert supported - replayed() == set()
    assert replayed() - set(ENDPOINTS) == set(), "a replayed request names an endpoint the list lacks"


def test_unsupported_ones_say_why():
    assert all(info.note for info in ENDPOINTS.values() if not info.supported)


def test_readme_table_lists_every_endpoint_with_the_count():
    text = README.read_text()
    supported = sum(info.supported for info in ENDPOINTS.values())
    assert f"{supported} of the {len(ENDPOINTS)} endpoints" in text
    for endpoint in ENDPOINTS:
        method, path = endpoint.split(" ", 1)
        assert f"| {method} | `{path}` |" in text, f"README's table lacks {endpoint}"
