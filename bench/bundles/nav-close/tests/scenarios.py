"""Scenarios of the NAV close, as written for the published harness."""

from ntro.testing import Scenario

FIX_LINE = Scenario(
    "fix_line",
    corrections={
        "review": [
            {"line_item_id": "l2", "field": "amount", "old_value": 310.5, "new_value": 301.5}
        ]
    },
)
