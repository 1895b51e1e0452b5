"""A reviewer corrects one amount, with the statement the test writes beside the bundle."""

from ntro.testing import Scenario

corrected = Scenario(
    "corrected",
    corrections={
        "review": [
            {
                "line_item_id": "L2",
                "field": "money_out",
                "old_value": "1037.01",
                "new_value": "1037.10",
            }
        ]
    },
    files={"bank_statement": "statement.pdf"},
)
